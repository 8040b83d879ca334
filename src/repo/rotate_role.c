/* Rotation of the targets, snapshot and timestamp keys: a new root that
 * lists the new key for the role, signed by the root key, and for targets
 * the targets document re-signed by the new key in the same upload. */
#include <stdio.h>
#include <string.h>

#include "edit.h"
#include "internal.h"

/* Inputs and outputs of one rotation. */
typedef struct role_job {
	const tufsign_key_rotate_options *opts;
	tufsign_pubkey new_key; /* the key the new root lists for the role */
	int have_new_key;       /* 0 until the server returned a server-managed key */
	char old_key_id[TUFSIGN_KEYID_SIZE];
	int64_t root_version;
	int64_t targets_version;
} role_job;

/* Ask the server for a new key of the role. Called once per run, after the
 * root key matched, because every POST creates another key. */
static tufsign_status request_server_key(tf_edit_job *job, role_job *r, tufsign_error *err)
{
	const char *role = r->opts->role;
	tufsign_notary_key key;
	tufsign_keytype type;
	tufsign_status st;

	memset(&key, 0, sizeof(key));
	st = tufsign_notary_rotate_key(job->ctx->client, job->gun, role, &key, err);
	if (st == TUFSIGN_OK) {
		type = tufsign_keytype_from_name(key.keytype);
		if (type == TUFSIGN_KEYTYPE_NONE)
			st = tufsign_error_set(err, TUFSIGN_ERR_UNSUPPORTED,
					       "the server's new %s key has the unknown type '%s'",
					       role, key.keytype);
		else
			st = tufsign_pubkey_init(&r->new_key, type, key.public_key, key.public_len,
						 err);
	}
	tufsign_notary_key_release(&key);
	if (st != TUFSIGN_OK)
		return st;
	r->have_new_key = 1;
	TF_INFO(TF_REPO_LOG, "server created the new %s key %s", role, r->new_key.id);
	return TUFSIGN_OK;
}

/* Refuse a root key as the new key of another role: the root key would
 * then sign every release and could no longer stay offline. */
static tufsign_status check_not_root_key(const tf_edit_job *job, const role_job *r,
					 tufsign_error *err)
{
	const tufsign_pubkey *listed = NULL;
	tufsign_error ignored;

	tufsign_error_clear(&ignored);
	if (r->opts->new_key == NULL ||
	    tf_repo_match_key(job->state->chain->root, job->gun, "root", r->opts->new_key, &listed,
			      &ignored) != TUFSIGN_OK)
		return TUFSIGN_OK;
	return tufsign_error_set(err, TUFSIGN_ERR_INVALID_ARGUMENT,
				 "the new %s key '%s' is a root key of '%s'; the root key signs "
				 "only root and should stay offline, so generate a separate %s "
				 "key for the role",
				 r->opts->role,
				 r->opts->new_key->label ? r->opts->new_key->label : "", job->gun,
				 r->opts->role);
}

/* Return 1 when role lists exactly one key, id. */
static int lists_only(const tufsign_role *role, const char *id)
{
	return role != NULL && role->keyid_count == 1 && strcmp(role->keyids[0], id) == 0;
}

/* Sign the new root with the root key. The key is copied out of root first,
 * because replacing the role's keys may move root's key list. */
static tufsign_status sign_root(tf_edit_job *job, role_job *r, const tufsign_pubkey *listed,
				tufsign_error *err)
{
	tufsign_meta *root = job->state->chain->root;
	tufsign_signing_key key;
	tufsign_pubkey root_key;
	tufsign_status st;

	memset(&root_key, 0, sizeof(root_key));
	st = tufsign_pubkey_copy(&root_key, listed, err);
	if (st == TUFSIGN_OK)
		st = tf_repo_replace_role_key(root, r->opts->role, &r->new_key, err);
	if (st == TUFSIGN_OK) {
		/* NOTE: one root key signs, which is enough only while the
		 * root's threshold is 1, as tufsign and docker create it. */
		key = (tufsign_signing_key){r->opts->root, &root_key};
		st = tf_edit_sign(job, root, &key, 1, TF_ROOT_EXPIRY_YEARS, err);
	}
	tufsign_pubkey_release(&root_key);
	return st;
}

static tufsign_status role_edit(tf_edit_job *job, int *changed, tufsign_error *err)
{
	role_job *r = (role_job *)job->arg;
	tufsign_chain *chain = job->state->chain;
	const tufsign_role *role = tufsign_meta_find_role(chain->root, r->opts->role);
	const tufsign_pubkey *listed = NULL;
	tufsign_signing_key key;
	tufsign_status st;

	st = tf_repo_match_key(chain->root, job->gun, "root", r->opts->root, &listed, err);
	if (st == TUFSIGN_OK)
		st = check_not_root_key(job, r, err);
	if (st != TUFSIGN_OK)
		return st;
	r->root_version = chain->root->version;
	r->targets_version = chain->targets->version;
	/* Recorded on the first attempt only: after a lost race the server's
	 * root may already list the new key. */
	if (r->old_key_id[0] == '\0')
		snprintf(r->old_key_id, sizeof(r->old_key_id), "%s",
			 role != NULL && role->keyid_count > 0 ? role->keyids[0] : "");
	/* Already in place: the key was rotated before, or an earlier attempt
	 * of this run published the change. */
	if (r->have_new_key && lists_only(role, r->new_key.id))
		return TUFSIGN_OK;
	if (!r->have_new_key)
		st = request_server_key(job, r, err);
	if (st == TUFSIGN_OK)
		st = sign_root(job, r, listed, err);
	if (st == TUFSIGN_OK && strcmp(r->opts->role, "targets") == 0) {
		key = (tufsign_signing_key){r->opts->new_key, &r->new_key};
		st = tf_edit_sign(job, chain->targets, &key, 1, TF_TARGETS_EXPIRY_YEARS, err);
	}
	if (st != TUFSIGN_OK)
		return st;
	*changed = 1;
	r->root_version = chain->root->version;
	r->targets_version = chain->targets->version;
	return TUFSIGN_OK;
}

/* Check the combination of role, new key and server_managed. */
static tufsign_status check_options(const tufsign_key_rotate_options *opts, tufsign_error *err)
{
	const char *role = opts->role;

	if (strcmp(role, "targets") == 0) {
		if (opts->new_key == NULL || opts->server_managed)
			return tufsign_error_set(err, TUFSIGN_ERR_INVALID_ARGUMENT,
						 "a targets rotation needs the new targets key, "
						 "and the server cannot hold the targets key");
	} else if (strcmp(role, "snapshot") == 0) {
		if ((opts->new_key == NULL) == !opts->server_managed)
			return tufsign_error_set(err, TUFSIGN_ERR_INVALID_ARGUMENT,
						 "a snapshot rotation needs either a new local "
						 "snapshot key or a server-managed key, not both");
		if (opts->snapshot != NULL)
			return tufsign_error_set(err, TUFSIGN_ERR_INVALID_ARGUMENT,
						 "a snapshot rotation does not use the current "
						 "snapshot key; the new key signs the snapshot");
	} else if (strcmp(role, "timestamp") == 0) {
		if (opts->new_key != NULL || !opts->server_managed)
			return tufsign_error_set(err, TUFSIGN_ERR_INVALID_ARGUMENT,
						 "the server always holds the timestamp key; a "
						 "timestamp rotation must be server-managed");
	} else {
		return tufsign_error_set(
			err, TUFSIGN_ERR_INVALID_ARGUMENT,
			"cannot rotate the key of role '%s'; use targets, snapshot "
			"or timestamp (tufsign_repo_rotate_root() rotates root)",
			role);
	}
	return TUFSIGN_OK;
}

static void fill_result(const role_job *r, const tufsign_publish_result *p,
			tufsign_key_rotate_result *result)
{
	snprintf(result->role, sizeof(result->role), "%s", r->opts->role);
	result->root_version = r->root_version;
	if (strcmp(r->opts->role, "targets") == 0)
		result->targets_version = r->targets_version;
	memcpy(result->old_key_id, r->old_key_id, TUFSIGN_KEYID_SIZE);
	memcpy(result->new_key_id, r->new_key.id, TUFSIGN_KEYID_SIZE);
	result->server_managed = r->opts->server_managed;
	result->rotated = p->published;
	result->snapshot_version = p->snapshot_version;
	result->timestamp_version = p->timestamp_version;
}

tufsign_status tufsign_repo_rotate_key(const tufsign_repo_context *ctx, const char *gun,
				       const tufsign_key_rotate_options *opts,
				       tufsign_key_rotate_result *result, tufsign_error *err)
{
	const tufsign_signer *snapshot = NULL;
	tufsign_publish_result published;
	role_job r;
	tf_edit_job job;
	tufsign_status st;

	memset(result, 0, sizeof(*result));
	memset(&r, 0, sizeof(r));
	if (opts == NULL || opts->role == NULL || opts->root == NULL)
		return tufsign_error_set(err, TUFSIGN_ERR_INVALID_ARGUMENT,
					 "a key rotation needs the role and the root key");
	st = tf_repo_check_call(ctx, gun, err);
	if (st == TUFSIGN_OK)
		st = check_options(opts, err);
	if (st != TUFSIGN_OK)
		return st;
	r.opts = opts;
	if (opts->new_key != NULL) {
		st = tufsign_pubkey_from_signer(&r.new_key, opts->new_key, err);
		r.have_new_key = st == TUFSIGN_OK;
	}
	/* The snapshot signed with this upload: by the new key when it moves to
	 * the token, none when the server takes the snapshot key over. */
	if (strcmp(opts->role, "snapshot") == 0)
		snapshot = opts->new_key;
	else
		snapshot = opts->snapshot;
	if (st == TUFSIGN_OK) {
		tf_edit_init(&job, ctx, gun, NULL, snapshot, "root", role_edit, &r);
		st = tf_edit_run(&job, &published, err);
	}
	if (st == TUFSIGN_OK)
		fill_result(&r, &published, result);
	tufsign_pubkey_release(&r.new_key);
	return st;
}
