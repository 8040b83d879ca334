/* Repository operations on a Notary server: create a repository, add,
 * replace or remove targets and publish them, and read the verified state
 * of a GUN. Also the checks of user input (GUNs, tags, digests, sizes,
 * targets files) that every front end needs before it signs anything. */
#ifndef TUFSIGN_REPO_H
#define TUFSIGN_REPO_H

#include <stddef.h>
#include <stdint.h>

#include "tufsign/error.h"
#include "tufsign/export.h"
#include "tufsign/notary.h"
#include "tufsign/pubkey.h"
#include "tufsign/signer.h"
#include "tufsign/trust_cache.h"
#include "tufsign/verify.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Largest target length accepted: notary re-parses every number as an IEEE
 * double, so integers of 2^53 and above would be rounded before the
 * signature check. */
#define TUFSIGN_MAX_TARGET_LENGTH ((uint64_t)1 << 53)

/* Maximum length of a GUN, in bytes. */
#define TUFSIGN_MAX_GUN_LENGTH 255

/* Maximum length of a target name, in bytes. */
#define TUFSIGN_MAX_TARGET_NAME_LENGTH 1024

/* One change to the targets of a repository. */
typedef struct tufsign_target_change {
	char *name;               /* target name, usually an image tag; owned */
	int remove;               /* 1: remove name; the fields below are ignored */
	unsigned char sha256[32]; /* digest of the manifest */
	uint64_t length;          /* size of the manifest in bytes */
	char *custom;             /* JSON text of the "custom" member, or NULL; owned */
} tufsign_target_change;

/* Check that gun is a repository name tufsign can publish: at most
 * TUFSIGN_MAX_GUN_LENGTH bytes of '/'-separated components, the first
 * optionally a registry host with a port, the others lower-case [a-z0-9]
 * runs joined by '.', '_', '__' or dashes. Returns TUFSIGN_OK or
 * TUFSIGN_ERR_INVALID_ARGUMENT with a message naming the value and the fix. */
TUFSIGN_API tufsign_status tufsign_repo_check_gun(const char *gun, tufsign_error *err);

/* Check that name can be a target name: 1 to TUFSIGN_MAX_TARGET_NAME_LENGTH
 * bytes of valid UTF-8 without control characters (U+0000 to U+001F), which
 * notary-server cannot store. */
TUFSIGN_API tufsign_status tufsign_repo_check_target_name(const char *name, tufsign_error *err);

/* Parse "sha256:" followed by 64 lower-case hex digits into out. */
TUFSIGN_API tufsign_status tufsign_repo_parse_digest(const char *text, unsigned char out[32],
						     tufsign_error *err);

/* Parse a decimal byte count below TUFSIGN_MAX_TARGET_LENGTH; no sign, no
 * spaces, no leading zeros except "0" itself. */
TUFSIGN_API tufsign_status tufsign_repo_parse_size(const char *text, uint64_t *out,
						   tufsign_error *err);

/* Parse the lines of a targets file: "TAG sha256:HEX SIZE", with fields
 * separated by blanks. The tag is everything before the last two fields, so
 * it may contain inner spaces. Empty lines and lines starting with '#' are skipped.
 * On success *changes is a malloc'd array of *count entries that the caller
 * releases with tufsign_target_changes_free(). A bad line fails the whole
 * file with a message naming path and line number. */
TUFSIGN_API tufsign_status tufsign_repo_parse_targets(const char *path, const char *text,
						      size_t len, tufsign_target_change **changes,
						      size_t *count, tufsign_error *err);

/* Release the strings of count changes and the array itself; NULL is accepted. */
TUFSIGN_API void tufsign_target_changes_free(tufsign_target_change *changes, size_t count);

/* Root to require when a GUN is used for the first time (no root in the
 * trust cache yet) instead of trusting whatever the server holds. With a
 * cached root the pin must still name one of its root keys. Both members
 * are optional and borrowed. */
typedef struct tufsign_repo_pin {
	/* Key ID of a root key, as root.json lists it (the certificate key ID
	 * that docker shows) or the canonical ID of its public key. */
	const char *root_key_id;
	/* PEM text of a root certificate; its key ID must be a root key. */
	const char *root_cert_pem;
	size_t root_cert_len;
} tufsign_repo_pin;

/* What a repository operation needs besides its own arguments. client and
 * cache are borrowed and used from this thread only. */
typedef struct tufsign_repo_context {
	tufsign_notary *client;
	tufsign_trust_cache *cache;
	const tufsign_repo_pin *pin; /* NULL: trust on first use */
	long lock_timeout_ms;        /* 0 picks TUFSIGN_TRUST_LOCK_TIMEOUT_MS */
	/* Roles that expire within this many days are reported in a publish
	 * result; 0 picks TUFSIGN_EXPIRY_WARNING_DAYS, a negative value
	 * reports none. */
	int expiry_warning_days;
} tufsign_repo_context;

/* A verified state of a GUN: the metadata the server holds, checked from
 * the pinned root. */
typedef struct tufsign_repo tufsign_repo;

/* One signed target as clients see it. Everything is owned by the repo. */
typedef struct tufsign_repo_target {
	const char *name;
	const char *role; /* "targets" or the delegation that signed it */
	int has_sha256;
	const unsigned char *sha256; /* 32 bytes when has_sha256 */
	int64_t length;
	const char *custom; /* canonical JSON, or NULL */
} tufsign_repo_target;

/* Fetch the metadata of gun and verify it from the pinned root. On first
 * use the server's root is trusted, or checked against ctx->pin when set.
 * Verified are the root chain (N.root.json walked on rotation), timestamp,
 * snapshot, targets and delegations: signatures, hashes, lengths, expiry,
 * and versions never lower than the cached ones. The verified state is then written to the trust
 * cache. *out is cleared on entry and set on success; free it with tufsign_repo_free().
 * TUFSIGN_ERR_REPO_NOT_FOUND when the server has no such repository, and
 * TUFSIGN_ERR_NOT_FOUND when a repository in the trust cache is no longer
 * on the server. TUFSIGN_ERR_UNTRUSTED when the server's root is not signed by the
 * pinned root, as after the repository was deleted and created again with
 * another root key (TUFSIGN_ERR_ROLLBACK when that root is also older). */
TUFSIGN_API tufsign_status tufsign_repo_open(const tufsign_repo_context *ctx, const char *gun,
					     tufsign_repo **out, tufsign_error *err);

/* Free the state; NULL is accepted. */
TUFSIGN_API void tufsign_repo_free(tufsign_repo *repo);

/* Return the verified documents; owned by repo. */
TUFSIGN_API const tufsign_chain *tufsign_repo_chain(const tufsign_repo *repo);

/* Return 1 when this run pinned the root for the first time. */
TUFSIGN_API int tufsign_repo_first_use(const tufsign_repo *repo);

/* Return the targets clients accept: those of "targets" and of every
 * verified delegation that lie within the delegation's paths, sorted by
 * name, then role. *list is owned by repo. */
TUFSIGN_API size_t tufsign_repo_targets(const tufsign_repo *repo, const tufsign_repo_target **list);

/* Return the entry of name that a Docker client uses (targets/releases
 * first, then targets, then other delegations), or NULL. Owned by repo. */
TUFSIGN_API const tufsign_repo_target *tufsign_repo_lookup(const tufsign_repo *repo,
							   const char *name);

/* Keys and choices for tufsign_repo_init(). Signers are borrowed. */
typedef struct tufsign_init_options {
	const tufsign_signer *root;    /* ECDSA or RSA; gets a certificate with CN = GUN */
	const tufsign_signer *targets; /* any algorithm */
	/* NULL: the server holds the snapshot key (what docker does); else
	 * tufsign signs the snapshot with it. */
	const tufsign_signer *snapshot;
} tufsign_init_options;

/* Outcome of tufsign_repo_init(). */
typedef struct tufsign_init_result {
	int created; /* 0: the repository existed with our root key already */
	char root_key_id[TUFSIGN_KEYID_SIZE];       /* certificate key ID root.json lists */
	char root_canonical_id[TUFSIGN_KEYID_SIZE]; /* ID of the plain root public key */
	char targets_key_id[TUFSIGN_KEYID_SIZE];
	char snapshot_key_id[TUFSIGN_KEYID_SIZE];
	char timestamp_key_id[TUFSIGN_KEYID_SIZE];
	int server_snapshot; /* 1: the server signs the snapshot */
} tufsign_init_result;

/* Create gun on the server: a root certificate for opts->root (CN = gun),
 * the server's timestamp key and, unless opts->snapshot is set, its
 * snapshot key (each fetched once, because each request mints a new key
 * while no root exists), root and targets version 1, one upload, then a
 * check that the server's snapshot covers exactly the uploaded bytes. The
 * trust cache is written only after that check. When gun exists and its
 * root lists our root key, result->created is 0 and TUFSIGN_OK is
 * returned; with another root key, TUFSIGN_ERR_EXISTS. */
TUFSIGN_API tufsign_status tufsign_repo_init(const tufsign_repo_context *ctx, const char *gun,
					     const tufsign_init_options *opts,
					     tufsign_init_result *result, tufsign_error *err);

/* Default number of publish attempts when another publisher keeps winning. */
#define TUFSIGN_PUBLISH_ATTEMPTS 8

/* Keys and limits for tufsign_repo_publish(). Signers are borrowed. */
typedef struct tufsign_publish_options {
	const tufsign_signer *targets;  /* must be a key root lists for targets */
	const tufsign_signer *snapshot; /* NULL when the server holds the snapshot key */
	unsigned max_attempts;          /* 0 picks TUFSIGN_PUBLISH_ATTEMPTS */
	long backoff_ms;                /* first delay after a conflict; 0 picks 200 */
} tufsign_publish_options;

/* Outcome of tufsign_repo_publish(). */
/* Most delegation roles one tufsign_repo_publish_delegations() signs. */
#define TUFSIGN_MAX_SIGN_ROLES 8

/* Most expiring roles a publish result records. */
#define TUFSIGN_MAX_EXPIRING 16

/* A role signed by a publish and its version now current on the server. */
typedef struct tufsign_role_version {
	char name[TUFSIGN_ROLE_NAME_SIZE];
	int64_t version;
} tufsign_role_version;

typedef struct tufsign_publish_result {
	int published;           /* 0: every change was already on the server */
	int first_use;           /* the root was pinned in this run */
	unsigned attempts;       /* uploads tried, 1 without conflicts */
	int64_t targets_version; /* version now current on the server */
	int64_t snapshot_version;
	int64_t timestamp_version;
	char targets_key_id[TUFSIGN_KEYID_SIZE];
	char root_key_id[TUFSIGN_KEYID_SIZE]; /* first root key ID root.json lists */
	/* tufsign_repo_publish_delegations(): each role given, in that order;
	 * role_count is 0 after the other calls. */
	tufsign_role_version roles[TUFSIGN_MAX_SIGN_ROLES];
	size_t role_count;
	/* Roles of the state now on the server that expire within the
	 * context's expiry_warning_days and need signing again before then
	 * (see tufsign_chain_expiring()). expiring_count counts them all and
	 * may exceed TUFSIGN_MAX_EXPIRING, the number recorded. */
	tufsign_expiring expiring[TUFSIGN_MAX_EXPIRING];
	size_t expiring_count;
} tufsign_publish_result;

/* Apply changes to the targets of gun and publish them: fetch and verify
 * the current state, check that opts->targets (and opts->snapshot) is the
 * key root lists for its role, set or remove each target, sign targets
 * (version + 1, expiry in 3 years) and the snapshot when its key is ours,
 * upload the changed files in one request, and confirm the change on the
 * server. When another publisher wins the race (TUFSIGN_ERR_CONFLICT from
 * the server), the state is fetched again and the changes re-applied, with
 * a growing delay, up to opts->max_attempts uploads. The trust cache is
 * written only after the change is confirmed on the server. A removal of a
 * target that does not exist fails with TUFSIGN_ERR_TAG_NOT_FOUND before
 * anything is signed. */
TUFSIGN_API tufsign_status tufsign_repo_publish(const tufsign_repo_context *ctx, const char *gun,
						const tufsign_target_change *changes,
						size_t change_count,
						const tufsign_publish_options *opts,
						tufsign_publish_result *result, tufsign_error *err);

/* Check a delegation signer name as docker accepts it: ^[a-z0-9][a-z0-9_-]*$,
 * at most 247 bytes so "targets/" + name fits, and not "releases", which
 * names the role every signer shares. */
TUFSIGN_API tufsign_status tufsign_repo_check_signer_name(const char *name, tufsign_error *err);

/* Build the key a delegation lists for a signer on a token: an
 * "ecdsa-x509" or "rsa-x509" key holding a self-signed certificate made
 * through signer with CN = name, or the plain "ed25519" key for Ed25519
 * signers (notary cannot use Ed25519 certificates). The caller releases
 * *out. */
TUFSIGN_API tufsign_status tufsign_repo_signer_key(const tufsign_signer *signer, const char *name,
						   tufsign_pubkey *out, tufsign_error *err);

/* Build the key a delegation lists from PEM text: a CERTIFICATE (leaf
 * first, any CA certificates after it) gives "ecdsa-x509" or "rsa-x509",
 * a PUBLIC KEY gives the plain "ecdsa", "rsa" or "ed25519" key, as
 * "docker trust signer add" reads them. The caller releases *out. */
TUFSIGN_API tufsign_status tufsign_repo_signer_key_from_pem(const char *pem, size_t len,
							    tufsign_pubkey *out,
							    tufsign_error *err);

/* Keys and values of a delegation change. Everything is borrowed. */
typedef struct tufsign_delegation_options {
	const tufsign_signer *targets;  /* must be a key root lists for targets */
	const tufsign_signer *snapshot; /* NULL when the server holds the snapshot key */
	const char *name;               /* signer name: the role is targets/<name> */
	const tufsign_pubkey *keys;     /* add: the signer's keys (at least one) */
	size_t key_count;
	const char *const *paths; /* add: path prefixes; NULL picks [""], every tag */
	size_t path_count;
	/* add: NULL, or key_count entries the caller owns; each gets the key ID
	 * targets/<name> lists for that key, which is an earlier certificate's
	 * ID when the role already held the same public key. */
	char (*listed_ids)[TUFSIGN_KEYID_SIZE];
} tufsign_delegation_options;

/* Add signer opts->name the way "docker trust signer add" does: the role
 * targets/<name> with opts->keys, opts->paths and threshold 1, and the same
 * keys appended to targets/releases (created with paths [""] and threshold
 * 1 when absent); targets is re-signed with opts->targets and published
 * like tufsign_repo_publish() does, retrying lost races. A signer that
 * already exists gets the new keys added and its paths replaced. No
 * delegation file is uploaded: the roles appear in the snapshot once a
 * signer signs into them. result->published is 0 when nothing changed. */
TUFSIGN_API tufsign_status tufsign_repo_delegation_add(const tufsign_repo_context *ctx,
						       const char *gun,
						       const tufsign_delegation_options *opts,
						       tufsign_publish_result *result,
						       tufsign_error *err);

/* Remove signer opts->name the way "docker trust signer remove" does: the
 * role targets/<name> goes, and its keys leave targets/releases unless
 * another signer still lists them; targets/releases itself is removed when
 * no key is left. TUFSIGN_ERR_INVALID_ARGUMENT when targets has no such
 * role.
 * opts->keys and opts->paths are ignored. */
TUFSIGN_API tufsign_status tufsign_repo_delegation_remove(const tufsign_repo_context *ctx,
							  const char *gun,
							  const tufsign_delegation_options *opts,
							  tufsign_publish_result *result,
							  tufsign_error *err);

/* Apply changes to each of the delegation roles (direct children of
 * targets, e.g. "targets/releases" and "targets/alice") and publish them in
 * one upload: each role must list opts->targets (here the delegation key)
 * among its keys, else TUFSIGN_ERR_KEY_NOT_FOUND naming both key IDs;
 * each tag must lie within the role's paths. A role without a file yet
 * starts at version 1. The server's snapshot (or opts->snapshot) then
 * covers the new files; the change is confirmed before the trust cache is
 * written. result->targets_version is the version of roles[0]. */
TUFSIGN_API tufsign_status tufsign_repo_publish_delegations(
	const tufsign_repo_context *ctx, const char *gun, const char *const *roles,
	size_t role_count, const tufsign_target_change *changes, size_t change_count,
	const tufsign_publish_options *opts, tufsign_publish_result *result, tufsign_error *err);

/* Outcome of tufsign_repo_rotate_root(). */
typedef struct tufsign_rotate_result {
	int64_t root_version; /* the new root's version */
	char old_root_key_id[TUFSIGN_KEYID_SIZE];
	char new_root_key_id[TUFSIGN_KEYID_SIZE];       /* certificate key ID root.json lists */
	char new_root_canonical_id[TUFSIGN_KEYID_SIZE]; /* ID of the plain new public key */
	int64_t snapshot_version;
	int64_t timestamp_version;
} tufsign_rotate_result;

/* Keys of tufsign_repo_rotate_root(). Signers are borrowed. */
typedef struct tufsign_rotate_options {
	const tufsign_signer *old_root; /* a root key of the current root */
	const tufsign_signer *new_root; /* ECDSA or RSA; gets a certificate with CN = GUN */
	const tufsign_signer *snapshot; /* NULL when the server holds the snapshot key */
} tufsign_rotate_options;

/* Replace the root key of gun: a certificate for opts->new_root, root
 * version current + 1 listing it as the only root key, signed by the old
 * and the new root key, uploaded alone (with a snapshot covering it when
 * opts->snapshot is set). The state is then fetched again from the trusted
 * root, walking to the new one as every client does, and only then written
 * to the trust cache. */
TUFSIGN_API tufsign_status tufsign_repo_rotate_root(const tufsign_repo_context *ctx,
						    const char *gun,
						    const tufsign_rotate_options *opts,
						    tufsign_rotate_result *result,
						    tufsign_error *err);

/* Key of a role other than root to replace with tufsign_repo_rotate_key().
 * Signers are borrowed. */
typedef struct tufsign_key_rotate_options {
	const char *role;           /* "targets", "snapshot" or "timestamp" */
	const tufsign_signer *root; /* a root key of the current root; signs the new root */
	/* targets: the new targets key (required). snapshot: the new snapshot
	 * key, which signs the snapshot locally from now on, or NULL with
	 * server_managed. timestamp: must be NULL. */
	const tufsign_signer *new_key;
	/* snapshot, timestamp: 1 makes the server create the new key
	 * (POST <role>.key); it then signs the role. */
	int server_managed;
	/* The current snapshot key when the snapshot is signed locally and a
	 * targets or timestamp rotation needs a new snapshot; else NULL. */
	const tufsign_signer *snapshot;
} tufsign_key_rotate_options;

/* Outcome of tufsign_repo_rotate_key(). */
typedef struct tufsign_key_rotate_result {
	char role[TUFSIGN_ROLE_NAME_SIZE];
	int rotated;             /* 0: root already listed only the new key; nothing changed */
	int64_t root_version;    /* the new root's version */
	int64_t targets_version; /* targets rotation: the re-signed targets version, else 0 */
	char old_key_id[TUFSIGN_KEYID_SIZE]; /* the first key the old root listed for role */
	char new_key_id[TUFSIGN_KEYID_SIZE]; /* the only key the new root lists for role */
	int server_managed;                  /* 1: the new key is on the server */
	int64_t snapshot_version;
	int64_t timestamp_version;
} tufsign_key_rotate_result;

/* Replace the key of opts->role in gun, as "notary key rotate GUN ROLE"
 * does. The new root (version current + 1) lists only the new key for the
 * role, drops the old keys no other role lists, and is signed by
 * opts->root. For targets, targets.json is re-signed with the new key
 * (version + 1, delegations and targets unchanged) and uploaded with the
 * root in one request. For server_managed, the server creates the new key
 * only after the current root was verified and opts->root matched it.
 * When the snapshot is signed locally, a new snapshot covering the upload
 * is signed with opts->snapshot, or with opts->new_key for a snapshot
 * rotation to a local key. The upload is then confirmed on the server and
 * only then written to the trust cache. Errors: TUFSIGN_ERR_INVALID_ARGUMENT
 * for a bad combination of options or a new key that is already the
 * role's key, TUFSIGN_ERR_KEY_NOT_FOUND when opts->root is not a root key,
 * and those of tufsign_repo_publish(). */
TUFSIGN_API tufsign_status tufsign_repo_rotate_key(const tufsign_repo_context *ctx, const char *gun,
						   const tufsign_key_rotate_options *opts,
						   tufsign_key_rotate_result *result,
						   tufsign_error *err);

#ifdef __cplusplus
}
#endif

#endif
