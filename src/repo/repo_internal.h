/* Shared internals of the repository operations: fetching and verifying
 * the state of a GUN, key matching and trust cache updates. */
#ifndef TF_REPO_INTERNAL_H
#define TF_REPO_INTERNAL_H

#include <time.h>

#include "tufsign/repo.h"

/* Log component of the repository operations. */
#define TF_REPO_LOG "repo"

/* Expiry of the roles tufsign signs, in years from now; notary's defaults. */
#define TF_ROOT_EXPIRY_YEARS     10
#define TF_TARGETS_EXPIRY_YEARS  3
#define TF_SNAPSHOT_EXPIRY_YEARS 3

/* File bytes of one role as downloaded. */
typedef struct tf_role_bytes {
	char *role;
	unsigned char *data;
	size_t len;
} tf_role_bytes;

/* A verified state and the exact bytes it was verified from. */
typedef struct tf_repo_state {
	tufsign_chain *chain;
	tf_role_bytes root; /* the current root */
	tf_role_bytes timestamp;
	tf_role_bytes snapshot;
	tf_role_bytes targets;
	tf_role_bytes *delegations;
	size_t delegation_count;
	int first_use;    /* no root was pinned before */
	int root_rotated; /* the server's root is newer than the pinned one */
} tf_repo_state;

/* Fetch the current metadata of gun and verify it from the root pinned in
 * txn (or, when none is, the server's root checked against pin). Nothing is
 * staged in txn. *out is cleared on entry; release it with
 * tf_repo_state_free(). */
tufsign_status tf_repo_fetch(tufsign_notary *client, tufsign_trust_txn *txn, const char *gun,
			     const tufsign_repo_pin *pin, tf_repo_state **out, tufsign_error *err);

void tf_repo_state_free(tf_repo_state *state);

/* Confirm an upload cheaply: download the timestamp and the snapshot it
 * lists, and when that snapshot covers exactly the uploaded targets bytes
 * (digest), verify the state made of them, the targets bytes (moved from
 * *targets) and the root and delegations of base (moved from base). *out
 * stays NULL, with TUFSIGN_OK, when the snapshot lists other targets bytes
 * (a later publish) or the root changed during the run; the caller then
 * fetches everything with tf_repo_fetch(). */
tufsign_status tf_repo_fetch_uploaded(tufsign_notary *client, tufsign_trust_txn *txn,
				      const char *gun, tf_repo_state *base, tf_role_bytes *targets,
				      const tufsign_digest *digest, tf_repo_state **out,
				      tufsign_error *err);

/* Replace the cached files of the GUN with those of state and commit. A
 * delegation that the snapshot lists but state left out keeps its cached
 * file, so its version stays the rollback floor. */
tufsign_status tf_repo_save(tufsign_trust_txn *txn, const tf_repo_state *state, tufsign_error *err);

/* Check the context and GUN every public operation receives. */
tufsign_status tf_repo_check_call(const tufsign_repo_context *ctx, const char *gun,
				  tufsign_error *err);

/* Begin the trust cache transaction of gun for ctx. */
tufsign_status tf_repo_begin(const tufsign_repo_context *ctx, const char *gun,
			     tufsign_trust_txn **txn, tufsign_error *err);

/* Check that pin names one of root's root keys. */
tufsign_status tf_repo_check_pin(const tufsign_meta *root, const tufsign_repo_pin *pin,
				 tufsign_error *err);

/* Write the key IDs role lists in doc into buf as "a, b" for messages, each
 * followed by " (canonical C)" when its plain key ID C differs. */
void tf_repo_describe_keys(const tufsign_meta *doc, const tufsign_role *role, char *buf,
			   size_t size);

/* Find the key of root that role (e.g. "targets") lists for signer: the key
 * ID of the signer's public key, or a certificate key whose public key is
 * the signer's. *listed borrows from root. Fails with a message naming
 * both key IDs when the signer is not a key of the role. */
tufsign_status tf_repo_match_key(const tufsign_meta *root, const char *gun, const char *role,
				 const tufsign_signer *signer, const tufsign_pubkey **listed,
				 tufsign_error *err);

/* Compute the key ID of signer's plain public key into id. */
tufsign_status tf_repo_signer_id(const tufsign_signer *signer, char id[TUFSIGN_KEYID_SIZE],
				 tufsign_error *err);

/* Copy the first root key ID root lists into id ("" when none). */
void tf_repo_first_root_key(const tufsign_meta *root, char id[TUFSIGN_KEYID_SIZE]);

/* Return now plus years calendar years, in UTC. */
tufsign_time tf_repo_expiry(time_t now, int years);

/* After a rejected upload (status st) that carried no snapshot, explain a
 * rejection about the snapshot: the snapshot key may be ours, not the
 * server's. Returns st. */
tufsign_status tf_repo_snapshot_hint(tufsign_status st, int had_snapshot, tufsign_error *err);

/* Record in result the roles of chain that expire within
 * ctx->expiry_warning_days of now. */
void tf_repo_note_expiring(const tufsign_repo_context *ctx, const tufsign_chain *chain,
			   tufsign_publish_result *result);

/* Hex of a SHA-256 digest into out (65 bytes). */
void tf_repo_sha256_hex(const unsigned char sha256[32], char out[65]);

#endif
