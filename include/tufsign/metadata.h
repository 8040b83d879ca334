/* TUF role documents as notary reads and writes them: root, targets (the
 * top-level role and every delegated "targets/..." role), snapshot and
 * timestamp.
 *
 * A document is a tufsign_meta with public fields. Scalars (version,
 * expires, consistent_snapshot) may be assigned directly; lists are changed
 * through the functions below, which keep their order and ownership rules.
 *
 * Two byte strings come out of a document and they differ:
 *   - the canonical bytes of "signed", which signatures cover;
 *   - the file bytes: {"signed":<signed, with < > & U+2028 U+2029 escaped>,
 *     "signatures":[...]}, exactly what notary-server re-serializes, so
 *     snapshot and timestamp hashes computed over them match. */
#ifndef TUFSIGN_METADATA_H
#define TUFSIGN_METADATA_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "tufsign/error.h"
#include "tufsign/export.h"
#include "tufsign/pubkey.h"
#include "tufsign/signer.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Longest role name notary accepts for a delegation, plus the NUL. */
#define TUFSIGN_ROLE_NAME_SIZE 256

typedef enum tufsign_role_type {
	TUFSIGN_ROLE_NONE = 0,
	TUFSIGN_ROLE_ROOT = 1,      /* _type "Root" */
	TUFSIGN_ROLE_TARGETS = 2,   /* _type "Targets": "targets" and "targets/..." */
	TUFSIGN_ROLE_SNAPSHOT = 3,  /* _type "Snapshot" */
	TUFSIGN_ROLE_TIMESTAMP = 4, /* _type "Timestamp" */
} tufsign_role_type;

/* An RFC 3339 time as notary keeps it. notary re-writes a parsed time with
 * its original offset and with its fraction trimmed of trailing zeros, so
 * both are kept for a byte-exact round trip. Times tufsign writes itself use
 * nanos = 0 and offset_minutes = 0, giving YYYY-MM-DDTHH:MM:SSZ. */
typedef struct tufsign_time {
	int64_t seconds;        /* Unix time (UTC) */
	int32_t nanos;          /* 0 .. 999999999 */
	int32_t offset_minutes; /* offset written after the time; 0 writes "Z" */
} tufsign_time;

/* Buffer size that holds any formatted tufsign_time. */
#define TUFSIGN_TIME_SIZE 40

/* Return the time t in UTC with no fraction. */
TUFSIGN_API tufsign_time tufsign_time_from_unix(time_t t);

/* Parse RFC 3339 text (YYYY-MM-DDTHH:MM:SS[.fraction](Z|+hh:mm|-hh:mm), years
 * 0000-9999, digits beyond nanoseconds truncated) into *out. */
TUFSIGN_API tufsign_status tufsign_time_parse(const char *text, size_t len, tufsign_time *out,
					      tufsign_error *err);

/* Format t as notary writes it into buf (TUFSIGN_TIME_SIZE bytes). Returns
 * TUFSIGN_ERR_INVALID_ARGUMENT when the year is outside 0000-9999. */
TUFSIGN_API tufsign_status tufsign_time_format(const tufsign_time *t, char buf[TUFSIGN_TIME_SIZE],
					       tufsign_error *err);

/* Hashes of a file. Targets may carry sha256, sha512 or both; snapshot and
 * timestamp entries need sha256. */
typedef struct tufsign_hashes {
	int has_sha256;
	int has_sha512;
	unsigned char sha256[32];
	unsigned char *sha512; /* 64 bytes owned by the document, or NULL */
} tufsign_hashes;

/* One entry of "targets" (a target) or of "meta" (a metadata file). Strings
 * and sha512 belong to the document. */
typedef struct tufsign_file_meta {
	char *name;     /* target name, or role name in snapshot/timestamp meta */
	int64_t length; /* bytes, 0 .. 2^53-1 */
	tufsign_hashes hashes;
	char *custom; /* canonical JSON text of "custom", or NULL when absent */
} tufsign_file_meta;

/* A role: an entry of root "roles" (name "root", "targets", "snapshot",
 * "timestamp", or another name root tolerates) or of targets
 * "delegations.roles" (name "targets/..."). Strings belong to the document. */
typedef struct tufsign_role {
	char *name;
	char **keyids; /* lower-case hex key IDs, in document order */
	size_t keyid_count;
	int64_t threshold;
	char **paths; /* delegations only; prefix matches; omitted when empty */
	size_t path_count;
} tufsign_role;

/* One entry of "signatures". */
typedef struct tufsign_signature {
	char keyid[TUFSIGN_KEYID_SIZE];
	char method[24];    /* "ecdsa", "rsapss", "eddsa", ... lower case */
	unsigned char *sig; /* decoded signature, owned by the document */
	size_t sig_len;
} tufsign_signature;

typedef struct tf_meta_store tf_meta_store;

/* A role document. Members that do not apply to type are empty. */
typedef struct tufsign_meta {
	tufsign_role_type type;
	char role[TUFSIGN_ROLE_NAME_SIZE]; /* "root", "targets", "targets/x", ... */
	int64_t version;                   /* >= 1 */
	tufsign_time expires;

	int consistent_snapshot; /* root; notary writes false */

	/* root "keys", or targets "delegations.keys"; sorted by id, unique */
	tufsign_pubkey *keys;
	size_t key_count;
	/* root "roles" sorted by name, or "delegations.roles" in document order */
	tufsign_role *roles;
	size_t role_count;

	/* targets "targets", or snapshot/timestamp "meta"; sorted by name
	 * byte-wise, unique */
	tufsign_file_meta *files;
	size_t file_count;

	tufsign_signature *signatures; /* in file order */
	size_t signature_count;

	tf_meta_store *store; /* private: allocation arena and capacities */
} tufsign_meta;

/* Return "Root", "Targets", "Snapshot", "Timestamp", or "" for NONE. */
TUFSIGN_API const char *tufsign_role_type_name(tufsign_role_type type);

/* Return the document type of a role name: "root", "targets",
 * "targets/<name>", "snapshot", "timestamp"; NONE for anything else. Does not
 * check the delegation name rules (see tufsign_meta_check_role_name). */
TUFSIGN_API tufsign_role_type tufsign_role_type_of(const char *role);

/* Check a delegation name: "targets/" followed by [-a-z0-9_/] only, at most
 * 255 characters, no empty segment, no "." or ".." segment, no trailing '/'. */
TUFSIGN_API tufsign_status tufsign_meta_check_role_name(const char *role, tufsign_error *err);

/* Create an empty document for role (its type follows from the name), with
 * version 1 and expires 0. The caller frees *out with tufsign_meta_free(). */
TUFSIGN_API tufsign_status tufsign_meta_new(const char *role, tufsign_meta **out,
					    tufsign_error *err);

/* Free doc and everything it owns. NULL is accepted. */
TUFSIGN_API void tufsign_meta_free(tufsign_meta *doc);

/* Parse the file bytes of role (e.g. "targets/releases") into a new document.
 * Rejects, with role, JSON path and value in err: invalid JSON, duplicate
 * keys, members other than notary's, a wrong _type, missing members, numbers
 * that are not plain integers in 0 .. 2^53-1 (version >= 1, threshold >= 1),
 * strings with control characters, invalid UTF-8 or lone surrogates, bad
 * base64, hashes of the wrong size, key IDs that do not match their key,
 * invalid delegation names, and "custom" data that is not already canonical.
 * Signatures are parsed, not verified. The caller frees *out. */
TUFSIGN_API tufsign_status tufsign_meta_parse(const char *role, const unsigned char *data,
					      size_t len, tufsign_meta **out, tufsign_error *err);

/* Check a built document before signing: the rules tufsign_meta_parse
 * applies, plus for root the four base roles with threshold >= 1 and key IDs
 * listed in keys, and for delegations direct children of doc->role. */
TUFSIGN_API tufsign_status tufsign_meta_validate(const tufsign_meta *doc, tufsign_error *err);

/* Serialize the canonical bytes of "signed" (what is signed). *out is
 * malloc'd and NUL-terminated; the caller frees it. */
TUFSIGN_API tufsign_status tufsign_meta_canonical(const tufsign_meta *doc, char **out,
						  size_t *out_len, tufsign_error *err);

/* Serialize the file bytes with doc->signatures. *out is malloc'd and
 * NUL-terminated; the caller frees it. */
TUFSIGN_API tufsign_status tufsign_meta_file_bytes(const tufsign_meta *doc, char **out,
						   size_t *out_len, tufsign_error *err);

/* Sizes and digests of file bytes, for snapshot and timestamp entries. */
typedef struct tufsign_digest {
	int64_t length;
	unsigned char sha256[32];
	unsigned char sha512[64];
} tufsign_digest;

/* Compute length, SHA-256 and SHA-512 of data. */
TUFSIGN_API tufsign_status tufsign_digest_compute(const unsigned char *data, size_t len,
						  tufsign_digest *out, tufsign_error *err);

/* A key that signs: the signer and the key as the document's key holder
 * lists it. key may be NULL, meaning the plain key of signer->spki; for an
 * x509 root key pass the certificate key so the signature carries its ID. */
typedef struct tufsign_signing_key {
	const tufsign_signer *signer;
	const tufsign_pubkey *key;
} tufsign_signing_key;

/* Validate doc, compute its canonical bytes and sign them with each key
 * (scheme from the signer's algo: ECDSA_SHA256, RSA_PSS_SHA256 or ED25519).
 * Each new signature is checked against its key's public key before it is
 * kept; a signer whose public key differs from key fails. The new signatures
 * replace every signature of doc, in the order of keys.
 * file, file_len and digest are optional (NULL): on success they receive the
 * file bytes (malloc'd, the caller frees them) and their digest. */
TUFSIGN_API tufsign_status tufsign_meta_sign(tufsign_meta *doc, const tufsign_signing_key *keys,
					     size_t key_count, char **file, size_t *file_len,
					     tufsign_digest *digest, tufsign_error *err);

/* Append a signature made elsewhere (copied). */
TUFSIGN_API tufsign_status tufsign_meta_add_signature(tufsign_meta *doc, const char *keyid,
						      const char *method, const unsigned char *sig,
						      size_t sig_len, tufsign_error *err);

/* Drop every signature. */
TUFSIGN_API void tufsign_meta_clear_signatures(tufsign_meta *doc);

/* Insert or replace target name in a targets document, keeping files sorted.
 * sha256 and sha512 are optional (NULL) but one is required. custom is JSON
 * text or NULL; it is canonicalized in TUFSIGN_CANON_STRICT mode and stored
 * canonical. All inputs are copied. */
TUFSIGN_API tufsign_status tufsign_meta_set_target(tufsign_meta *doc, const char *name,
						   int64_t length, const unsigned char *sha256,
						   const unsigned char *sha512, const char *custom,
						   tufsign_error *err);

/* Remove target name; TUFSIGN_ERR_TAG_NOT_FOUND when absent. */
TUFSIGN_API tufsign_status tufsign_meta_remove_target(tufsign_meta *doc, const char *name,
						      tufsign_error *err);

/* Insert or replace the snapshot/timestamp "meta" entry name from the
 * digest of its file bytes; with_sha512 = 0 writes sha256 only. */
TUFSIGN_API tufsign_status tufsign_meta_set_file(tufsign_meta *doc, const char *name,
						 const tufsign_digest *digest, int with_sha512,
						 tufsign_error *err);

/* Remove the "meta" entry name; TUFSIGN_ERR_NOT_FOUND when absent. */
TUFSIGN_API tufsign_status tufsign_meta_remove_file(tufsign_meta *doc, const char *name,
						    tufsign_error *err);

/* Return the entry of files named name, or NULL. Borrowed from doc. */
TUFSIGN_API const tufsign_file_meta *tufsign_meta_find_file(const tufsign_meta *doc,
							    const char *name);

/* Add a copy of key to root keys or delegations.keys; an existing key with
 * the same ID is kept as is. */
TUFSIGN_API tufsign_status tufsign_meta_add_key(tufsign_meta *doc, const tufsign_pubkey *key,
						tufsign_error *err);

/* Remove the key with ID id; TUFSIGN_ERR_KEY_NOT_FOUND when absent. Roles
 * still listing it are not changed. */
TUFSIGN_API tufsign_status tufsign_meta_remove_key(tufsign_meta *doc, const char *id,
						   tufsign_error *err);

/* Return the key with ID id, or NULL. Borrowed from doc. */
TUFSIGN_API const tufsign_pubkey *tufsign_meta_find_key(const tufsign_meta *doc, const char *id);

/* Insert or replace role name. In root it is an entry of the sorted roles
 * map. In targets it is a delegation: a new one is appended and a replaced
 * one keeps its place. keyids and paths are copied. paths applies to
 * delegations only, and path_count 0 omits "paths". */
TUFSIGN_API tufsign_status tufsign_meta_set_role(tufsign_meta *doc, const char *name,
						 const char *const *keyids, size_t keyid_count,
						 int64_t threshold, const char *const *paths,
						 size_t path_count, tufsign_error *err);

/* Remove role name; TUFSIGN_ERR_NOT_FOUND when absent. */
TUFSIGN_API tufsign_status tufsign_meta_remove_role(tufsign_meta *doc, const char *name,
						    tufsign_error *err);

/* Return role name, or NULL. Borrowed from doc. */
TUFSIGN_API const tufsign_role *tufsign_meta_find_role(const tufsign_meta *doc, const char *name);

#ifdef __cplusplus
}
#endif

#endif
