/* Writes to the server: the multipart upload of role files, the deletion of
 * a GUN, and the server-held keys (whose GET also needs push access). */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <openssl/rand.h>

#include "net/client.h"

/* Cap of the response to an upload, a delete or a key request. */
#define SMALL_RESPONSE_MAX ((size_t)1 << 20)

/* Pick a boundary that occurs in none of the files. */
static tufsign_status pick_boundary(const tufsign_notary_file *files, size_t nfiles,
				    char boundary[41], tufsign_error *err)
{
	unsigned char random[16];
	int tries;
	size_t i;

	for (tries = 0; tries < 8; tries++) {
		int clash = 0;

		if (RAND_bytes(random, sizeof(random)) != 1)
			return tf_openssl_error(err, TUFSIGN_ERR_CRYPTO,
						"cannot make a multipart boundary");
		memcpy(boundary, "tufsign", 7);
		tf_hex_encode(random, sizeof(random), boundary + 7);
		for (i = 0; i < nfiles && !clash; i++)
			clash = memmem(files[i].data, files[i].len, boundary, 39) != NULL;
		if (!clash)
			return TUFSIGN_OK;
	}
	return tufsign_error_set(err, TUFSIGN_ERR_INTERNAL,
				 "every multipart boundary tried occurs in the upload");
}

/* Pieces of the multipart body, sent without copying the files. */
typedef struct multipart {
	tf_http_part *parts;
	char **framing; /* the part headers and the closing boundary */
	size_t nframing;
	size_t total;
} multipart;

static void multipart_release(multipart *body)
{
	size_t i;

	for (i = 0; i < body->nframing; i++)
		free(body->framing[i]);
	free(body->framing);
	free(body->parts);
	memset(body, 0, sizeof(*body));
}

static void add_part(multipart *body, size_t *n, const void *data, size_t len)
{
	body->parts[*n].data = data;
	body->parts[*n].len = len;
	body->total += len;
	(*n)++;
}

/* The body notary's own client sends: one part per file, named "files",
 * with the role as filename and the exact file bytes. */
static tufsign_status build_multipart(const tufsign_notary_file *files, size_t nfiles,
				      const char *boundary, multipart *body, tufsign_error *err)
{
	size_t i, n = 0;

	body->parts = calloc(3 * nfiles + 1, sizeof(*body->parts));
	body->framing = calloc(nfiles + 1, sizeof(*body->framing));
	if (body->parts == NULL || body->framing == NULL)
		return tufsign_error_set(err, TUFSIGN_ERR_NOMEM,
					 "out of memory building the upload");
	for (i = 0; i <= nfiles; i++) {
		char *text = i < nfiles ? tf_asprintf("--%s\r\n"
						      "Content-Disposition: form-data; "
						      "name=\"files\"; filename=\"%s\"\r\n"
						      "Content-Type: application/octet-stream\r\n"
						      "\r\n",
						      boundary, files[i].role)
					: tf_asprintf("--%s--\r\n", boundary);

		if (text == NULL)
			return tufsign_error_set(err, TUFSIGN_ERR_NOMEM,
						 "out of memory building the upload");
		body->framing[body->nframing++] = text;
		add_part(body, &n, text, strlen(text));
		if (i < nfiles) {
			add_part(body, &n, files[i].data, files[i].len);
			add_part(body, &n, "\r\n", 2);
		}
	}
	return TUFSIGN_OK;
}

static tufsign_status check_files(const char *gun, const tufsign_notary_file *files, size_t nfiles,
				  tufsign_error *err)
{
	tufsign_status st = tf_check_gun(gun, err);
	size_t i;

	if (st == TUFSIGN_OK && nfiles == 0)
		st = tufsign_error_set(err, TUFSIGN_ERR_INVALID_ARGUMENT,
				       "nothing to upload to '%s'", gun);
	for (i = 0; st == TUFSIGN_OK && i < nfiles; i++) {
		st = tf_check_role(files[i].role, err);
		if (st == TUFSIGN_OK && (files[i].data == NULL || files[i].len == 0))
			st = tufsign_error_set(err, TUFSIGN_ERR_INVALID_ARGUMENT,
					       "the file of role '%s' is empty", files[i].role);
	}
	return st;
}

/* Send a request that succeeds with 200 and whose body is not needed. */
static tufsign_status send_write(tufsign_notary *client, tf_api_call *call, tufsign_error *err)
{
	tufsign_status st;
	tf_http_response resp = {0};

	st = tf_notary_call(client, call, &resp, err);
	if (st == TUFSIGN_OK && resp.status != 200)
		st = tf_server_error(err, call->what, resp.status, resp.body, resp.len);
	tf_http_response_release(&resp);
	return st;
}

tufsign_status tufsign_notary_publish(tufsign_notary *client, const char *gun,
				      const tufsign_notary_file *files, size_t nfiles,
				      tufsign_error *err)
{
	tufsign_status st;
	char boundary[41];
	char *content_type = NULL, *url = NULL, *what = NULL;
	multipart body = {0};
	tf_api_call call = {.gun = gun, .actions = "push,pull"};

	st = check_files(gun, files, nfiles, err);
	if (st == TUFSIGN_OK)
		st = pick_boundary(files, nfiles, boundary, err);
	if (st == TUFSIGN_OK)
		st = build_multipart(files, nfiles, boundary, &body, err);
	if (st != TUFSIGN_OK)
		goto out;
	content_type = tf_asprintf("multipart/form-data; boundary=%s", boundary);
	url = tf_notary_tuf_url(client, gun, "");
	what = tf_asprintf("upload of %zu file%s to '%s'", nfiles, nfiles == 1 ? "" : "s", gun);
	if (content_type == NULL || url == NULL || what == NULL) {
		st = tufsign_error_set(err, TUFSIGN_ERR_NOMEM, "out of memory building the upload");
		goto out;
	}
	call.what = what;
	/* Never retried here: a lost response does not tell whether the
	 * server applied the upload. */
	call.req = (tf_http_request){.method = "POST",
				     .url = url,
				     .content_type = content_type,
				     .parts = body.parts,
				     .nparts = 3 * nfiles + 1,
				     .max_len = SMALL_RESPONSE_MAX,
				     .retry = 0};
	st = send_write(client, &call, err);
	if (st == TUFSIGN_OK)
		TF_DEBUG("http", "uploaded %zu files (%zu bytes) to '%s'", nfiles, body.total, gun);
out:
	multipart_release(&body);
	free(content_type);
	free(url);
	free(what);
	return st;
}

tufsign_status tufsign_notary_delete(tufsign_notary *client, const char *gun, tufsign_error *err)
{
	tufsign_status st = tf_check_gun(gun, err);
	char *url = NULL, *what = NULL;
	tf_api_call call = {.gun = gun, .actions = "*"};

	if (st != TUFSIGN_OK)
		return st;
	url = tf_notary_tuf_url(client, gun, "");
	what = tf_asprintf("DELETE of '%s'", gun);
	if (url == NULL || what == NULL) {
		st = tufsign_error_set(err, TUFSIGN_ERR_NOMEM, "out of memory building a request");
		goto out;
	}
	call.what = what;
	call.req = (tf_http_request){
		.method = "DELETE", .url = url, .max_len = SMALL_RESPONSE_MAX, .retry = 0};
	st = send_write(client, &call, err);
out:
	free(url);
	free(what);
	return st;
}

void tufsign_notary_key_release(tufsign_notary_key *key)
{
	if (key == NULL)
		return;
	free(key->keytype);
	free(key->public_b64);
	free(key->public_key);
	memset(key, 0, sizeof(*key));
}

/* Parse {"keytype":"...","keyval":{"public":"<base64>","private":null}}. */
static tufsign_status parse_key(const tf_http_response *resp, const char *what,
				tufsign_notary_key *key, tufsign_error *err)
{
	tufsign_status st = TUFSIGN_OK;
	json_error_t jerr;
	json_t *doc = json_loadb((const char *)resp->body, resp->len, 0, &jerr);
	const char *keytype = json_string_value(json_object_get(doc, "keytype"));
	json_t *pub = json_object_get(json_object_get(doc, "keyval"), "public");
	int bad = 0;

	if (doc == NULL) {
		st = tufsign_error_set(err, TUFSIGN_ERR_JSON, "%s: invalid JSON: %s", what,
				       jerr.text);
		goto out;
	}
	if (keytype == NULL || keytype[0] == '\0' || !json_is_string(pub)) {
		st = tufsign_error_set(err, TUFSIGN_ERR_JSON,
				       "%s: missing \"keytype\" or \"keyval\".\"public\"", what);
		goto out;
	}
	key->keytype = tf_strdup(keytype);
	key->public_b64 = tf_strdup(json_string_value(pub));
	if (key->keytype == NULL || key->public_b64 == NULL) {
		st = tufsign_error_set(err, TUFSIGN_ERR_NOMEM, "out of memory reading a key");
		goto out;
	}
	key->public_key =
		tf_base64_decode(key->public_b64, strlen(key->public_b64), &key->public_len, &bad);
	if (key->public_key == NULL || key->public_len == 0)
		st = tufsign_error_set(err, bad ? TUFSIGN_ERR_JSON : TUFSIGN_ERR_NOMEM,
				       "%s: \"keyval\".\"public\" is not base64 of a key", what);
out:
	json_decref(doc);
	return st;
}

/* Send method to <gun>/_trust/tuf/<role>.key and parse the key in the
 * response. GET only reads the key, so it is retried; POST makes a new key
 * on every call, so it is sent once. */
static tufsign_status key_request(tufsign_notary *client, const char *gun, const char *role,
				  const char *method, tufsign_notary_key *key, tufsign_error *err)
{
	int is_get = strcmp(method, "GET") == 0;
	tufsign_status st;
	tf_http_response resp = {0};
	char *file = NULL, *url = NULL, *what = NULL;
	tf_api_call call = {.gun = gun, .actions = is_get ? "push,pull" : "*"};

	memset(key, 0, sizeof(*key));
	st = tf_check_gun(gun, err);
	if (st == TUFSIGN_OK &&
	    (role == NULL || (strcmp(role, "timestamp") != 0 && strcmp(role, "snapshot") != 0)))
		st = tufsign_error_set(err, TUFSIGN_ERR_INVALID_ARGUMENT,
				       "the server holds keys only for timestamp and snapshot, "
				       "not '%s'",
				       role ? role : "");
	if (st != TUFSIGN_OK)
		return st;
	file = tf_asprintf("%s.key", role);
	url = file ? tf_notary_tuf_url(client, gun, file) : NULL;
	what = tf_asprintf("%s '%s.key' of '%s'", method, role, gun);
	if (url == NULL || what == NULL) {
		st = tufsign_error_set(err, TUFSIGN_ERR_NOMEM, "out of memory building a request");
		goto out;
	}
	call.what = what;
	call.req = (tf_http_request){
		.method = method, .url = url, .max_len = SMALL_RESPONSE_MAX, .retry = is_get};
	st = tf_notary_call(client, &call, &resp, err);
	if (st == TUFSIGN_OK && resp.status != 200)
		st = tf_server_error(err, what, resp.status, resp.body, resp.len);
	if (st == TUFSIGN_OK)
		st = parse_key(&resp, what, key, err);
out:
	tf_http_response_release(&resp);
	free(file);
	free(url);
	free(what);
	return st;
}

tufsign_status tufsign_notary_get_key(tufsign_notary *client, const char *gun, const char *role,
				      tufsign_notary_key *key, tufsign_error *err)
{
	return key_request(client, gun, role, "GET", key, err);
}

tufsign_status tufsign_notary_rotate_key(tufsign_notary *client, const char *gun, const char *role,
					 tufsign_notary_key *key, tufsign_error *err)
{
	return key_request(client, gun, role, "POST", key, err);
}
