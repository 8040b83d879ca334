/* Delegations the way Docker Content Trust uses them: a role
 * targets/<signer> per signer and targets/releases holding every signer's
 * keys, added and removed by re-signing targets, and signed into with the
 * delegation key on the token. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/pem.h>
#include <openssl/x509.h>

#include "edit.h"
#include "internal.h"
#include "tufsign/cert.h"

#define RELEASES "targets/releases"

/* Longest signer name: "targets/" plus the name fits a role name. */
#define MAX_SIGNER_NAME (TUFSIGN_ROLE_NAME_SIZE - 1 - 8)

tufsign_status tufsign_repo_check_signer_name(const char *name, tufsign_error *err)
{
	size_t i, len = name != NULL ? strlen(name) : 0;

	if (len == 0)
		return tufsign_error_set(err, TUFSIGN_ERR_INVALID_ARGUMENT,
					 "the signer name is empty; give a name such as 'alice'");
	if (strcmp(name, "releases") == 0)
		return tufsign_error_set(err, TUFSIGN_ERR_INVALID_ARGUMENT,
					 "invalid signer name 'releases': it is reserved for the "
					 "role every signer shares; choose another name");
	if (len > MAX_SIGNER_NAME)
		return tufsign_error_set(err, TUFSIGN_ERR_INVALID_ARGUMENT,
					 "invalid signer name '%.64s...': %zu bytes, the maximum "
					 "is %d",
					 name, len, MAX_SIGNER_NAME);
	if (strncmp(name, "targets/", 8) == 0)
		return tufsign_error_set(err, TUFSIGN_ERR_INVALID_ARGUMENT,
					 "invalid signer name '%s': give NAME without the "
					 "'targets/' prefix, such as '%s'",
					 name, name + 8);
	for (i = 0; i < len; i++) {
		char c = name[i];
		int ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
			 (i > 0 && (c == '_' || c == '-'));

		if (!ok)
			return tufsign_error_set(
				err, TUFSIGN_ERR_INVALID_ARGUMENT,
				"invalid signer name '%s': use lower-case letters, "
				"digits, '_' and '-', starting with a letter or "
				"digit",
				name);
	}
	return TUFSIGN_OK;
}

tufsign_status tufsign_repo_signer_key(const tufsign_signer *signer, const char *name,
				       tufsign_pubkey *out, tufsign_error *err)
{
	char *pem = NULL;
	size_t len = 0;
	tufsign_status st;

	memset(out, 0, sizeof(*out));
	if (signer->algo == TUFSIGN_ALGO_ED25519)
		return tufsign_pubkey_from_signer(out, signer, err);
	st = tufsign_cert_create(signer, name, NULL, &pem, &len, err);
	if (st == TUFSIGN_OK)
		st = tufsign_pubkey_from_cert_pem(out, pem, len, err);
	else
		tufsign_error_prefix(err, "cannot make the certificate of signer '%s': ", name);
	free(pem);
	return st;
}

/* Read a PUBLIC KEY block into the plain key of its SPKI. */
static tufsign_status key_from_public_pem(const char *pem, size_t len, tufsign_pubkey *out,
					  tufsign_error *err)
{
	BIO *bio = BIO_new_mem_buf(pem, (int)len);
	EVP_PKEY *pkey = bio != NULL ? PEM_read_bio_PUBKEY(bio, NULL, NULL, NULL) : NULL;
	unsigned char *der = NULL;
	int der_len = pkey != NULL ? i2d_PUBKEY(pkey, &der) : -1;
	tufsign_status st;

	if (der_len <= 0)
		st = tf_openssl_error(err, TUFSIGN_ERR_INVALID_ARGUMENT,
				      "the PUBLIC KEY block cannot be read");
	else
		st = tufsign_pubkey_from_spki(out, der, (size_t)der_len, err);
	OPENSSL_free(der);
	EVP_PKEY_free(pkey);
	BIO_free(bio);
	return st;
}

tufsign_status tufsign_repo_signer_key_from_pem(const char *pem, size_t len, tufsign_pubkey *out,
						tufsign_error *err)
{
	memset(out, 0, sizeof(*out));
	if (len > (size_t)1 << 20)
		return tufsign_error_set(err, TUFSIGN_ERR_INVALID_ARGUMENT,
					 "the signer key PEM is larger than 1 MiB");
	if (memmem(pem, len, "-----BEGIN CERTIFICATE-----", 27) != NULL)
		return tufsign_pubkey_from_cert_pem(out, pem, len, err);
	if (memmem(pem, len, "-----BEGIN PUBLIC KEY-----", 26) != NULL)
		return key_from_public_pem(pem, len, out, err);
	return tufsign_error_set(err, TUFSIGN_ERR_INVALID_ARGUMENT,
				 "no CERTIFICATE or PUBLIC KEY block in the signer key PEM");
}

/* A role's new key IDs and paths, copied, because replacing the role frees
 * what the document held. */
typedef struct role_lists {
	char (*ids)[TUFSIGN_KEYID_SIZE];
	const char **id_ptrs;
	size_t id_count;
	char **paths;
	size_t path_count;
} role_lists;

static void role_lists_release(role_lists *l)
{
	size_t i;

	for (i = 0; i < l->path_count; i++)
		free(l->paths[i]);
	free(l->paths);
	free(l->ids);
	free(l->id_ptrs);
	memset(l, 0, sizeof(*l));
}

static int lists_id(const role_lists *l, const char *id)
{
	size_t i;

	for (i = 0; i < l->id_count; i++)
		if (strcmp(l->ids[i], id) == 0)
			return 1;
	return 0;
}

static tufsign_status lists_init(role_lists *l, const tufsign_role *role, size_t extra_ids,
				 const char *const *paths, size_t path_count, tufsign_error *err)
{
	size_t i, cap = (role != NULL ? role->keyid_count : 0) + extra_ids + 1;

	memset(l, 0, sizeof(*l));
	if (paths == NULL && role != NULL) {
		paths = (const char *const *)role->paths;
		path_count = role->path_count;
	}
	l->ids = calloc(cap, sizeof(*l->ids));
	l->id_ptrs = calloc(cap, sizeof(*l->id_ptrs));
	l->paths = calloc(path_count + 1, sizeof(*l->paths));
	if (l->ids == NULL || l->id_ptrs == NULL || l->paths == NULL)
		return tufsign_error_set(err, TUFSIGN_ERR_NOMEM, "out of memory");
	for (i = 0; role != NULL && i < role->keyid_count; i++)
		snprintf(l->ids[l->id_count++], TUFSIGN_KEYID_SIZE, "%s", role->keyids[i]);
	for (i = 0; i < path_count; i++) {
		l->paths[i] = tf_strdup(paths[i]);
		if (l->paths[i] == NULL)
			return tufsign_error_set(err, TUFSIGN_ERR_NOMEM, "out of memory");
		l->path_count++;
	}
	return TUFSIGN_OK;
}

static tufsign_status lists_store(tufsign_meta *doc, const char *name, role_lists *l,
				  int64_t threshold, tufsign_error *err)
{
	size_t i;

	for (i = 0; i < l->id_count; i++)
		l->id_ptrs[i] = l->ids[i];
	return tufsign_meta_set_role(doc, name, l->id_ptrs, l->id_count, threshold,
				     (const char *const *)l->paths, l->path_count, err);
}

static int same_paths(const tufsign_role *role, const role_lists *l)
{
	size_t i;

	if (role->path_count != l->path_count)
		return 0;
	for (i = 0; i < l->path_count; i++)
		if (strcmp(role->paths[i], l->paths[i]) != 0)
			return 0;
	return 1;
}

/* Return the index of key in l, or of another key with the same public key,
 * such as an earlier certificate of the same token key; -1 when absent. */
static long find_listed(const tufsign_meta *doc, const role_lists *l, const tufsign_pubkey *key)
{
	char want[TUFSIGN_KEYID_SIZE], have[TUFSIGN_KEYID_SIZE];
	tufsign_error ignored;
	size_t i;

	tufsign_error_clear(&ignored);
	for (i = 0; i < l->id_count; i++)
		if (strcmp(l->ids[i], key->id) == 0)
			return (long)i;
	if (tufsign_pubkey_canonical_id(key, want, &ignored) != TUFSIGN_OK)
		return -1;
	for (i = 0; i < l->id_count; i++) {
		const tufsign_pubkey *listed = tufsign_meta_find_key(doc, l->ids[i]);

		if (listed != NULL &&
		    tufsign_pubkey_canonical_id(listed, have, &ignored) == TUFSIGN_OK &&
		    strcmp(want, have) == 0)
			return (long)i;
	}
	return -1;
}

/* Give role name the keys (added to those it lists) and paths (NULL keeps
 * its paths, or [""] for a new role). *changed is set when it differs.
 * listed, when not NULL, gets for each key the ID the role lists for it. */
static tufsign_status merge_role(tufsign_meta *doc, const char *name, const tufsign_pubkey *keys,
				 size_t key_count, const char *const *paths, size_t path_count,
				 char (*listed)[TUFSIGN_KEYID_SIZE], int *changed,
				 tufsign_error *err)
{
	static const char *const every[1] = {""};
	const tufsign_role *role = tufsign_meta_find_role(doc, name);
	role_lists l;
	size_t before, i;
	tufsign_status st;

	if (paths == NULL && role == NULL) {
		paths = every;
		path_count = 1;
	}
	st = lists_init(&l, role, key_count, paths, path_count, err);
	before = l.id_count;
	for (i = 0; st == TUFSIGN_OK && i < key_count; i++) {
		if (find_listed(doc, &l, &keys[i]) >= 0)
			continue;
		snprintf(l.ids[l.id_count++], TUFSIGN_KEYID_SIZE, "%s", keys[i].id);
		if (tufsign_meta_find_key(doc, keys[i].id) == NULL)
			st = tufsign_meta_add_key(doc, &keys[i], err);
	}
	if (st == TUFSIGN_OK && (role == NULL || l.id_count != before || !same_paths(role, &l))) {
		*changed = 1;
		st = lists_store(doc, name, &l, role != NULL ? role->threshold : 1, err);
	}
	for (i = 0; st == TUFSIGN_OK && listed != NULL && i < key_count; i++)
		snprintf(listed[i], TUFSIGN_KEYID_SIZE, "%s",
			 l.ids[find_listed(doc, &l, &keys[i])]);
	role_lists_release(&l);
	return st;
}

/* Re-sign targets after a delegation change. */
static tufsign_status sign_targets(tf_edit_job *job, tufsign_error *err)
{
	const tufsign_delegation_options *o = job->arg;
	tufsign_meta *targets = job->state->chain->targets;
	tufsign_signing_key key = {o->targets, NULL};
	tufsign_status st;

	st = tf_repo_match_key(job->state->chain->root, job->gun, "targets", o->targets, &key.key,
			       err);
	if (st == TUFSIGN_OK)
		st = tf_edit_sign(job, targets, &key, 1, TF_TARGETS_EXPIRY_YEARS, err);
	return st;
}

static tufsign_status add_edit(tf_edit_job *job, int *changed, tufsign_error *err)
{
	const tufsign_delegation_options *o = job->arg;
	tufsign_meta *targets = job->state->chain->targets;
	const tufsign_pubkey *listed = NULL;
	char role[TUFSIGN_ROLE_NAME_SIZE];
	tufsign_status st;

	/* Refuse a wrong targets key before changing anything. */
	st = tf_repo_match_key(job->state->chain->root, job->gun, "targets", o->targets, &listed,
			       err);
	snprintf(role, sizeof(role), "targets/%s", o->name);
	if (st == TUFSIGN_OK)
		st = merge_role(targets, role, o->keys, o->key_count, o->paths, o->path_count,
				o->listed_ids, changed, err);
	if (st == TUFSIGN_OK)
		st = merge_role(targets, RELEASES, o->keys, o->key_count, NULL, 0, NULL, changed,
				err);
	if (st == TUFSIGN_OK && *changed)
		st = sign_targets(job, err);
	return st;
}

/* Check the inputs of a delegation change and run it with edit. */
static tufsign_status run_change(const tufsign_repo_context *ctx, const char *gun,
				 const tufsign_delegation_options *opts, int need_keys,
				 tf_edit_fn edit, tufsign_publish_result *result,
				 tufsign_error *err)
{
	tf_edit_job job;
	tufsign_status st;

	memset(result, 0, sizeof(*result));
	if (opts == NULL || opts->targets == NULL || opts->name == NULL)
		return tufsign_error_set(err, TUFSIGN_ERR_INVALID_ARGUMENT,
					 "a delegation change needs a targets key and a signer "
					 "name");
	st = tf_repo_check_call(ctx, gun, err);
	if (st == TUFSIGN_OK)
		st = tufsign_repo_check_signer_name(opts->name, err);
	if (st == TUFSIGN_OK && need_keys && (opts->keys == NULL || opts->key_count == 0))
		st = tufsign_error_set(err, TUFSIGN_ERR_INVALID_ARGUMENT,
				       "signer '%s' needs at least one key", opts->name);
	if (st != TUFSIGN_OK)
		return st;
	tf_edit_init(&job, ctx, gun, opts->targets, opts->snapshot, "targets", edit, opts);
	return tf_edit_run(&job, result, err);
}

tufsign_status tufsign_repo_delegation_add(const tufsign_repo_context *ctx, const char *gun,
					   const tufsign_delegation_options *opts,
					   tufsign_publish_result *result, tufsign_error *err)
{
	return run_change(ctx, gun, opts, 1, add_edit, result, err);
}

/* Return 1 when a delegation other than skip and releases lists id. */
static int id_used_elsewhere(const tufsign_meta *targets, const char *skip, const char *id)
{
	size_t i, k;

	for (i = 0; i < targets->role_count; i++) {
		const tufsign_role *r = &targets->roles[i];

		if (strcmp(r->name, skip) == 0 || strcmp(r->name, RELEASES) == 0)
			continue;
		for (k = 0; k < r->keyid_count; k++)
			if (strcmp(r->keyids[k], id) == 0)
				return 1;
	}
	return 0;
}

/* Return 1 when any delegation of targets, releases included, lists id. */
static int id_listed(const tufsign_meta *targets, const char *id)
{
	size_t i, k;

	for (i = 0; i < targets->role_count; i++)
		for (k = 0; k < targets->roles[i].keyid_count; k++)
			if (strcmp(targets->roles[i].keyids[k], id) == 0)
				return 1;
	return 0;
}

/* Drop the keys of the removed role from releases unless another signer
 * lists them, and remove releases when no key is left. */
static tufsign_status prune_releases(tufsign_meta *targets, const role_lists *removed,
				     const char *role, tufsign_error *err)
{
	const tufsign_role *releases = tufsign_meta_find_role(targets, RELEASES);
	role_lists keep;
	size_t i, n = 0;
	tufsign_status st;

	if (releases == NULL)
		return TUFSIGN_OK;
	st = lists_init(&keep, releases, 0, NULL, 0, err);
	for (i = 0; st == TUFSIGN_OK && i < keep.id_count; i++)
		if (!lists_id(removed, keep.ids[i]) ||
		    id_used_elsewhere(targets, role, keep.ids[i]))
			memmove(keep.ids[n++], keep.ids[i], TUFSIGN_KEYID_SIZE);
	keep.id_count = n;
	if (st == TUFSIGN_OK && n == 0)
		st = tufsign_meta_remove_role(targets, RELEASES, err);
	else if (st == TUFSIGN_OK)
		st = lists_store(targets, RELEASES, &keep, releases->threshold, err);
	role_lists_release(&keep);
	return st;
}

/* Remove keys of delegations.keys that no delegation lists any more. */
static tufsign_status drop_unused_keys(tufsign_meta *targets, const role_lists *removed,
				       tufsign_error *err)
{
	tufsign_status st = TUFSIGN_OK;
	size_t i;

	for (i = 0; st == TUFSIGN_OK && i < removed->id_count; i++)
		if (!id_listed(targets, removed->ids[i]) &&
		    tufsign_meta_find_key(targets, removed->ids[i]) != NULL)
			st = tufsign_meta_remove_key(targets, removed->ids[i], err);
	return st;
}

static tufsign_status remove_edit(tf_edit_job *job, int *changed, tufsign_error *err)
{
	const tufsign_delegation_options *o = job->arg;
	tufsign_meta *targets = job->state->chain->targets;
	const tufsign_pubkey *listed = NULL;
	char role[TUFSIGN_ROLE_NAME_SIZE];
	role_lists removed;
	tufsign_status st;

	memset(&removed, 0, sizeof(removed));
	snprintf(role, sizeof(role), "targets/%s", o->name);
	st = tf_repo_match_key(job->state->chain->root, job->gun, "targets", o->targets, &listed,
			       err);
	if (st == TUFSIGN_OK && tufsign_meta_find_role(targets, role) == NULL)
		return tufsign_error_set(err, TUFSIGN_ERR_INVALID_ARGUMENT,
					 "'%s' has no signer '%s' (targets version %lld has no "
					 "role %s); 'tufsign delegation list' shows the signers",
					 job->gun, o->name, (long long)targets->version, role);
	if (st == TUFSIGN_OK)
		st = lists_init(&removed, tufsign_meta_find_role(targets, role), 0, NULL, 0, err);
	if (st == TUFSIGN_OK)
		st = tufsign_meta_remove_role(targets, role, err);
	if (st == TUFSIGN_OK)
		st = prune_releases(targets, &removed, role, err);
	if (st == TUFSIGN_OK)
		st = drop_unused_keys(targets, &removed, err);
	role_lists_release(&removed);
	*changed = st == TUFSIGN_OK;
	if (st == TUFSIGN_OK)
		st = sign_targets(job, err);
	return st;
}

tufsign_status tufsign_repo_delegation_remove(const tufsign_repo_context *ctx, const char *gun,
					      const tufsign_delegation_options *opts,
					      tufsign_publish_result *result, tufsign_error *err)
{
	return run_change(ctx, gun, opts, 0, remove_edit, result, err);
}
