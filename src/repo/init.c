/* Creating a repository: root certificate made with the root key, the
 * server's timestamp (and by default snapshot) key, root and targets
 * version 1 in one upload, then a check of what the server published. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "internal.h"
#include "repo_internal.h"
#include "tufsign/cert.h"

/* Everything one init builds. */
typedef struct init_job {
	const tufsign_repo_context *ctx;
	const char *gun;
	const tufsign_init_options *opts;
	tufsign_trust_txn *txn;
	tufsign_pubkey root_key; /* the certificate key */
	tufsign_pubkey targets_key;
	tufsign_pubkey snapshot_key;
	tufsign_pubkey timestamp_key;
	char *root_file;
	size_t root_len;
	tufsign_digest root_digest;
	char *targets_file;
	size_t targets_len;
	tufsign_digest targets_digest;
	char *snapshot_file;
	size_t snapshot_len;
	tf_repo_state *state;
} init_job;

static void init_job_release(init_job *job)
{
	tufsign_pubkey_release(&job->root_key);
	tufsign_pubkey_release(&job->targets_key);
	tufsign_pubkey_release(&job->snapshot_key);
	tufsign_pubkey_release(&job->timestamp_key);
	free(job->root_file);
	free(job->targets_file);
	free(job->snapshot_file);
	tf_repo_state_free(job->state);
	tufsign_trust_txn_free(job->txn);
}

/* Fetch the server's public key of role (each call mints a new key while
 * the GUN has no root, so this runs once per role). */
static tufsign_status server_key(init_job *job, const char *role, tufsign_pubkey *out,
				 tufsign_error *err)
{
	tufsign_notary_key key;
	tufsign_keytype type;
	tufsign_status st;

	memset(&key, 0, sizeof(key));
	st = tufsign_notary_get_key(job->ctx->client, job->gun, role, &key, err);
	if (st == TUFSIGN_OK) {
		type = tufsign_keytype_from_name(key.keytype);
		if (type == TUFSIGN_KEYTYPE_NONE)
			st = tufsign_error_set(err, TUFSIGN_ERR_UNSUPPORTED,
					       "the server's %s key has the unknown type '%s'",
					       role, key.keytype);
		else
			st = tufsign_pubkey_init(out, type, key.public_key, key.public_len, err);
	}
	tufsign_notary_key_release(&key);
	if (st == TUFSIGN_OK)
		TF_INFO(TF_REPO_LOG, "server %s key: %s", role, out->id);
	return st;
}

/* Collect the four role keys: certificate for the root key, the targets
 * key, and the snapshot and timestamp keys (the server's unless ours). */
static tufsign_status collect_keys(init_job *job, tufsign_error *err)
{
	char *pem = NULL;
	size_t pem_len = 0;
	tufsign_status st;

	st = tufsign_cert_create(job->opts->root, job->gun, NULL, &pem, &pem_len, err);
	if (st != TUFSIGN_OK) {
		tufsign_error_prefix(err, "cannot make the root certificate for '%s': ", job->gun);
		return st;
	}
	st = tufsign_pubkey_from_cert_pem(&job->root_key, pem, pem_len, err);
	free(pem);
	if (st == TUFSIGN_OK)
		st = tufsign_pubkey_from_signer(&job->targets_key, job->opts->targets, err);
	if (st == TUFSIGN_OK && job->opts->snapshot != NULL)
		st = tufsign_pubkey_from_signer(&job->snapshot_key, job->opts->snapshot, err);
	else if (st == TUFSIGN_OK)
		st = server_key(job, "snapshot", &job->snapshot_key, err);
	if (st == TUFSIGN_OK)
		st = server_key(job, "timestamp", &job->timestamp_key, err);
	return st;
}

static tufsign_status add_role(tufsign_meta *root, const char *name, const tufsign_pubkey *key,
			       tufsign_error *err)
{
	const char *ids[1] = {key->id};
	tufsign_status st = tufsign_meta_add_key(root, key, err);

	if (st == TUFSIGN_OK)
		st = tufsign_meta_set_role(root, name, ids, 1, 1, NULL, 0, err);
	return st;
}

static tufsign_status sign_new(tufsign_meta *doc, int years, const tufsign_signer *signer,
			       const tufsign_pubkey *key, char **file, size_t *len,
			       tufsign_digest *digest, tufsign_error *err)
{
	tufsign_signing_key k = {signer, key};

	doc->version = 1;
	doc->expires = tf_repo_expiry(time(NULL), years);
	TF_INFO(TF_REPO_LOG, "signing %s version 1 with %s", doc->role,
		signer->label ? signer->label : "the key");
	return tufsign_meta_sign(doc, &k, 1, file, len, digest, err);
}

static tufsign_status build_root(init_job *job, tufsign_error *err)
{
	tufsign_meta *root = NULL;
	tufsign_status st = tufsign_meta_new("root", &root, err);

	if (st == TUFSIGN_OK)
		st = add_role(root, "root", &job->root_key, err);
	if (st == TUFSIGN_OK)
		st = add_role(root, "targets", &job->targets_key, err);
	if (st == TUFSIGN_OK)
		st = add_role(root, "snapshot", &job->snapshot_key, err);
	if (st == TUFSIGN_OK)
		st = add_role(root, "timestamp", &job->timestamp_key, err);
	if (st == TUFSIGN_OK)
		st = sign_new(root, TF_ROOT_EXPIRY_YEARS, job->opts->root, &job->root_key,
			      &job->root_file, &job->root_len, &job->root_digest, err);
	tufsign_meta_free(root);
	return st;
}

static tufsign_status build_targets_and_snapshot(init_job *job, tufsign_error *err)
{
	tufsign_meta *targets = NULL, *snapshot = NULL;
	tufsign_status st = tufsign_meta_new("targets", &targets, err);

	if (st == TUFSIGN_OK)
		st = sign_new(targets, TF_TARGETS_EXPIRY_YEARS, job->opts->targets,
			      &job->targets_key, &job->targets_file, &job->targets_len,
			      &job->targets_digest, err);
	if (st == TUFSIGN_OK && job->opts->snapshot != NULL) {
		st = tufsign_meta_new("snapshot", &snapshot, err);
		if (st == TUFSIGN_OK)
			st = tufsign_meta_set_file(snapshot, "root", &job->root_digest, 1, err);
		if (st == TUFSIGN_OK)
			st = tufsign_meta_set_file(snapshot, "targets", &job->targets_digest, 1,
						   err);
		if (st == TUFSIGN_OK)
			st = sign_new(snapshot, TF_SNAPSHOT_EXPIRY_YEARS, job->opts->snapshot,
				      &job->snapshot_key, &job->snapshot_file, &job->snapshot_len,
				      NULL, err);
	}
	tufsign_meta_free(targets);
	tufsign_meta_free(snapshot);
	return st;
}

static tufsign_status upload(init_job *job, tufsign_error *err)
{
	tufsign_notary_file files[3];
	size_t n = 0;

	files[n++] =
		(tufsign_notary_file){"root", (const unsigned char *)job->root_file, job->root_len};
	files[n++] = (tufsign_notary_file){"targets", (const unsigned char *)job->targets_file,
					   job->targets_len};
	if (job->snapshot_file != NULL)
		files[n++] = (tufsign_notary_file){
			"snapshot", (const unsigned char *)job->snapshot_file, job->snapshot_len};
	TF_INFO(TF_REPO_LOG, "publishing %s to the server",
		n == 3 ? "root, targets and snapshot" : "root and targets");
	return tufsign_notary_publish(job->ctx->client, job->gun, files, n, err);
}

static int entry_matches(const tufsign_meta *snapshot, const char *name,
			 const tufsign_digest *digest)
{
	const tufsign_file_meta *entry = tufsign_meta_find_file(snapshot, name);

	return entry != NULL && entry->hashes.has_sha256 && entry->length == digest->length &&
	       memcmp(entry->hashes.sha256, digest->sha256, 32) == 0;
}

/* Pin our root in the transaction, fetch what the server published and
 * confirm that its snapshot covers exactly the bytes we uploaded. */
static tufsign_status confirm(init_job *job, tufsign_error *err)
{
	tufsign_status st;

	st = tufsign_trust_txn_stage_clear(job->txn, err);
	if (st == TUFSIGN_OK)
		st = tufsign_trust_txn_stage(job->txn, "root", (unsigned char *)job->root_file,
					     job->root_len, err);
	if (st == TUFSIGN_OK)
		st = tf_repo_fetch(job->ctx->client, job->txn, job->gun, NULL, &job->state, err);
	if (st != TUFSIGN_OK) {
		tufsign_error_prefix(err, "uploaded, but cannot confirm the new repository: ");
		return st;
	}
	if (!entry_matches(job->state->chain->snapshot, "root", &job->root_digest) ||
	    !entry_matches(job->state->chain->snapshot, "targets", &job->targets_digest))
		return tufsign_error_set(err, TUFSIGN_ERR_HASH_MISMATCH,
					 "the server's snapshot of '%s' does not cover the root "
					 "and targets files just uploaded",
					 job->gun);
	return tf_repo_save(job->txn, job->state, err);
}

static void fill_result(const init_job *job, int created, tufsign_init_result *result)
{
	const tufsign_meta *root = job->state->chain->root;
	const tufsign_role *roles[4] = {tufsign_meta_find_role(root, "root"),
					tufsign_meta_find_role(root, "targets"),
					tufsign_meta_find_role(root, "snapshot"),
					tufsign_meta_find_role(root, "timestamp")};
	char *ids[4] = {result->root_key_id, result->targets_key_id, result->snapshot_key_id,
			result->timestamp_key_id};
	tufsign_error ignored;
	size_t i;

	result->created = created;
	result->server_snapshot = job->opts->snapshot == NULL;
	for (i = 0; i < 4; i++)
		if (roles[i] != NULL && roles[i]->keyid_count > 0)
			snprintf(ids[i], TUFSIGN_KEYID_SIZE, "%s", roles[i]->keyids[0]);
	tufsign_error_clear(&ignored);
	tf_repo_signer_id(job->opts->root, result->root_canonical_id, &ignored);
}

/* The GUN exists: accept it when its root lists our root key. */
static tufsign_status check_existing(init_job *job, const unsigned char *data, size_t len,
				     tufsign_error *err)
{
	tufsign_meta *root = NULL;
	const tufsign_pubkey *listed = NULL;
	tufsign_repo_pin pin;
	char id[TUFSIGN_KEYID_SIZE];
	tufsign_error local;
	tufsign_status st;

	st = tufsign_meta_parse("root", data, len, &root, err);
	if (st != TUFSIGN_OK) {
		tufsign_error_prefix(err,
				     "repository '%s' already exists and its root cannot be "
				     "read: ",
				     job->gun);
		return st;
	}
	tufsign_error_clear(&local);
	st = tf_repo_match_key(root, job->gun, "root", job->opts->root, &listed, &local);
	tufsign_meta_free(root);
	if (st == TUFSIGN_ERR_KEY_NOT_FOUND)
		return tufsign_error_set(
			err, TUFSIGN_ERR_EXISTS,
			"repository '%s' already exists on the server with another "
			"root: %s",
			job->gun, local.message);
	if (st != TUFSIGN_OK)
		return tufsign_error_set(err, st, "%s", local.message);
	st = tf_repo_signer_id(job->opts->root, id, err);
	if (st != TUFSIGN_OK)
		return st;
	memset(&pin, 0, sizeof(pin));
	pin.root_key_id = id;
	st = tf_repo_fetch(job->ctx->client, job->txn, job->gun, &pin, &job->state, err);
	if (st == TUFSIGN_OK)
		st = tf_repo_save(job->txn, job->state, err);
	return st;
}

static tufsign_status create(init_job *job, tufsign_error *err)
{
	tufsign_status st = collect_keys(job, err);

	if (st == TUFSIGN_OK)
		st = build_root(job, err);
	if (st == TUFSIGN_OK)
		st = build_targets_and_snapshot(job, err);
	if (st == TUFSIGN_OK)
		st = upload(job, err);
	if (st == TUFSIGN_OK)
		st = confirm(job, err);
	return st;
}

tufsign_status tufsign_repo_init(const tufsign_repo_context *ctx, const char *gun,
				 const tufsign_init_options *opts, tufsign_init_result *result,
				 tufsign_error *err)
{
	init_job job;
	unsigned char *data = NULL;
	size_t len = 0;
	tufsign_status st;

	memset(result, 0, sizeof(*result));
	if (opts == NULL || opts->root == NULL || opts->targets == NULL)
		return tufsign_error_set(err, TUFSIGN_ERR_INVALID_ARGUMENT,
					 "init needs a root key and a targets key");
	st = tf_repo_check_call(ctx, gun, err);
	if (st != TUFSIGN_OK)
		return st;
	memset(&job, 0, sizeof(job));
	job.ctx = ctx;
	job.gun = gun;
	job.opts = opts;
	st = tf_repo_begin(ctx, gun, &job.txn, err);
	if (st == TUFSIGN_OK)
		st = tufsign_notary_get_role(ctx->client, gun, "root", 0, &data, &len, err);
	if (st == TUFSIGN_OK) {
		st = check_existing(&job, data, len, err);
		if (st == TUFSIGN_OK)
			fill_result(&job, 0, result);
	} else if (st == TUFSIGN_ERR_NOT_FOUND) {
		tufsign_error_clear(err);
		st = create(&job, err);
		if (st == TUFSIGN_OK)
			fill_result(&job, 1, result);
	}
	free(data);
	init_job_release(&job);
	return st;
}
