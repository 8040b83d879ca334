/* Verification of role documents as notary's client and server do it:
 * signature thresholds over distinct key IDs, the root's self-signature and
 * certificate checks, root rotation, and the chain timestamp -> snapshot ->
 * targets -> delegations from a pinned root.
 *
 * Every function takes "now" as a parameter so expiry can be tested. */
#ifndef TUFSIGN_VERIFY_H
#define TUFSIGN_VERIFY_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "tufsign/error.h"
#include "tufsign/export.h"
#include "tufsign/metadata.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Extract the raw "signed" value of file bytes and canonicalize it the way
 * notary's verifier does (TUFSIGN_CANON_VERIFIER). *msg is malloc'd and
 * NUL-terminated; the caller frees it. */
TUFSIGN_API tufsign_status tufsign_verify_message(const unsigned char *file, size_t file_len,
						  char **msg, size_t *msg_len, tufsign_error *err);

/* Count the signatures of doc over msg (NULL: the canonical bytes of doc)
 * that are valid under role's keys, taken from keys/key_count. Each key ID
 * counts once. A signature whose key ID is not in role is skipped; a listed
 * key whose ID does not match the key aborts. Succeeds when at least
 * role->threshold (>= 1) distinct key IDs have a valid signature, otherwise
 * TUFSIGN_ERR_SIGNATURE. *valid (optional) receives the count. */
TUFSIGN_API tufsign_status tufsign_verify_threshold(const tufsign_meta *doc, const char *msg,
						    size_t msg_len, const tufsign_pubkey *keys,
						    size_t key_count, const tufsign_role *role,
						    size_t *valid, tufsign_error *err);

/* Verify doc as role doc->role against the document that delegates it:
 * root for "root", "targets", "snapshot", "timestamp"; the parent targets
 * document for "targets/...". msg as in tufsign_verify_threshold. Expiry is
 * checked against now (0 skips the check). */
TUFSIGN_API tufsign_status tufsign_verify_role(const tufsign_meta *doc, const char *msg,
					       size_t msg_len, const tufsign_meta *delegator,
					       time_t now, tufsign_error *err);

/* Check a root the way notary trusts it on first use. Every root key
 * certificate must pass tufsign_cert_check_root() for gun, expiry included.
 * The keys are rebuilt from the re-encoded certificates, and a threshold of
 * roles.root must sign the root. The root itself must not be expired. */
TUFSIGN_API tufsign_status tufsign_verify_root(const tufsign_meta *root, const char *msg,
					       size_t msg_len, const char *gun, time_t now,
					       tufsign_error *err);

/* Check new_root as the successor of trusted_root: version exactly
 * trusted_root->version + 1, signed by a threshold of the trusted root's
 * root certificate keys (certificate expiry not checked), and valid by
 * tufsign_verify_root(). */
TUFSIGN_API tufsign_status tufsign_verify_root_rotation(const tufsign_meta *trusted_root,
							const tufsign_meta *new_root,
							const char *msg, size_t msg_len,
							const char *gun, time_t now,
							tufsign_error *err);

/* File bytes of one role, borrowed for the call. */
typedef struct tufsign_role_file {
	const char *role; /* "root", "timestamp", "targets/releases", ... */
	const unsigned char *data;
	size_t len;
} tufsign_role_file;

/* A verified repository state. Every document is owned by the chain. */
typedef struct tufsign_chain {
	tufsign_meta *root;
	tufsign_meta *timestamp;
	tufsign_meta *snapshot;
	tufsign_meta *targets;
	tufsign_meta **delegations; /* parents before children */
	size_t delegation_count;
} tufsign_chain;

/* What tufsign_verify_chain() checks. Data is borrowed for the call. */
typedef struct tufsign_chain_input {
	const char *gun;
	time_t now;
	/* File bytes of the pinned root, trusted as is (its self-signature
	 * and certificates are still checked, its expiry only when no newer
	 * root follows). */
	const unsigned char *trusted_root;
	size_t trusted_root_len;
	/* Newer roots in ascending order, each exactly one version above the
	 * one before; may be empty. The last one is the current root. */
	const tufsign_role_file *roots;
	size_t root_count;
	const tufsign_role_file *timestamp;
	const tufsign_role_file *snapshot;
	const tufsign_role_file *targets;
	/* Delegated targets files in any order; each must be listed in the
	 * snapshot and delegated by a verified parent. Snapshot entries
	 * without a file here are not checked. */
	const tufsign_role_file *delegations;
	size_t delegation_count;
	/* A state verified earlier: no version may be lower than its
	 * version of the same role. NULL when there is none. */
	const tufsign_chain *previous;
} tufsign_chain_input;

/* Verify a repository state from the pinned root, in this order:
 * - the root chain;
 * - the timestamp, with root's timestamp keys;
 * - the snapshot, with length and hashes from the timestamp and root's
 *   snapshot keys;
 * - the current root file against the snapshot's "root" entry, if any;
 * - targets, with hashes from the snapshot and root's targets keys;
 * - delegations, with hashes from the snapshot and their parent's keys.
 * Every document must be unexpired at in->now, and no version may go back
 * relative to in->previous. On success *out is a new chain that the caller
 * frees with tufsign_chain_free(). */
TUFSIGN_API tufsign_status tufsign_verify_chain(const tufsign_chain_input *in, tufsign_chain **out,
						tufsign_error *err);

/* Return the document of role in chain, or NULL. Borrowed from chain. */
TUFSIGN_API const tufsign_meta *tufsign_chain_find(const tufsign_chain *chain, const char *role);

/* Days before its expiry from which tufsign reports a role as expiring. */
#define TUFSIGN_EXPIRY_WARNING_DAYS 180

/* A role whose document expires soon, and when. */
typedef struct tufsign_expiring {
	char role[TUFSIGN_ROLE_NAME_SIZE];
	tufsign_time expires;
} tufsign_expiring;

/* Find the documents of chain that expire before the Unix time `before`, in
 * the order root, snapshot, targets, then the delegations in chain order.
 * The timestamp is left out, because the server re-signs it every few
 * days. Up to max of them are written to out (which may be NULL when max is
 * 0); the return value counts them all and may exceed max. */
TUFSIGN_API size_t tufsign_chain_expiring(const tufsign_chain *chain, int64_t before,
					  tufsign_expiring *out, size_t max);

/* Free chain and its documents. NULL is accepted. */
TUFSIGN_API void tufsign_chain_free(tufsign_chain *chain);

#ifdef __cplusplus
}
#endif

#endif
