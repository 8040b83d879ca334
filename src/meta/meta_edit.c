/* Editing of targets, metadata entries, keys and roles of a document. */
#include <stdlib.h>
#include <string.h>

#include "json_scan.h"
#include "meta_internal.h"

static const char *file_name_at(const tufsign_meta *doc, size_t i)
{
	return doc->files[i].name;
}

static size_t file_index(const tufsign_meta *doc, const char *name, int *found)
{
	return tf_meta_sorted_index(doc, doc->file_count, file_name_at, name, found);
}

const tufsign_file_meta *tufsign_meta_find_file(const tufsign_meta *doc, const char *name)
{
	size_t at;
	int found;

	if (doc == NULL || name == NULL)
		return NULL;
	at = file_index(doc, name, &found);
	return found ? &doc->files[at] : NULL;
}

/* Insert entry at its sorted place, replacing an entry of the same name. */
static tufsign_status put_file(tufsign_meta *doc, const tufsign_file_meta *entry,
			       tufsign_error *err)
{
	size_t at;
	int found;

	at = file_index(doc, entry->name, &found);
	if (found) {
		doc->files[at] = *entry;
		return TUFSIGN_OK;
	}
	if (tf_meta_reserve_files(doc, 1))
		return tufsign_error_set(err, TUFSIGN_ERR_NOMEM, "out of memory");
	memmove(&doc->files[at + 1], &doc->files[at], (doc->file_count - at) * sizeof(*doc->files));
	doc->files[at] = *entry;
	doc->file_count++;
	return TUFSIGN_OK;
}

static tufsign_status check_name(const tufsign_meta *doc, const char *what, const char *name,
				 tufsign_error *err)
{
	if (name == NULL || !tf_is_clean_string(name, strlen(name)))
		return tufsign_error_set(err, TUFSIGN_ERR_INVALID_ARGUMENT,
					 "invalid %s name in '%s': it must be UTF-8 without "
					 "control characters",
					 what, doc->role);
	return TUFSIGN_OK;
}

static tufsign_status canonical_custom(tufsign_meta *doc, const char *custom, char **out,
				       tufsign_error *err)
{
	char *canon = NULL;
	size_t len = 0;
	tufsign_status st;

	*out = NULL;
	if (custom == NULL)
		return TUFSIGN_OK;
	st = tufsign_json_canonicalize(custom, strlen(custom), TUFSIGN_CANON_STRICT, &canon, &len,
				       err);
	if (st != TUFSIGN_OK)
		return st;
	if (strcmp(canon, "null") == 0) {
		free(canon);
		return tufsign_error_set(err, TUFSIGN_ERR_INVALID_ARGUMENT,
					 "custom data null would be dropped by notary; pass no "
					 "custom data instead");
	}
	*out = tf_meta_strndup(doc, canon, len);
	free(canon);
	return *out ? TUFSIGN_OK : tufsign_error_set(err, TUFSIGN_ERR_NOMEM, "out of memory");
}

tufsign_status tufsign_meta_set_target(tufsign_meta *doc, const char *name, int64_t length,
				       const unsigned char *sha256, const unsigned char *sha512,
				       const char *custom, tufsign_error *err)
{
	tufsign_file_meta entry;
	tufsign_status st;

	memset(&entry, 0, sizeof(entry));
	if (doc->type != TUFSIGN_ROLE_TARGETS)
		return tufsign_error_set(err, TUFSIGN_ERR_INVALID_ARGUMENT,
					 "'%s' is not a targets role", doc->role);
	st = check_name(doc, "target", name, err);
	if (st != TUFSIGN_OK)
		return st;
	if (length < 0 || length > TF_JSON_MAX_INT || (sha256 == NULL && sha512 == NULL))
		return tufsign_error_set(err, TUFSIGN_ERR_INVALID_ARGUMENT,
					 "invalid target '%s': it needs a length in 0..2^53-1 "
					 "and a sha256 or sha512 hash",
					 name);
	st = canonical_custom(doc, custom, &entry.custom, err);
	if (st != TUFSIGN_OK)
		return st;
	entry.name = tf_meta_strndup(doc, name, strlen(name));
	entry.length = length;
	if (sha256 != NULL) {
		entry.hashes.has_sha256 = 1;
		memcpy(entry.hashes.sha256, sha256, 32);
	}
	if (sha512 != NULL) {
		entry.hashes.has_sha512 = 1;
		entry.hashes.sha512 = tf_meta_alloc(doc, 64);
		if (entry.hashes.sha512 != NULL)
			memcpy(entry.hashes.sha512, sha512, 64);
	}
	if (entry.name == NULL || (sha512 != NULL && entry.hashes.sha512 == NULL))
		return tufsign_error_set(err, TUFSIGN_ERR_NOMEM, "out of memory");
	return put_file(doc, &entry, err);
}

static tufsign_status remove_file(tufsign_meta *doc, const char *name, tufsign_status missing,
				  const char *what, tufsign_error *err)
{
	size_t at;
	int found;

	at = file_index(doc, name, &found);
	if (!found)
		return tufsign_error_set(err, missing, "%s '%s' is not in '%s'", what, name,
					 doc->role);
	memmove(&doc->files[at], &doc->files[at + 1],
		(doc->file_count - at - 1) * sizeof(*doc->files));
	doc->file_count--;
	return TUFSIGN_OK;
}

tufsign_status tufsign_meta_remove_target(tufsign_meta *doc, const char *name, tufsign_error *err)
{
	return remove_file(doc, name, TUFSIGN_ERR_TAG_NOT_FOUND, "target", err);
}

tufsign_status tufsign_meta_set_file(tufsign_meta *doc, const char *name,
				     const tufsign_digest *digest, int with_sha512,
				     tufsign_error *err)
{
	tufsign_file_meta entry;
	tufsign_status st;

	memset(&entry, 0, sizeof(entry));
	if (doc->type != TUFSIGN_ROLE_SNAPSHOT && doc->type != TUFSIGN_ROLE_TIMESTAMP)
		return tufsign_error_set(err, TUFSIGN_ERR_INVALID_ARGUMENT,
					 "'%s' has no meta entries", doc->role);
	st = check_name(doc, "metadata", name, err);
	if (st != TUFSIGN_OK)
		return st;
	entry.name = tf_meta_strndup(doc, name, strlen(name));
	entry.length = digest->length;
	entry.hashes.has_sha256 = 1;
	memcpy(entry.hashes.sha256, digest->sha256, 32);
	if (with_sha512) {
		entry.hashes.has_sha512 = 1;
		entry.hashes.sha512 = tf_meta_alloc(doc, 64);
		if (entry.hashes.sha512 != NULL)
			memcpy(entry.hashes.sha512, digest->sha512, 64);
	}
	if (entry.name == NULL || (with_sha512 && entry.hashes.sha512 == NULL))
		return tufsign_error_set(err, TUFSIGN_ERR_NOMEM, "out of memory");
	return put_file(doc, &entry, err);
}

tufsign_status tufsign_meta_remove_file(tufsign_meta *doc, const char *name, tufsign_error *err)
{
	return remove_file(doc, name, TUFSIGN_ERR_NOT_FOUND, "metadata entry", err);
}

const tufsign_pubkey *tufsign_meta_find_key(const tufsign_meta *doc, const char *id)
{
	size_t i;

	if (doc == NULL || id == NULL)
		return NULL;
	for (i = 0; i < doc->key_count; i++)
		if (strcmp(doc->keys[i].id, id) == 0)
			return &doc->keys[i];
	return NULL;
}

tufsign_status tufsign_meta_add_key(tufsign_meta *doc, const tufsign_pubkey *key,
				    tufsign_error *err)
{
	if (doc->type != TUFSIGN_ROLE_ROOT && doc->type != TUFSIGN_ROLE_TARGETS)
		return tufsign_error_set(err, TUFSIGN_ERR_INVALID_ARGUMENT,
					 "'%s' does not list keys", doc->role);
	if (tufsign_meta_find_key(doc, key->id) != NULL)
		return TUFSIGN_OK;
	return tf_meta_insert_key(doc, key, err);
}

tufsign_status tufsign_meta_remove_key(tufsign_meta *doc, const char *id, tufsign_error *err)
{
	size_t i;

	for (i = 0; i < doc->key_count; i++) {
		if (strcmp(doc->keys[i].id, id) != 0)
			continue;
		tufsign_pubkey_release(&doc->keys[i]);
		memmove(&doc->keys[i], &doc->keys[i + 1],
			(doc->key_count - i - 1) * sizeof(*doc->keys));
		doc->key_count--;
		return TUFSIGN_OK;
	}
	return tufsign_error_set(err, TUFSIGN_ERR_KEY_NOT_FOUND, "key '%s' is not in '%s'", id,
				 doc->role);
}

const tufsign_role *tufsign_meta_find_role(const tufsign_meta *doc, const char *name)
{
	size_t i;

	if (doc == NULL || name == NULL)
		return NULL;
	for (i = 0; i < doc->role_count; i++)
		if (strcmp(doc->roles[i].name, name) == 0)
			return &doc->roles[i];
	return NULL;
}

static char **copy_strings(tufsign_meta *doc, const char *const *src, size_t n)
{
	char **dst = tf_meta_alloc(doc, (n ? n : 1) * sizeof(char *));
	size_t i;

	if (dst == NULL)
		return NULL;
	for (i = 0; i < n; i++) {
		dst[i] = tf_meta_strndup(doc, src[i], strlen(src[i]));
		if (dst[i] == NULL)
			return NULL;
	}
	return dst;
}

static tufsign_status check_role_input(const tufsign_meta *doc, const char *name,
				       const char *const *keyids, size_t keyid_count,
				       int64_t threshold, size_t path_count, tufsign_error *err)
{
	size_t i;

	if (doc->type != TUFSIGN_ROLE_ROOT && doc->type != TUFSIGN_ROLE_TARGETS)
		return tufsign_error_set(err, TUFSIGN_ERR_INVALID_ARGUMENT,
					 "'%s' does not list roles", doc->role);
	if (doc->type == TUFSIGN_ROLE_TARGETS) {
		tufsign_status st = tufsign_meta_check_role_name(name, err);

		if (st != TUFSIGN_OK)
			return st;
	} else if (name == NULL || !tf_is_clean_string(name, strlen(name)) || path_count > 0) {
		return tufsign_error_set(err, TUFSIGN_ERR_INVALID_ARGUMENT,
					 "invalid root role '%s'", name ? name : "");
	}
	if (threshold < 1 || threshold > TF_JSON_MAX_INT)
		return tufsign_error_set(err, TUFSIGN_ERR_INVALID_ARGUMENT,
					 "invalid threshold %lld for role '%s': it must be at "
					 "least 1",
					 (long long)threshold, name);
	for (i = 0; i < keyid_count; i++)
		if (keyids[i] == NULL || !tf_is_keyid(keyids[i], strlen(keyids[i])))
			return tufsign_error_set(err, TUFSIGN_ERR_INVALID_ARGUMENT,
						 "invalid key ID '%s' for role '%s'",
						 keyids[i] ? keyids[i] : "", name);
	return TUFSIGN_OK;
}

tufsign_status tufsign_meta_set_role(tufsign_meta *doc, const char *name, const char *const *keyids,
				     size_t keyid_count, int64_t threshold,
				     const char *const *paths, size_t path_count,
				     tufsign_error *err)
{
	tufsign_role role, *slot;
	tufsign_status st;
	size_t i;

	st = check_role_input(doc, name, keyids, keyid_count, threshold, path_count, err);
	if (st != TUFSIGN_OK)
		return st;
	for (i = 0; i < path_count; i++)
		if (paths[i] == NULL || !tf_is_clean_string(paths[i], strlen(paths[i])))
			return tufsign_error_set(err, TUFSIGN_ERR_INVALID_ARGUMENT,
						 "invalid path for role '%s'", name);
	memset(&role, 0, sizeof(role));
	role.name = tf_meta_strndup(doc, name, strlen(name));
	role.keyids = copy_strings(doc, keyids, keyid_count);
	role.keyid_count = keyid_count;
	role.threshold = threshold;
	role.paths = path_count ? copy_strings(doc, paths, path_count) : NULL;
	role.path_count = path_count;
	if (role.name == NULL || role.keyids == NULL || (path_count && role.paths == NULL))
		return tufsign_error_set(err, TUFSIGN_ERR_NOMEM, "out of memory");
	slot = (tufsign_role *)tufsign_meta_find_role(doc, name);
	if (slot == NULL) {
		slot = tf_meta_append_role(doc);
		if (slot == NULL)
			return tufsign_error_set(err, TUFSIGN_ERR_NOMEM, "out of memory");
	}
	*slot = role;
	if (doc->type == TUFSIGN_ROLE_ROOT)
		return tf_meta_sort_roles(doc, err);
	return TUFSIGN_OK;
}

tufsign_status tufsign_meta_remove_role(tufsign_meta *doc, const char *name, tufsign_error *err)
{
	size_t i;

	for (i = 0; i < doc->role_count; i++) {
		if (strcmp(doc->roles[i].name, name) != 0)
			continue;
		memmove(&doc->roles[i], &doc->roles[i + 1],
			(doc->role_count - i - 1) * sizeof(*doc->roles));
		doc->role_count--;
		return TUFSIGN_OK;
	}
	return tufsign_error_set(err, TUFSIGN_ERR_NOT_FOUND, "role '%s' is not in '%s'", name,
				 doc->role);
}

int tf_is_keyid(const char *s, size_t len)
{
	size_t i;

	if (len != TUFSIGN_KEYID_HEX_LEN)
		return 0;
	for (i = 0; i < len; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return 1;
}

int tf_is_clean_string(const char *s, size_t len)
{
	tf_json j;
	tf_buf quoted, out;
	unsigned flags = 0;
	int ok;

	/* Reuse the decoder: quote s and decode it, which flags control
	 * characters and invalid UTF-8 exactly as the parser does. */
	tf_buf_init(&quoted);
	tf_buf_init(&out);
	if (memchr(s, '"', len) == NULL && memchr(s, '\\', len) == NULL) {
		tf_buf_append_byte(&quoted, '"');
		tf_buf_append(&quoted, s, len);
		tf_buf_append_byte(&quoted, '"');
	} else {
		tf_json_put_string(&quoted, s, len, 0);
	}
	tf_json_init(&j, quoted.data, quoted.len, NULL);
	ok = !quoted.failed && tf_json_string(&j, &out, &flags) == TUFSIGN_OK && flags == 0;
	tf_buf_release(&quoted, 0);
	tf_buf_release(&out, 0);
	return ok;
}
