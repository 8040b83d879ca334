/* Creation, ownership and editing of role documents. */
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/sha.h>

#include "meta_internal.h"
#include "tufsign/json.h"

struct tf_arena_chunk {
	struct tf_arena_chunk *next;
	size_t used;
	size_t size;
	max_align_t data[];
};

/* Small enough that a small document wastes little, large enough that a
 * targets document of 100,000 entries needs only a few hundred chunks. */
#define ARENA_CHUNK 16384

void *tf_meta_alloc(tufsign_meta *doc, size_t n)
{
	struct tf_arena_chunk *c = doc->store->chunks;
	size_t size;
	void *p;

	n = (n + 7) & ~(size_t)7;
	if (c == NULL || c->size - c->used < n) {
		size = n > ARENA_CHUNK / 4 ? n : ARENA_CHUNK;
		c = malloc(sizeof(*c) + size);
		if (c == NULL)
			return NULL;
		c->used = 0;
		c->size = size;
		if (n > ARENA_CHUNK / 4 && doc->store->chunks != NULL) {
			/* a large block goes behind the current chunk so the
			 * current chunk's free space stays usable */
			c->next = doc->store->chunks->next;
			doc->store->chunks->next = c;
		} else {
			c->next = doc->store->chunks;
			doc->store->chunks = c;
		}
	}
	p = (unsigned char *)c->data + c->used;
	c->used += n;
	return p;
}

char *tf_meta_strndup(tufsign_meta *doc, const char *s, size_t n)
{
	char *p = tf_meta_alloc(doc, n + 1);

	if (p == NULL)
		return NULL;
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

static int grow(void **array, size_t *cap, size_t need, size_t elem)
{
	size_t n = *cap ? *cap : 4;
	void *p;

	if (need <= *cap)
		return 0;
	while (n < need)
		n *= 2;
	p = realloc(*array, n * elem);
	if (p == NULL)
		return -1;
	*array = p;
	*cap = n;
	return 0;
}

int tf_meta_reserve_files(tufsign_meta *doc, size_t extra)
{
	return grow((void **)&doc->files, &doc->store->file_cap, doc->file_count + extra,
		    sizeof(*doc->files));
}

void tf_meta_shrink_files(tufsign_meta *doc)
{
	tufsign_file_meta *p;

	if (doc->file_count == 0 || doc->file_count == doc->store->file_cap)
		return;
	p = realloc(doc->files, doc->file_count * sizeof(*doc->files));
	if (p == NULL)
		return;
	doc->files = p;
	doc->store->file_cap = doc->file_count;
}

tufsign_role *tf_meta_append_role(tufsign_meta *doc)
{
	tufsign_role *r;

	if (grow((void **)&doc->roles, &doc->store->role_cap, doc->role_count + 1,
		 sizeof(*doc->roles)))
		return NULL;
	r = &doc->roles[doc->role_count++];
	memset(r, 0, sizeof(*r));
	return r;
}

size_t tf_meta_sorted_index(const tufsign_meta *doc, size_t count, tf_meta_name_at name_at,
			    const char *name, int *found)
{
	size_t lo = 0, hi = count, mid;
	int c;

	*found = 0;
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		c = strcmp(name_at(doc, mid), name);
		if (c == 0) {
			*found = 1;
			return mid;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static const char *key_id_at(const tufsign_meta *doc, size_t i)
{
	return doc->keys[i].id;
}

static size_t key_index(const tufsign_meta *doc, const char *id, int *found)
{
	return tf_meta_sorted_index(doc, doc->key_count, key_id_at, id, found);
}

tufsign_status tf_meta_insert_key(tufsign_meta *doc, const tufsign_pubkey *key, tufsign_error *err)
{
	tufsign_pubkey copy;
	size_t at;
	int found;
	tufsign_status st;

	at = key_index(doc, key->id, &found);
	if (found)
		return tufsign_error_set(err, TUFSIGN_ERR_METADATA, "key '%s' is listed twice",
					 key->id);
	if (grow((void **)&doc->keys, &doc->store->key_cap, doc->key_count + 1, sizeof(*doc->keys)))
		return tufsign_error_set(err, TUFSIGN_ERR_NOMEM, "out of memory");
	st = tufsign_pubkey_copy(&copy, key, err);
	if (st != TUFSIGN_OK)
		return st;
	memmove(&doc->keys[at + 1], &doc->keys[at], (doc->key_count - at) * sizeof(*doc->keys));
	doc->keys[at] = copy;
	doc->key_count++;
	return TUFSIGN_OK;
}

tufsign_status tf_meta_push_signature(tufsign_meta *doc, const char *keyid, const char *method,
				      unsigned char *sig, size_t sig_len, tufsign_error *err)
{
	tufsign_signature *s;

	if (strlen(method) >= sizeof(s->method) || strlen(keyid) >= sizeof(s->keyid)) {
		free(sig);
		return tufsign_error_set(err, TUFSIGN_ERR_METADATA,
					 "signature key ID '%s' or method '%s' is too long", keyid,
					 method);
	}
	if (grow((void **)&doc->signatures, &doc->store->signature_cap, doc->signature_count + 1,
		 sizeof(*doc->signatures))) {
		free(sig);
		return tufsign_error_set(err, TUFSIGN_ERR_NOMEM, "out of memory");
	}
	s = &doc->signatures[doc->signature_count++];
	memset(s, 0, sizeof(*s));
	memcpy(s->keyid, keyid, strlen(keyid) + 1);
	memcpy(s->method, method, strlen(method) + 1);
	s->sig = sig;
	s->sig_len = sig_len;
	return TUFSIGN_OK;
}

static int file_cmp(const void *a, const void *b)
{
	return strcmp(((const tufsign_file_meta *)a)->name, ((const tufsign_file_meta *)b)->name);
}

tufsign_status tf_meta_sort_files(tufsign_meta *doc, const char *path, tufsign_error *err)
{
	size_t i;

	/* Files written by notary or tufsign are already in order, which keeps
	 * parsing linear in the number of entries. */
	for (i = 1; i < doc->file_count; i++)
		if (strcmp(doc->files[i - 1].name, doc->files[i].name) >= 0)
			break;
	if (i >= doc->file_count)
		return TUFSIGN_OK;
	qsort(doc->files, doc->file_count, sizeof(*doc->files), file_cmp);
	for (i = 1; i < doc->file_count; i++) {
		if (strcmp(doc->files[i - 1].name, doc->files[i].name) == 0) {
			tufsign_error_set(err, TUFSIGN_ERR_METADATA, "duplicate key \"%s\"",
					  doc->files[i].name);
			tufsign_error_locate(err, doc->role, path);
			return TUFSIGN_ERR_METADATA;
		}
	}
	return TUFSIGN_OK;
}

static int role_cmp(const void *a, const void *b)
{
	return strcmp(((const tufsign_role *)a)->name, ((const tufsign_role *)b)->name);
}

tufsign_status tf_meta_sort_roles(tufsign_meta *doc, tufsign_error *err)
{
	size_t i;

	if (doc->role_count > 1)
		qsort(doc->roles, doc->role_count, sizeof(*doc->roles), role_cmp);
	for (i = 1; i < doc->role_count; i++) {
		if (strcmp(doc->roles[i - 1].name, doc->roles[i].name) == 0) {
			tufsign_error_set(err, TUFSIGN_ERR_METADATA, "duplicate key \"%s\"",
					  doc->roles[i].name);
			tufsign_error_locate(err, doc->role, "signed.roles");
			return TUFSIGN_ERR_METADATA;
		}
	}
	return TUFSIGN_OK;
}

const char *tufsign_role_type_name(tufsign_role_type type)
{
	switch (type) {
	case TUFSIGN_ROLE_ROOT:
		return "Root";
	case TUFSIGN_ROLE_TARGETS:
		return "Targets";
	case TUFSIGN_ROLE_SNAPSHOT:
		return "Snapshot";
	case TUFSIGN_ROLE_TIMESTAMP:
		return "Timestamp";
	default:
		return "";
	}
}

tufsign_role_type tufsign_role_type_of(const char *role)
{
	if (role == NULL)
		return TUFSIGN_ROLE_NONE;
	if (strcmp(role, "root") == 0)
		return TUFSIGN_ROLE_ROOT;
	if (strcmp(role, "targets") == 0 || strncmp(role, "targets/", 8) == 0)
		return TUFSIGN_ROLE_TARGETS;
	if (strcmp(role, "snapshot") == 0)
		return TUFSIGN_ROLE_SNAPSHOT;
	if (strcmp(role, "timestamp") == 0)
		return TUFSIGN_ROLE_TIMESTAMP;
	return TUFSIGN_ROLE_NONE;
}

tufsign_status tufsign_meta_check_role_name(const char *role, tufsign_error *err)
{
	const char *s, *seg;
	size_t len = role ? strlen(role) : 0;

	if (role == NULL || strncmp(role, "targets/", 8) != 0 || len == 8)
		return tufsign_error_set(err, TUFSIGN_ERR_METADATA,
					 "invalid delegation name '%s': it must start with "
					 "'targets/' and name a role",
					 role ? role : "");
	if (len > 255)
		return tufsign_error_set(err, TUFSIGN_ERR_METADATA,
					 "invalid delegation name '%.40s...': longer than 255 "
					 "characters",
					 role);
	for (s = role; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '-' ||
		      *s == '_' || *s == '/'))
			return tufsign_error_set(err, TUFSIGN_ERR_METADATA,
						 "invalid delegation name '%s': only a-z, 0-9, "
						 "'-', '_' and '/' are allowed",
						 role);
	for (seg = role + 8;; seg = s + 1) {
		s = strchr(seg, '/');
		len = s ? (size_t)(s - seg) : strlen(seg);
		if (len == 0 || (len == 1 && seg[0] == '.') ||
		    (len == 2 && seg[0] == '.' && seg[1] == '.'))
			return tufsign_error_set(err, TUFSIGN_ERR_METADATA,
						 "invalid delegation name '%s': empty, '.' or "
						 "'..' segment or trailing '/'",
						 role);
		if (s == NULL)
			break;
	}
	return TUFSIGN_OK;
}

tufsign_status tufsign_meta_new(const char *role, tufsign_meta **out, tufsign_error *err)
{
	tufsign_role_type type = tufsign_role_type_of(role);
	tufsign_meta *doc = NULL;
	tufsign_status st;

	*out = NULL;
	if (type == TUFSIGN_ROLE_NONE)
		return tufsign_error_set(err, TUFSIGN_ERR_INVALID_ARGUMENT,
					 "unknown role '%s': expected root, targets, "
					 "targets/<name>, snapshot or timestamp",
					 role ? role : "");
	if (strncmp(role, "targets/", 8) == 0) {
		st = tufsign_meta_check_role_name(role, err);
		if (st != TUFSIGN_OK)
			return st;
	}
	doc = calloc(1, sizeof(*doc));
	if (doc != NULL)
		doc->store = calloc(1, sizeof(*doc->store));
	if (doc == NULL || doc->store == NULL) {
		free(doc);
		return tufsign_error_set(err, TUFSIGN_ERR_NOMEM, "out of memory");
	}
	doc->type = type;
	memcpy(doc->role, role, strlen(role) + 1);
	doc->version = 1;
	*out = doc;
	return TUFSIGN_OK;
}

void tufsign_meta_clear_signatures(tufsign_meta *doc)
{
	size_t i;

	if (doc == NULL)
		return;
	for (i = 0; i < doc->signature_count; i++)
		free(doc->signatures[i].sig);
	doc->signature_count = 0;
}

void tufsign_meta_free(tufsign_meta *doc)
{
	struct tf_arena_chunk *c, *next;
	size_t i;

	if (doc == NULL)
		return;
	tufsign_meta_clear_signatures(doc);
	free(doc->signatures);
	for (i = 0; i < doc->key_count; i++)
		tufsign_pubkey_release(&doc->keys[i]);
	free(doc->keys);
	free(doc->roles);
	free(doc->files);
	for (c = doc->store->chunks; c != NULL; c = next) {
		next = c->next;
		free(c);
	}
	free(doc->store);
	free(doc);
}

tufsign_status tufsign_meta_add_signature(tufsign_meta *doc, const char *keyid, const char *method,
					  const unsigned char *sig, size_t sig_len,
					  tufsign_error *err)
{
	unsigned char *copy = malloc(sig_len ? sig_len : 1);

	if (copy == NULL)
		return tufsign_error_set(err, TUFSIGN_ERR_NOMEM, "out of memory");
	if (sig_len > 0)
		memcpy(copy, sig, sig_len);
	return tf_meta_push_signature(doc, keyid, method, copy, sig_len, err);
}

tufsign_status tufsign_digest_compute(const unsigned char *data, size_t len, tufsign_digest *out,
				      tufsign_error *err)
{
	memset(out, 0, sizeof(*out));
	if (len > (size_t)9007199254740991ULL)
		return tufsign_error_set(err, TUFSIGN_ERR_INVALID_ARGUMENT, "file too large");
	SHA256(data, len, out->sha256);
	SHA512(data, len, out->sha512);
	out->length = (int64_t)len;
	return TUFSIGN_OK;
}
