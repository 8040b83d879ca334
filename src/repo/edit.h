/* A change to role documents other than the plain targets update:
 * delegations, delegated targets and root. One loop fetches and verifies
 * the state, lets the operation change and sign documents, signs the
 * snapshot when its key is ours, uploads the files in one request,
 * confirms them on the server and only then writes the trust cache. */
#ifndef TF_REPO_EDIT_H
#define TF_REPO_EDIT_H

#include "repo_internal.h"

/* Most files one change uploads: every delegation of one sign, plus the
 * snapshot. */
#define TF_EDIT_MAX_FILES 9

typedef struct tf_edit_job tf_edit_job;

/* Change and sign documents of job->state->chain, handing each signed file
 * to tf_edit_sign(). *changed is 0 when the change is already in place. */
typedef tufsign_status (*tf_edit_fn)(tf_edit_job *job, int *changed, tufsign_error *err);

struct tf_edit_job {
	/* Set by the caller. */
	const tufsign_repo_context *ctx;
	const char *gun;
	const tufsign_signer *snapshot; /* NULL when the server signs it */
	const tufsign_signer *signer;   /* reported as result->targets_key_id */
	const char *report_role;        /* role whose version is targets_version */
	const char *const *roles;       /* NULL, or roles reported in result->roles */
	size_t role_count;
	tf_edit_fn edit;
	const void *arg;
	/* Built by each attempt. */
	tufsign_trust_txn *txn;
	tf_repo_state *state;
	tufsign_notary_file files[TF_EDIT_MAX_FILES];
	char *data[TF_EDIT_MAX_FILES];
	tufsign_digest digests[TF_EDIT_MAX_FILES];
	size_t file_count;
};

/* Clear job and set the members the caller provides. */
void tf_edit_init(tf_edit_job *job, const tufsign_repo_context *ctx, const char *gun,
		  const tufsign_signer *signer, const tufsign_signer *snapshot,
		  const char *report_role, tf_edit_fn edit, const void *arg);

/* Give doc version + 1 and an expiry years from now, sign it with keys and
 * add its file bytes to the upload. */
tufsign_status tf_edit_sign(tf_edit_job *job, tufsign_meta *doc, const tufsign_signing_key *keys,
			    size_t key_count, int years, tufsign_error *err);

/* Run job until a change is confirmed or fails with anything but a lost
 * race. result is cleared on entry. */
tufsign_status tf_edit_run(tf_edit_job *job, tufsign_publish_result *result, tufsign_error *err);

/* Make new_key the only key of role name in root, with threshold 1. The
 * role's old keys leave root's key list unless another role lists them. */
tufsign_status tf_repo_replace_role_key(tufsign_meta *root, const char *name,
					const tufsign_pubkey *new_key, tufsign_error *err);

#endif
