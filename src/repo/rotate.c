/* Root key rotation: a new root version listing a certificate of the new
 * root key, signed by the old root key and the new one, so clients that
 * trust the old root walk to the new one. */
#include <stdlib.h>
#include <string.h>

#include "edit.h"
#include "internal.h"
#include "tufsign/cert.h"

/* Inputs of one rotation. */
typedef struct rotate_job {
	const tufsign_signer *old_root;
	const tufsign_signer *new_root;
	tufsign_pubkey new_key; /* the new certificate key */
	tufsign_pubkey old_key; /* copy of the old key as root lists it */
} rotate_job;

/* Return 1 when a role of root other than role lists id. */
static int used_by_other_role(const tufsign_meta *root, const char *role, const char *id)
{
	size_t i, k;

	for (i = 0; i < root->role_count; i++) {
		if (strcmp(root->roles[i].name, role) == 0)
			continue;
		for (k = 0; k < root->roles[i].keyid_count; k++)
			if (strcmp(root->roles[i].keyids[k], id) == 0)
				return 1;
	}
	return 0;
}

tufsign_status tf_repo_replace_role_key(tufsign_meta *root, const char *name,
					const tufsign_pubkey *new_key, tufsign_error *err)
{
	const tufsign_role *role = tufsign_meta_find_role(root, name);
	const char *ids[1] = {new_key->id};
	tufsign_status st = TUFSIGN_OK;
	size_t i = 0;

	while (st == TUFSIGN_OK && role != NULL && i < role->keyid_count) {
		const char *id = role->keyids[i++];

		if (!used_by_other_role(root, name, id) && tufsign_meta_find_key(root, id) != NULL)
			st = tufsign_meta_remove_key(root, id, err);
	}
	if (st == TUFSIGN_OK)
		st = tufsign_meta_add_key(root, new_key, err);
	if (st == TUFSIGN_OK)
		st = tufsign_meta_set_role(root, name, ids, 1, 1, NULL, 0, err);
	return st;
}

static tufsign_status rotate_edit(tf_edit_job *job, int *changed, tufsign_error *err)
{
	rotate_job *r = (rotate_job *)job->arg;
	tufsign_meta *root = job->state->chain->root;
	const tufsign_role *role = tufsign_meta_find_role(root, "root");
	const tufsign_pubkey *listed = NULL;
	tufsign_signing_key keys[2];
	tufsign_status st;

	if (role != NULL && role->keyid_count == 1 && strcmp(role->keyids[0], r->new_key.id) == 0)
		return TUFSIGN_OK;
	st = tf_repo_match_key(root, job->gun, "root", r->old_root, &listed, err);
	tufsign_pubkey_release(&r->old_key);
	if (st == TUFSIGN_OK)
		st = tufsign_pubkey_copy(&r->old_key, listed, err);
	if (st == TUFSIGN_OK)
		st = tf_repo_replace_role_key(root, "root", &r->new_key, err);
	if (st != TUFSIGN_OK)
		return st;
	*changed = 1;
	/* NOTE: one old root key signs, which is enough only while the old
	 * root's threshold is 1, as tufsign and docker create it. */
	keys[0] = (tufsign_signing_key){r->old_root, &r->old_key};
	keys[1] = (tufsign_signing_key){r->new_root, &r->new_key};
	return tf_edit_sign(job, root, keys, 2, TF_ROOT_EXPIRY_YEARS, err);
}

/* Reject keys that cannot make a rotation, before anything is signed or
 * fetched. */
static tufsign_status check_keys(const tufsign_rotate_options *opts, tufsign_error *err)
{
	char old_id[TUFSIGN_KEYID_SIZE], new_id[TUFSIGN_KEYID_SIZE];
	tufsign_status st;

	if (opts->new_root->algo == TUFSIGN_ALGO_ED25519)
		return tufsign_error_set(err, TUFSIGN_ERR_INVALID_ARGUMENT,
					 "the new root key is Ed25519, but notary accepts only "
					 "ECDSA or RSA root certificates; use an ECDSA or RSA key");
	st = tf_repo_signer_id(opts->old_root, old_id, err);
	if (st == TUFSIGN_OK)
		st = tf_repo_signer_id(opts->new_root, new_id, err);
	if (st == TUFSIGN_OK && strcmp(old_id, new_id) == 0)
		st = tufsign_error_set(err, TUFSIGN_ERR_INVALID_ARGUMENT,
				       "--new-root-key is the current root key (key ID %s); "
				       "nothing to rotate",
				       new_id);
	return st;
}

static tufsign_status make_new_key(const char *gun, rotate_job *r, tufsign_error *err)
{
	char *pem = NULL;
	size_t len = 0;
	tufsign_status st;

	st = tufsign_cert_create(r->new_root, gun, NULL, &pem, &len, err);
	if (st == TUFSIGN_OK)
		st = tufsign_pubkey_from_cert_pem(&r->new_key, pem, len, err);
	else
		tufsign_error_prefix(err, "cannot make the new root certificate for '%s': ", gun);
	free(pem);
	return st;
}

static void fill_result(const rotate_job *r, const tufsign_publish_result *p,
			tufsign_rotate_result *result)
{
	tufsign_error ignored;

	result->root_version = p->targets_version;
	result->snapshot_version = p->snapshot_version;
	result->timestamp_version = p->timestamp_version;
	memcpy(result->old_root_key_id, r->old_key.id, TUFSIGN_KEYID_SIZE);
	memcpy(result->new_root_key_id, r->new_key.id, TUFSIGN_KEYID_SIZE);
	tufsign_error_clear(&ignored);
	tf_repo_signer_id(r->new_root, result->new_root_canonical_id, &ignored);
}

tufsign_status tufsign_repo_rotate_root(const tufsign_repo_context *ctx, const char *gun,
					const tufsign_rotate_options *opts,
					tufsign_rotate_result *result, tufsign_error *err)
{
	tufsign_publish_result published;
	rotate_job r;
	tf_edit_job job;
	tufsign_status st;

	memset(result, 0, sizeof(*result));
	if (opts == NULL || opts->old_root == NULL || opts->new_root == NULL)
		return tufsign_error_set(err, TUFSIGN_ERR_INVALID_ARGUMENT,
					 "a root rotation needs the old and the new root key");
	st = tf_repo_check_call(ctx, gun, err);
	if (st == TUFSIGN_OK)
		st = check_keys(opts, err);
	if (st != TUFSIGN_OK)
		return st;
	memset(&r, 0, sizeof(r));
	r.old_root = opts->old_root;
	r.new_root = opts->new_root;
	st = make_new_key(gun, &r, err);
	if (st == TUFSIGN_OK) {
		tf_edit_init(&job, ctx, gun, opts->new_root, opts->snapshot, "root", rotate_edit,
			     &r);
		st = tf_edit_run(&job, &published, err);
	}
	if (st == TUFSIGN_OK)
		fill_result(&r, &published, result);
	tufsign_pubkey_release(&r.new_key);
	tufsign_pubkey_release(&r.old_key);
	return st;
}
