/* Serialization of role documents: the canonical bytes and the file bytes. */
#include <string.h>

#include <openssl/evp.h>

#include "json_scan.h"
#include "meta_internal.h"

/* The writers append to one buffer and check its failed flag at the end,
 * which keeps the per-member code free of error branches. */
static void put(tf_buf *out, const char *s, size_t n)
{
	tf_buf_append(out, s, n);
}

#define PUT_LIT(out, s) put((out), (s), sizeof(s) - 1)

static void put_str(tf_buf *out, const char *s, int html)
{
	tf_json_put_string(out, s, strlen(s), html);
}

static void put_int(tf_buf *out, int64_t v)
{
	char tmp[24];
	char *p = tmp + sizeof(tmp);
	uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;

	do {
		*--p = (char)('0' + u % 10);
		u /= 10;
	} while (u > 0);
	if (v < 0)
		*--p = '-';
	put(out, p, (size_t)(tmp + sizeof(tmp) - p));
}

static void put_base64(tf_buf *out, const unsigned char *data, size_t len)
{
	size_t n = 4 * ((len + 2) / 3);

	if (tf_buf_reserve(out, n + 2))
		return;
	out->data[out->len++] = '"';
	if (len > 0)
		EVP_EncodeBlock(out->data + out->len, data, (int)len);
	out->len += n;
	out->data[out->len++] = '"';
	out->data[out->len] = '\0';
}

static void put_string_list(tf_buf *out, char *const *list, size_t n, int html)
{
	size_t i;

	put(out, "[", 1);
	for (i = 0; i < n; i++) {
		if (i > 0)
			put(out, ",", 1);
		put_str(out, list[i], html);
	}
	put(out, "]", 1);
}

static void put_keys(tf_buf *out, const tufsign_meta *doc)
{
	size_t i;

	put(out, "{", 1);
	for (i = 0; i < doc->key_count; i++) {
		const tufsign_pubkey *k = &doc->keys[i];

		if (i > 0)
			put(out, ",", 1);
		put(out, "\"", 1);
		put(out, k->id, strlen(k->id));
		PUT_LIT(out, "\":{\"keytype\":\"");
		put(out, tufsign_keytype_name(k->type), strlen(tufsign_keytype_name(k->type)));
		PUT_LIT(out, "\",\"keyval\":{\"private\":null,\"public\":");
		put_base64(out, k->public, k->public_len);
		PUT_LIT(out, "}}");
	}
	put(out, "}", 1);
}

static void put_role_body(tf_buf *out, const tufsign_role *r, int with_name, int html)
{
	PUT_LIT(out, "{\"keyids\":");
	put_string_list(out, r->keyids, r->keyid_count, html);
	if (with_name) {
		PUT_LIT(out, ",\"name\":");
		put_str(out, r->name, html);
		if (r->path_count > 0) {
			PUT_LIT(out, ",\"paths\":");
			put_string_list(out, r->paths, r->path_count, html);
		}
	}
	PUT_LIT(out, ",\"threshold\":");
	put_int(out, r->threshold);
	put(out, "}", 1);
}

static void put_file_meta(tf_buf *out, const tufsign_file_meta *f, int html)
{
	put(out, "{", 1);
	if (f->custom != NULL) {
		PUT_LIT(out, "\"custom\":");
		tf_json_put_raw(out, f->custom, strlen(f->custom), html);
		put(out, ",", 1);
	}
	PUT_LIT(out, "\"hashes\":{");
	if (f->hashes.has_sha256) {
		PUT_LIT(out, "\"sha256\":");
		put_base64(out, f->hashes.sha256, 32);
	}
	if (f->hashes.has_sha512 && f->hashes.sha512 != NULL) {
		if (f->hashes.has_sha256)
			put(out, ",", 1);
		PUT_LIT(out, "\"sha512\":");
		put_base64(out, f->hashes.sha512, 64);
	}
	PUT_LIT(out, "},\"length\":");
	put_int(out, f->length);
	put(out, "}", 1);
}

static void put_files(tf_buf *out, const tufsign_meta *doc, int html)
{
	size_t i;

	put(out, "{", 1);
	for (i = 0; i < doc->file_count; i++) {
		if (i > 0)
			put(out, ",", 1);
		put_str(out, doc->files[i].name, html);
		put(out, ":", 1);
		put_file_meta(out, &doc->files[i], html);
	}
	put(out, "}", 1);
}

static void put_root_body(tf_buf *out, const tufsign_meta *doc, int html)
{
	size_t i;

	PUT_LIT(out, ",\"keys\":");
	put_keys(out, doc);
	PUT_LIT(out, ",\"roles\":{");
	for (i = 0; i < doc->role_count; i++) {
		if (i > 0)
			put(out, ",", 1);
		put_str(out, doc->roles[i].name, html);
		put(out, ":", 1);
		put_role_body(out, &doc->roles[i], 0, html);
	}
	put(out, "}", 1);
}

static void put_delegations(tf_buf *out, const tufsign_meta *doc, int html)
{
	size_t i;

	PUT_LIT(out, "\"delegations\":{\"keys\":");
	put_keys(out, doc);
	PUT_LIT(out, ",\"roles\":[");
	for (i = 0; i < doc->role_count; i++) {
		if (i > 0)
			put(out, ",", 1);
		put_role_body(out, &doc->roles[i], 1, html);
	}
	PUT_LIT(out, "]}");
}

tufsign_status tf_meta_write_signed(const tufsign_meta *doc, int html, tf_buf *out,
				    tufsign_error *err)
{
	char expires[TUFSIGN_TIME_SIZE];
	tufsign_status st;

	st = tufsign_time_format(&doc->expires, expires, err);
	if (st != TUFSIGN_OK) {
		tufsign_error_locate(err, doc->role, "signed.expires");
		return st;
	}
	PUT_LIT(out, "{\"_type\":\"");
	put(out, tufsign_role_type_name(doc->type), strlen(tufsign_role_type_name(doc->type)));
	put(out, "\",", 2);
	switch (doc->type) {
	case TUFSIGN_ROLE_ROOT:
		PUT_LIT(out, "\"consistent_snapshot\":");
		if (doc->consistent_snapshot)
			PUT_LIT(out, "true,");
		else
			PUT_LIT(out, "false,");
		break;
	case TUFSIGN_ROLE_TARGETS:
		put_delegations(out, doc, html);
		put(out, ",", 1);
		break;
	default:
		break;
	}
	PUT_LIT(out, "\"expires\":\"");
	put(out, expires, strlen(expires));
	put(out, "\"", 1);
	if (doc->type == TUFSIGN_ROLE_ROOT) {
		put_root_body(out, doc, html);
	} else {
		put(out, doc->type == TUFSIGN_ROLE_TARGETS ? ",\"targets\":" : ",\"meta\":",
		    doc->type == TUFSIGN_ROLE_TARGETS ? 11 : 8);
		put_files(out, doc, html);
	}
	PUT_LIT(out, ",\"version\":");
	put_int(out, doc->version);
	put(out, "}", 1);
	if (out->failed)
		return tufsign_error_set(err, TUFSIGN_ERR_NOMEM, "out of memory writing '%s'",
					 doc->role);
	return TUFSIGN_OK;
}

tufsign_status tf_meta_write_file(const tufsign_meta *doc, tf_buf *out, tufsign_error *err)
{
	tufsign_status st;
	size_t i;

	PUT_LIT(out, "{\"signed\":");
	st = tf_meta_write_signed(doc, 1, out, err);
	if (st != TUFSIGN_OK)
		return st;
	PUT_LIT(out, ",\"signatures\":[");
	for (i = 0; i < doc->signature_count; i++) {
		const tufsign_signature *s = &doc->signatures[i];

		if (i > 0)
			put(out, ",", 1);
		PUT_LIT(out, "{\"keyid\":");
		put_str(out, s->keyid, 1);
		PUT_LIT(out, ",\"method\":");
		put_str(out, s->method, 1);
		PUT_LIT(out, ",\"sig\":");
		put_base64(out, s->sig, s->sig_len);
		put(out, "}", 1);
	}
	PUT_LIT(out, "]}");
	if (out->failed)
		return tufsign_error_set(err, TUFSIGN_ERR_NOMEM, "out of memory writing '%s'",
					 doc->role);
	return TUFSIGN_OK;
}

/* Upper bound of a string's length once written: quotes and backslashes
 * gain a backslash, and the file escaping turns '<' '>' '&' into six bytes
 * and U+2028/U+2029 (three bytes from 0xe2) into six. */
static size_t written_len(const char *s, int html)
{
	size_t n = 0;

	for (; *s; s++) {
		n++;
		if (*s == '"' || *s == '\\')
			n++;
		else if (html && (*s == '<' || *s == '>' || *s == '&' || *s == '\xe2'))
			n += 5;
	}
	return n;
}

/* An upper bound of the output size, so a large document is written into
 * one allocation. */
static size_t size_hint(const tufsign_meta *doc, int html)
{
	size_t n = 1024, i;

	for (i = 0; i < doc->key_count; i++)
		n += 200 + doc->keys[i].public_len * 4 / 3;
	for (i = 0; i < doc->role_count; i++) {
		const tufsign_role *r = &doc->roles[i];
		size_t k;

		n += 128 + written_len(r->name, html) + 70 * r->keyid_count;
		for (k = 0; k < r->path_count; k++)
			n += 3 + written_len(r->paths[k], html);
	}
	for (i = 0; i < doc->file_count; i++) {
		const tufsign_file_meta *f = &doc->files[i];

		n += 48 + written_len(f->name, html) + (f->hashes.has_sha256 ? 56 : 0) +
		     (f->hashes.has_sha512 ? 100 : 0) +
		     (f->custom ? 12 + written_len(f->custom, html) : 0);
	}
	return n;
}

static tufsign_status finish(tf_buf *b, tufsign_status st, char **out, size_t *out_len,
			     tufsign_error *err)
{
	if (st == TUFSIGN_OK) {
		*out = (char *)tf_buf_steal(b, out_len);
		if (*out == NULL)
			st = tufsign_error_set(err, TUFSIGN_ERR_NOMEM, "out of memory");
	}
	tf_buf_release(b, 0);
	return st;
}

tufsign_status tufsign_meta_canonical(const tufsign_meta *doc, char **out, size_t *out_len,
				      tufsign_error *err)
{
	tf_buf b;

	*out = NULL;
	if (out_len != NULL)
		*out_len = 0;
	tf_buf_init(&b);
	tf_buf_presize(&b, size_hint(doc, 0));
	return finish(&b, tf_meta_write_signed(doc, 0, &b, err), out, out_len, err);
}

tufsign_status tufsign_meta_file_bytes(const tufsign_meta *doc, char **out, size_t *out_len,
				       tufsign_error *err)
{
	tf_buf b;

	*out = NULL;
	if (out_len != NULL)
		*out_len = 0;
	tf_buf_init(&b);
	tf_buf_presize(&b, size_hint(doc, 1) + 1024 * doc->signature_count);
	return finish(&b, tf_meta_write_file(doc, &b, err), out, out_len, err);
}
