/* Metadata downloads: current version, by checksum and by version. */
#include <stdlib.h>
#include <string.h>

#include "net/client.h"

/* GET one metadata file into data; non-200 responses become errors. */
static tufsign_status get_file(tufsign_notary *client, const char *gun, const char *role,
			       const char *file, size_t max_len, unsigned char **data, size_t *len,
			       tufsign_error *err)
{
	tufsign_status st;
	tf_http_response resp = {0};
	char *what = NULL, *url = NULL;
	tf_api_call call = {.gun = gun, .actions = "pull"};

	*data = NULL;
	*len = 0;
	st = tf_check_gun(gun, err);
	if (st == TUFSIGN_OK)
		st = tf_check_role(role, err);
	if (st != TUFSIGN_OK)
		return st;
	url = tf_notary_tuf_url(client, gun, file);
	what = tf_asprintf("GET '%s' of '%s'", file, gun);
	if (url == NULL || what == NULL) {
		st = tufsign_error_set(err, TUFSIGN_ERR_NOMEM, "out of memory building a request");
		goto out;
	}
	call.what = what;
	call.req = (tf_http_request){.method = "GET", .url = url, .max_len = max_len, .retry = 1};
	st = tf_notary_call(client, &call, &resp, err);
	if (st != TUFSIGN_OK)
		goto out;
	if (resp.status != 200) {
		st = tf_server_error(err, what, resp.status, resp.body, resp.len);
		goto out;
	}
	*data = resp.body;
	*len = resp.len;
	resp.body = NULL;
out:
	tf_http_response_release(&resp);
	free(what);
	free(url);
	return st;
}

static size_t default_cap(const char *role, size_t max_len)
{
	if (max_len != 0)
		return max_len;
	if (role != NULL && strcmp(role, "timestamp") == 0)
		return TUFSIGN_NOTARY_MAX_TIMESTAMP;
	if (role != NULL && strcmp(role, "root") == 0)
		return TUFSIGN_NOTARY_MAX_ROOT;
	return TUFSIGN_NOTARY_MAX_DEFAULT;
}

tufsign_status tufsign_notary_get_role(tufsign_notary *client, const char *gun, const char *role,
				       size_t max_len, unsigned char **data, size_t *len,
				       tufsign_error *err)
{
	tufsign_status st;
	char *file = tf_asprintf("%s.json", role ? role : "");

	if (file == NULL) {
		*data = NULL;
		*len = 0;
		return tufsign_error_set(err, TUFSIGN_ERR_NOMEM, "out of memory building a URL");
	}
	st = get_file(client, gun, role, file, default_cap(role, max_len), data, len, err);
	free(file);
	return st;
}

static int is_sha256_hex(const char *s)
{
	size_t i;

	for (i = 0; s != NULL && s[i] != '\0'; i++) {
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	}
	return i == 64;
}

tufsign_status tufsign_notary_get_by_hash(tufsign_notary *client, const char *gun, const char *role,
					  const char *sha256_hex, size_t length,
					  unsigned char **data, size_t *len, tufsign_error *err)
{
	tufsign_status st;
	char *file;

	*data = NULL;
	*len = 0;
	if (!is_sha256_hex(sha256_hex))
		return tufsign_error_set(err, TUFSIGN_ERR_INVALID_ARGUMENT,
					 "invalid sha256 '%.80s' for role '%s': expected 64 "
					 "lower-case hex digits",
					 sha256_hex ? sha256_hex : "", role ? role : "");
	if (length == 0)
		return tufsign_error_set(err, TUFSIGN_ERR_INVALID_ARGUMENT,
					 "the expected length of '%s' is 0", role ? role : "");
	file = tf_asprintf("%s.%s.json", role ? role : "", sha256_hex);
	if (file == NULL)
		return tufsign_error_set(err, TUFSIGN_ERR_NOMEM, "out of memory building a URL");
	st = get_file(client, gun, role, file, length, data, len, err);
	free(file);
	return st;
}

tufsign_status tufsign_notary_get_by_version(tufsign_notary *client, const char *gun,
					     const char *role, uint64_t version, size_t max_len,
					     unsigned char **data, size_t *len, tufsign_error *err)
{
	tufsign_status st;
	char *file = tf_asprintf("%llu.%s.json", (unsigned long long)version, role ? role : "");

	if (file == NULL) {
		*data = NULL;
		*len = 0;
		return tufsign_error_set(err, TUFSIGN_ERR_NOMEM, "out of memory building a URL");
	}
	st = get_file(client, gun, role, file, default_cap(role, max_len), data, len, err);
	free(file);
	return st;
}
