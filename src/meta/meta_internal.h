/* Private parts of the role documents shared by the metadata core. */
#ifndef TF_META_INTERNAL_H
#define TF_META_INTERNAL_H

#include "internal.h"
#include "tufsign/metadata.h"

struct tf_arena_chunk;

struct tf_meta_store {
	struct tf_arena_chunk *chunks; /* strings, key ID lists, sha512 digests */
	size_t key_cap;
	size_t role_cap;
	size_t file_cap;
	size_t signature_cap;
};

/* Allocate n bytes (8-byte aligned) that live as long as doc. */
void *tf_meta_alloc(tufsign_meta *doc, size_t n);
/* Copy s[0..n) plus a NUL into doc's arena. */
char *tf_meta_strndup(tufsign_meta *doc, const char *s, size_t n);

/* Grow doc->files so one more entry fits; 0 on success. */
int tf_meta_reserve_files(tufsign_meta *doc, size_t extra);
/* Release the unused capacity of doc->files. */
void tf_meta_shrink_files(tufsign_meta *doc);
/* Append a role entry (zeroed) and return it, or NULL. */
tufsign_role *tf_meta_append_role(tufsign_meta *doc);
/* Insert a copy of key keeping keys sorted; fails on a duplicate ID. */
tufsign_status tf_meta_insert_key(tufsign_meta *doc, const tufsign_pubkey *key, tufsign_error *err);
/* Take ownership of sig (malloc'd) into a new signature entry. */
tufsign_status tf_meta_push_signature(tufsign_meta *doc, const char *keyid, const char *method,
				      unsigned char *sig, size_t sig_len, tufsign_error *err);

/* Sort files by name and reject duplicates (error names role and name). */
tufsign_status tf_meta_sort_files(tufsign_meta *doc, const char *path, tufsign_error *err);
/* Sort root roles by name and reject duplicates. */
tufsign_status tf_meta_sort_roles(tufsign_meta *doc, tufsign_error *err);

/* Write the "signed" object of doc into out, canonical or with the file
 * escaping (html). */
tufsign_status tf_meta_write_signed(const tufsign_meta *doc, int html, tf_buf *out,
				    tufsign_error *err);
/* Write the file bytes of doc, given its signatures. */
tufsign_status tf_meta_write_file(const tufsign_meta *doc, tf_buf *out, tufsign_error *err);

/* Check that s is 64 lower-case hex digits. */
int tf_is_keyid(const char *s, size_t len);
/* Check a string for what notary can re-serialize: valid UTF-8, no control
 * characters. */
int tf_is_clean_string(const char *s, size_t len);

/* Name of entry i of one of a document's sorted arrays (keys, files). */
typedef const char *(*tf_meta_name_at)(const tufsign_meta *doc, size_t i);

/* Binary search of name among entries 0..count-1, sorted by strcmp of
 * name_at. Return its position and set *found to 1, or return the position
 * where it would be inserted and set *found to 0. */
size_t tf_meta_sorted_index(const tufsign_meta *doc, size_t count, tf_meta_name_at name_at,
			    const char *name, int *found);

#endif
