/* Parsing of role document file bytes into typed documents. The parser pulls
 * tokens straight into the document, so a targets file of many entries
 * costs little more than its compact structs.
 *
 * It is stricter than notary's decoder on purpose. Member names that differ
 * only in case, upper-case signature methods, unknown hash algorithms, an
 * empty "paths" list, null or non-canonical custom data and duplicate keys
 * are accepted by notary but rewritten when it re-serializes, so such a file
 * could never equal the bytes notary hashes. They are rejected here. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json_scan.h"
#include "meta_internal.h"
#include "tufsign/json.h"

typedef struct parser {
	tf_json j;
	tufsign_meta *doc;
	tf_buf key; /* the member name being read */
	tf_buf str; /* string values */
} parser;

/* Called for each member of an object with its decoded name in p->key. */
typedef tufsign_status (*member_fn)(parser *p, void *ctx);

static tufsign_status fail(parser *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static tufsign_status fail(parser *p, const char *fmt, ...)
{
	char message[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(message, sizeof(message), fmt, ap);
	va_end(ap);
	return tf_json_fail(&p->j, TUFSIGN_ERR_METADATA, "%s", message);
}

static tufsign_status nomem(parser *p)
{
	return tf_json_fail(&p->j, TUFSIGN_ERR_NOMEM, "out of memory");
}

static int key_is(const parser *p, const char *name)
{
	return p->key.len == strlen(name) && memcmp(p->key.data, name, p->key.len) == 0;
}

static const char *key_text(const parser *p)
{
	return p->key.data ? (const char *)p->key.data : "";
}

/* Read an object, calling fn for every member with the path extended. */
static tufsign_status read_object(parser *p, member_fn fn, void *ctx)
{
	tufsign_status st;
	size_t saved;
	int more = 1;

	if (tf_json_peek(&p->j) != '{')
		return fail(p, "expected an object");
	p->j.p++;
	if (tf_json_peek(&p->j) == '}') {
		p->j.p++;
		return TUFSIGN_OK;
	}
	if (++p->j.depth > TF_JSON_MAX_DEPTH)
		return tf_json_fail(&p->j, TUFSIGN_ERR_JSON, "JSON nested too deeply");
	while (more == 1) {
		p->key.len = 0;
		st = tf_json_string_strict(&p->j, &p->key, "key");
		if (st == TUFSIGN_OK && p->key.failed)
			st = nomem(p);
		if (st == TUFSIGN_OK)
			st = tf_json_expect(&p->j, ':');
		if (st != TUFSIGN_OK)
			return st;
		saved = tf_jpath_push_key(&p->j.path, (const char *)p->key.data, p->key.len);
		st = fn(p, ctx);
		if (st != TUFSIGN_OK)
			return st;
		tf_jpath_pop(&p->j.path, saved);
		more = tf_json_next(&p->j, '}');
	}
	p->j.depth--;
	return more == 0 ? TUFSIGN_OK : TUFSIGN_ERR_JSON;
}

/* Read an array, calling fn for every element with the path extended. */
static tufsign_status read_array(parser *p, member_fn fn, void *ctx)
{
	tufsign_status st;
	size_t saved, index = 0;
	int more = 1;

	if (tf_json_peek(&p->j) != '[')
		return fail(p, "expected an array");
	p->j.p++;
	if (tf_json_peek(&p->j) == ']') {
		p->j.p++;
		return TUFSIGN_OK;
	}
	while (more == 1) {
		saved = tf_jpath_push_index(&p->j.path, index++);
		st = fn(p, ctx);
		if (st != TUFSIGN_OK)
			return st;
		tf_jpath_pop(&p->j.path, saved);
		more = tf_json_next(&p->j, ']');
	}
	return more == 0 ? TUFSIGN_OK : TUFSIGN_ERR_JSON;
}

/* Mark member bit as seen; fail on a second occurrence. */
static tufsign_status seen(parser *p, unsigned *mask, unsigned bit)
{
	if (*mask & bit)
		return fail(p, "duplicate key \"%s\"", key_text(p));
	*mask |= bit;
	return TUFSIGN_OK;
}

static tufsign_status unknown(parser *p)
{
	return fail(p, "unknown member \"%s\", which notary would drop", key_text(p));
}

static tufsign_status missing(parser *p, const char *name)
{
	return fail(p, "missing member \"%s\"", name);
}

/* Decode a string value strictly into p->str. */
static tufsign_status read_string(parser *p)
{
	tufsign_status st;

	if (tf_json_peek(&p->j) != '"')
		return fail(p, "expected a string");
	p->str.len = 0;
	st = tf_json_string_strict(&p->j, &p->str, "string");
	if (st == TUFSIGN_OK && p->str.failed)
		st = nomem(p);
	if (st == TUFSIGN_OK && p->str.data == NULL && tf_buf_append(&p->str, "", 0))
		st = nomem(p);
	return st;
}

static tufsign_status read_arena_string(parser *p, char **out)
{
	tufsign_status st = read_string(p);

	if (st != TUFSIGN_OK)
		return st;
	*out = tf_meta_strndup(p->doc, (const char *)p->str.data, p->str.len);
	return *out ? TUFSIGN_OK : nomem(p);
}

static tufsign_status read_base64(parser *p, unsigned char **out, size_t *out_len)
{
	tufsign_status st = read_string(p);
	int bad = 0;

	if (st != TUFSIGN_OK)
		return st;
	*out = tf_base64_decode((const char *)p->str.data, p->str.len, out_len, &bad);
	if (*out == NULL)
		return bad ? fail(p, "invalid base64 \"%.80s\"", (const char *)p->str.data)
			   : nomem(p);
	return TUFSIGN_OK;
}

static tufsign_status read_keyid(parser *p, char id[TUFSIGN_KEYID_SIZE])
{
	tufsign_status st = read_string(p);

	if (st != TUFSIGN_OK)
		return st;
	if (!tf_is_keyid((const char *)p->str.data, p->str.len))
		return fail(p, "invalid key ID \"%.80s\": expected 64 lower-case hex digits",
			    (const char *)p->str.data);
	memcpy(id, p->str.data, TUFSIGN_KEYID_SIZE);
	return TUFSIGN_OK;
}

static tufsign_status read_bool(parser *p, int *value)
{
	tf_json *j = &p->j;

	tf_json_peek(j);
	if (j->end - j->p >= 4 && memcmp(j->p, "true", 4) == 0) {
		j->p += 4;
		*value = 1;
		return TUFSIGN_OK;
	}
	if (j->end - j->p >= 5 && memcmp(j->p, "false", 5) == 0) {
		j->p += 5;
		*value = 0;
		return TUFSIGN_OK;
	}
	return fail(p, "expected true or false");
}

/* ---- hashes, file meta and custom data ---- */

static tufsign_status hash_member(parser *p, void *ctx)
{
	tufsign_hashes *h = ctx;
	unsigned char *raw = NULL;
	size_t len = 0, want;
	int is256 = key_is(p, "sha256");
	tufsign_status st;

	if (!is256 && !key_is(p, "sha512"))
		return fail(p, "unsupported hash algorithm \"%s\"", key_text(p));
	if ((is256 && h->has_sha256) || (!is256 && h->has_sha512))
		return fail(p, "duplicate key \"%s\"", key_text(p));
	st = read_base64(p, &raw, &len);
	if (st != TUFSIGN_OK)
		return st;
	want = is256 ? 32 : 64;
	if (len != want) {
		free(raw);
		return fail(p, "hash \"%s\" has the wrong size", key_text(p));
	}
	if (is256) {
		memcpy(h->sha256, raw, 32);
		h->has_sha256 = 1;
	} else {
		h->sha512 = tf_meta_alloc(p->doc, 64);
		if (h->sha512 != NULL)
			memcpy(h->sha512, raw, 64);
		h->has_sha512 = 1;
	}
	free(raw);
	return h->has_sha512 && h->sha512 == NULL ? nomem(p) : TUFSIGN_OK;
}

/* Write raw JSON text without whitespace and with the file escaping, as
 * notary writes "custom" (which it does not re-canonicalize). */
static int compact_escaped(const unsigned char *s, size_t len, tf_buf *out)
{
	const unsigned char *end = s + len, *run;
	int in_string = 0;

	while (s < end) {
		if (!in_string) {
			if (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r') {
				s++;
				continue;
			}
			in_string = *s == '"';
			if (tf_buf_append_byte(out, *s++))
				return -1;
			continue;
		}
		run = s;
		while (s < end && *s != '"' && *s != '\\')
			s++;
		if (tf_json_put_raw(out, (const char *)run, (size_t)(s - run), 1))
			return -1;
		if (s >= end)
			break;
		if (*s == '"')
			in_string = 0;
		if (*s == '\\' && s + 1 < end) {
			if (tf_buf_append(out, s, 2))
				return -1;
			s += 2;
			continue;
		}
		if (tf_buf_append_byte(out, *s++))
			return -1;
	}
	return 0;
}

static tufsign_status read_custom(parser *p, char **out)
{
	const unsigned char *start;
	tf_buf canon, a, b;
	tufsign_status st;
	tf_json sub;

	tf_buf_init(&canon);
	tf_buf_init(&a);
	tf_buf_init(&b);
	if (tf_json_null(&p->j))
		return fail(p, "custom data is null, which notary drops");
	start = p->j.p;
	sub = p->j;
	st = tf_json_canon_value(&sub, TUFSIGN_CANON_STRICT, &canon);
	if (st != TUFSIGN_OK)
		goto out;
	p->j.p = sub.p;
	if (compact_escaped(start, (size_t)(p->j.p - start), &a) ||
	    tf_json_put_raw(&b, (const char *)canon.data, canon.len, 1) || canon.failed) {
		st = nomem(p);
		goto out;
	}
	if (a.len != b.len || memcmp(a.data, b.data, a.len) != 0) {
		st = fail(p, "custom data is not in canonical form (sorted keys, raw UTF-8): "
			     "notary would hash it differently than it verifies it");
		goto out;
	}
	*out = tf_meta_strndup(p->doc, (const char *)canon.data, canon.len);
	if (*out == NULL)
		st = nomem(p);
out:
	tf_buf_release(&canon, 0);
	tf_buf_release(&a, 0);
	tf_buf_release(&b, 0);
	return st;
}

typedef struct file_ctx {
	tufsign_file_meta *f;
	unsigned mask;
} file_ctx;

static tufsign_status file_member(parser *p, void *ctx)
{
	file_ctx *c = ctx;
	tufsign_status st;

	if (key_is(p, "custom")) {
		st = seen(p, &c->mask, 1);
		return st ? st : read_custom(p, &c->f->custom);
	}
	if (key_is(p, "hashes")) {
		st = seen(p, &c->mask, 2);
		return st ? st : read_object(p, hash_member, &c->f->hashes);
	}
	if (key_is(p, "length")) {
		st = seen(p, &c->mask, 4);
		return st ? st : tf_json_int(&p->j, 0, &c->f->length);
	}
	return unknown(p);
}

static tufsign_status files_member(parser *p, void *ctx)
{
	int is_meta = ctx != NULL;
	tufsign_file_meta *f;
	file_ctx c = {0};
	tufsign_status st;

	if (tf_meta_reserve_files(p->doc, 1))
		return nomem(p);
	f = &p->doc->files[p->doc->file_count];
	memset(f, 0, sizeof(*f));
	f->name = tf_meta_strndup(p->doc, (const char *)p->key.data, p->key.len);
	if (f->name == NULL)
		return nomem(p);
	c.f = f;
	st = read_object(p, file_member, &c);
	if (st != TUFSIGN_OK)
		return st;
	if (!(c.mask & 2))
		return missing(p, "hashes");
	if (!(c.mask & 4))
		return missing(p, "length");
	if (!f->hashes.has_sha256 && !(f->hashes.has_sha512 && !is_meta))
		return fail(p, "no sha256 hash");
	p->doc->file_count++;
	return TUFSIGN_OK;
}

static tufsign_status read_files(parser *p, int is_meta)
{
	tufsign_status st;

	st = read_object(p, files_member, is_meta ? p : NULL);
	if (st != TUFSIGN_OK)
		return st;
	tf_meta_shrink_files(p->doc);
	return tf_meta_sort_files(p->doc, p->j.path.text, p->j.err);
}

/* ---- keys ---- */

typedef struct key_ctx {
	unsigned mask;
	tufsign_keytype type;
	unsigned char *public;
	size_t public_len;
} key_ctx;

static tufsign_status keyval_member(parser *p, void *ctx)
{
	key_ctx *c = ctx;
	tufsign_status st;

	if (key_is(p, "private")) {
		st = seen(p, &c->mask, 4);
		if (st == TUFSIGN_OK && !tf_json_null(&p->j))
			st = fail(p, "private key material in metadata");
		return st;
	}
	if (key_is(p, "public")) {
		st = seen(p, &c->mask, 8);
		return st ? st : read_base64(p, &c->public, &c->public_len);
	}
	return unknown(p);
}

static tufsign_status key_member(parser *p, void *ctx)
{
	key_ctx *c = ctx;
	tufsign_status st;

	if (key_is(p, "keytype")) {
		st = seen(p, &c->mask, 1);
		if (st == TUFSIGN_OK)
			st = read_string(p);
		if (st != TUFSIGN_OK)
			return st;
		c->type = tufsign_keytype_from_name((const char *)p->str.data);
		if (c->type == TUFSIGN_KEYTYPE_NONE)
			return fail(p, "unsupported keytype \"%.40s\"", (const char *)p->str.data);
		return TUFSIGN_OK;
	}
	if (key_is(p, "keyval")) {
		st = seen(p, &c->mask, 2);
		return st ? st : read_object(p, keyval_member, c);
	}
	return unknown(p);
}

static tufsign_status keys_member(parser *p, void *ctx)
{
	char id[TUFSIGN_KEYID_SIZE];
	tufsign_pubkey key;
	key_ctx c = {0};
	tufsign_status st;

	(void)ctx;
	memset(&key, 0, sizeof(key));
	if (!tf_is_keyid((const char *)p->key.data, p->key.len))
		return fail(p, "invalid key ID \"%.80s\": expected 64 lower-case hex digits",
			    key_text(p));
	memcpy(id, p->key.data, sizeof(id));
	st = read_object(p, key_member, &c);
	if (st == TUFSIGN_OK && (c.mask & 0xf) != 0xf)
		st = missing(p, !(c.mask & 1)   ? "keytype"
				: !(c.mask & 2) ? "keyval"
				: !(c.mask & 4) ? "private"
						: "public");
	if (st == TUFSIGN_OK) {
		st = tufsign_pubkey_init(&key, c.type, c.public, c.public_len, p->j.err);
		if (st != TUFSIGN_OK)
			tufsign_error_locate(p->j.err, p->doc->role, p->j.path.text);
	}
	if (st == TUFSIGN_OK && strcmp(key.id, id) != 0)
		st = tf_json_fail(&p->j, TUFSIGN_ERR_METADATA,
				  "key listed as \"%s\" has key ID \"%s\"", id, key.id);
	if (st == TUFSIGN_OK) {
		st = tf_meta_insert_key(p->doc, &key, p->j.err);
		if (st != TUFSIGN_OK)
			tufsign_error_locate(p->j.err, p->doc->role, p->j.path.text);
	}
	tufsign_pubkey_release(&key);
	free(c.public);
	return st;
}

/* ---- roles ---- */

typedef struct list_ctx {
	char **items;
	size_t count;
	size_t cap;
	int keyids;
} list_ctx;

static tufsign_status list_item(parser *p, void *ctx)
{
	list_ctx *c = ctx;
	char id[TUFSIGN_KEYID_SIZE];
	char **grown;
	tufsign_status st;
	size_t i;

	if (c->count == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 4;
		grown = tf_meta_alloc(p->doc, c->cap * sizeof(char *));
		if (grown == NULL)
			return nomem(p);
		if (c->count)
			memcpy(grown, c->items, c->count * sizeof(char *));
		c->items = grown;
	}
	if (c->keyids) {
		st = read_keyid(p, id);
		for (i = 0; st == TUFSIGN_OK && i < c->count; i++)
			if (strcmp(c->items[i], id) == 0)
				st = fail(p, "key ID \"%s\" is listed twice", id);
		if (st == TUFSIGN_OK) {
			c->items[c->count] = tf_meta_strndup(p->doc, id, TUFSIGN_KEYID_HEX_LEN);
			st = c->items[c->count] ? TUFSIGN_OK : nomem(p);
		}
	} else {
		st = read_arena_string(p, &c->items[c->count]);
	}
	if (st == TUFSIGN_OK)
		c->count++;
	return st;
}

typedef struct role_ctx {
	tufsign_role *r;
	unsigned mask;
	int delegation;
} role_ctx;

static tufsign_status role_member(parser *p, void *ctx)
{
	role_ctx *c = ctx;
	list_ctx list = {0};
	tufsign_status st;

	if (key_is(p, "keyids") || (c->delegation && key_is(p, "paths"))) {
		list.keyids = key_is(p, "keyids");
		st = seen(p, &c->mask, list.keyids ? 1 : 4);
		if (st == TUFSIGN_OK)
			st = read_array(p, list_item, &list);
		if (st != TUFSIGN_OK)
			return st;
		if (!list.keyids && list.count == 0)
			return fail(p, "empty \"paths\", which notary omits");
		if (list.keyids && list.items == NULL)
			list.items = tf_meta_alloc(p->doc, sizeof(char *));
		if (list.keyids) {
			c->r->keyids = list.items;
			c->r->keyid_count = list.count;
		} else {
			c->r->paths = list.items;
			c->r->path_count = list.count;
		}
		return TUFSIGN_OK;
	}
	if (key_is(p, "threshold")) {
		st = seen(p, &c->mask, 2);
		return st ? st : tf_json_int(&p->j, 1, &c->r->threshold);
	}
	if (c->delegation && key_is(p, "name")) {
		st = seen(p, &c->mask, 8);
		return st ? st : read_arena_string(p, &c->r->name);
	}
	return unknown(p);
}

static tufsign_status read_role(parser *p, tufsign_role *r, int delegation)
{
	role_ctx c = {.r = r, .delegation = delegation};
	tufsign_status st = read_object(p, role_member, &c);

	if (st != TUFSIGN_OK)
		return st;
	if (!(c.mask & 1))
		return missing(p, "keyids");
	if (!(c.mask & 2))
		return missing(p, "threshold");
	if (delegation && !(c.mask & 8))
		return missing(p, "name");
	return TUFSIGN_OK;
}

static tufsign_status root_roles_member(parser *p, void *ctx)
{
	tufsign_role *r = tf_meta_append_role(p->doc);

	(void)ctx;
	if (r == NULL)
		return nomem(p);
	r->name = tf_meta_strndup(p->doc, (const char *)p->key.data, p->key.len);
	if (r->name == NULL)
		return nomem(p);
	return read_role(p, r, 0);
}

static tufsign_status delegation_role_item(parser *p, void *ctx)
{
	tufsign_role *r = tf_meta_append_role(p->doc);
	tufsign_status st;
	size_t i;

	(void)ctx;
	if (r == NULL)
		return nomem(p);
	st = read_role(p, r, 1);
	if (st != TUFSIGN_OK)
		return st;
	st = tufsign_meta_check_role_name(r->name, p->j.err);
	if (st != TUFSIGN_OK) {
		tufsign_error_locate(p->j.err, p->doc->role, p->j.path.text);
		return st;
	}
	for (i = 0; i + 1 < p->doc->role_count; i++)
		if (strcmp(p->doc->roles[i].name, r->name) == 0)
			return fail(p, "delegation \"%s\" is listed twice", r->name);
	return TUFSIGN_OK;
}

static tufsign_status delegations_member(parser *p, void *ctx)
{
	unsigned *mask = ctx;
	tufsign_status st;

	if (key_is(p, "keys")) {
		st = seen(p, mask, 1);
		return st ? st : read_object(p, keys_member, NULL);
	}
	if (key_is(p, "roles")) {
		st = seen(p, mask, 2);
		return st ? st : read_array(p, delegation_role_item, NULL);
	}
	return unknown(p);
}

/* ---- signed ---- */

enum {
	M_TYPE = 1,
	M_EXPIRES = 2,
	M_VERSION = 4,
	M_CONSISTENT = 8,
	M_KEYS = 16,
	M_ROLES = 32,
	M_DELEGATIONS = 64,
	M_TARGETS = 128,
	M_META = 256,
};

static tufsign_status read_type(parser *p)
{
	const char *want = tufsign_role_type_name(p->doc->type);
	tufsign_status st = read_string(p);

	if (st != TUFSIGN_OK)
		return st;
	if (strcmp((const char *)p->str.data, want) != 0)
		return tf_json_fail(&p->j, TUFSIGN_ERR_METADATA,
				    "expected _type \"%s\", not \"%.40s\"", want,
				    (const char *)p->str.data);
	return TUFSIGN_OK;
}

static tufsign_status read_expires(parser *p)
{
	tufsign_status st = read_string(p);

	if (st != TUFSIGN_OK)
		return st;
	st = tufsign_time_parse((const char *)p->str.data, p->str.len, &p->doc->expires, p->j.err);
	if (st != TUFSIGN_OK)
		tufsign_error_locate(p->j.err, p->doc->role, p->j.path.text);
	return st;
}

static tufsign_status signed_member(parser *p, void *ctx)
{
	unsigned *mask = ctx, delegations_mask = 0;
	tufsign_role_type type = p->doc->type;
	tufsign_status st;

	if (key_is(p, "_type"))
		return (st = seen(p, mask, M_TYPE)) ? st : read_type(p);
	if (key_is(p, "expires"))
		return (st = seen(p, mask, M_EXPIRES)) ? st : read_expires(p);
	if (key_is(p, "version"))
		return (st = seen(p, mask, M_VERSION)) ? st
						       : tf_json_int(&p->j, 1, &p->doc->version);
	if (type == TUFSIGN_ROLE_ROOT && key_is(p, "consistent_snapshot"))
		return (st = seen(p, mask, M_CONSISTENT))
			       ? st
			       : read_bool(p, &p->doc->consistent_snapshot);
	if (type == TUFSIGN_ROLE_ROOT && key_is(p, "keys"))
		return (st = seen(p, mask, M_KEYS)) ? st : read_object(p, keys_member, NULL);
	if (type == TUFSIGN_ROLE_ROOT && key_is(p, "roles")) {
		st = seen(p, mask, M_ROLES);
		if (st == TUFSIGN_OK)
			st = read_object(p, root_roles_member, NULL);
		return st ? st : tf_meta_sort_roles(p->doc, p->j.err);
	}
	if (type == TUFSIGN_ROLE_TARGETS && key_is(p, "delegations")) {
		st = seen(p, mask, M_DELEGATIONS);
		if (st == TUFSIGN_OK)
			st = read_object(p, delegations_member, &delegations_mask);
		if (st == TUFSIGN_OK && delegations_mask != 3)
			st = missing(p, delegations_mask & 1 ? "roles" : "keys");
		return st;
	}
	if (type == TUFSIGN_ROLE_TARGETS && key_is(p, "targets"))
		return (st = seen(p, mask, M_TARGETS)) ? st : read_files(p, 0);
	if ((type == TUFSIGN_ROLE_SNAPSHOT || type == TUFSIGN_ROLE_TIMESTAMP) && key_is(p, "meta"))
		return (st = seen(p, mask, M_META)) ? st : read_files(p, 1);
	return unknown(p);
}

static tufsign_status read_signed(parser *p)
{
	static const struct {
		unsigned bit;
		const char *name;
	} members[] = {
		{M_TYPE, "_type"},
		{M_EXPIRES, "expires"},
		{M_VERSION, "version"},
		{M_CONSISTENT, "consistent_snapshot"},
		{M_KEYS, "keys"},
		{M_ROLES, "roles"},
		{M_DELEGATIONS, "delegations"},
		{M_TARGETS, "targets"},
		{M_META, "meta"},
	};
	unsigned mask = 0, need = M_TYPE | M_EXPIRES | M_VERSION;
	tufsign_status st;
	size_t i;

	if (p->doc->type == TUFSIGN_ROLE_ROOT)
		need |= M_CONSISTENT | M_KEYS | M_ROLES;
	else if (p->doc->type == TUFSIGN_ROLE_TARGETS)
		need |= M_DELEGATIONS | M_TARGETS;
	else
		need |= M_META;
	st = read_object(p, signed_member, &mask);
	if (st != TUFSIGN_OK)
		return st;
	for (i = 0; i < TF_ARRAY_LEN(members); i++)
		if ((need & members[i].bit) && !(mask & members[i].bit))
			return missing(p, members[i].name);
	return TUFSIGN_OK;
}

/* ---- signatures and the envelope ---- */

typedef struct sig_ctx {
	unsigned mask;
	char keyid[TUFSIGN_KEYID_SIZE];
	char method[24];
	unsigned char *sig;
	size_t sig_len;
} sig_ctx;

static tufsign_status sig_member(parser *p, void *ctx)
{
	sig_ctx *c = ctx;
	tufsign_status st;
	size_t i;

	if (key_is(p, "keyid"))
		return (st = seen(p, &c->mask, 1)) ? st : read_keyid(p, c->keyid);
	if (key_is(p, "sig"))
		return (st = seen(p, &c->mask, 4)) ? st : read_base64(p, &c->sig, &c->sig_len);
	if (!key_is(p, "method"))
		return unknown(p);
	st = seen(p, &c->mask, 2);
	if (st == TUFSIGN_OK)
		st = read_string(p);
	if (st != TUFSIGN_OK)
		return st;
	if (p->str.len == 0 || p->str.len >= sizeof(c->method))
		return fail(p, "invalid signature method \"%.40s\"", (const char *)p->str.data);
	for (i = 0; i < p->str.len; i++)
		if (p->str.data[i] >= 'A' && p->str.data[i] <= 'Z')
			return fail(p,
				    "signature method \"%s\" is not lower case, which notary "
				    "would rewrite",
				    (const char *)p->str.data);
	memcpy(c->method, p->str.data, p->str.len + 1);
	return TUFSIGN_OK;
}

static tufsign_status sig_item(parser *p, void *ctx)
{
	sig_ctx c = {0};
	tufsign_status st;

	(void)ctx;
	st = read_object(p, sig_member, &c);
	if (st == TUFSIGN_OK && c.mask != 7)
		st = missing(p, !(c.mask & 1) ? "keyid" : !(c.mask & 2) ? "method" : "sig");
	if (st != TUFSIGN_OK) {
		free(c.sig);
		return st;
	}
	st = tf_meta_push_signature(p->doc, c.keyid, c.method, c.sig, c.sig_len, p->j.err);
	if (st != TUFSIGN_OK)
		tufsign_error_locate(p->j.err, p->doc->role, p->j.path.text);
	return st;
}

static tufsign_status envelope_member(parser *p, void *ctx)
{
	unsigned *mask = ctx;
	tufsign_status st;

	if (key_is(p, "signed"))
		return (st = seen(p, mask, 1)) ? st : read_signed(p);
	if (key_is(p, "signatures"))
		return (st = seen(p, mask, 2)) ? st : read_array(p, sig_item, NULL);
	return unknown(p);
}

tufsign_status tufsign_meta_parse(const char *role, const unsigned char *data, size_t len,
				  tufsign_meta **out, tufsign_error *err)
{
	parser p;
	unsigned mask = 0;
	tufsign_status st;

	*out = NULL;
	memset(&p, 0, sizeof(p));
	st = tufsign_meta_new(role, &p.doc, err);
	if (st != TUFSIGN_OK)
		return st;
	tf_json_init(&p.j, data, len, err);
	p.j.role = p.doc->role;
	tf_buf_init(&p.key);
	tf_buf_init(&p.str);
	st = read_object(&p, envelope_member, &mask);
	if (st == TUFSIGN_OK)
		st = tf_json_end(&p.j);
	if (st == TUFSIGN_OK && mask != 3)
		st = missing(&p, mask & 1 ? "signatures" : "signed");
	if (st == TUFSIGN_OK)
		st = tufsign_meta_validate(p.doc, err);
	tf_buf_release(&p.key, 0);
	tf_buf_release(&p.str, 0);
	if (st != TUFSIGN_OK) {
		tufsign_error_locate(err, role, NULL);
		tufsign_meta_free(p.doc);
		return st;
	}
	*out = p.doc;
	return TUFSIGN_OK;
}
