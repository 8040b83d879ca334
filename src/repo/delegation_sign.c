/* Signing tags into delegated roles (targets/releases, targets/<signer>)
 * with the delegation key on the token, as "docker trust sign" does for
 * every direct child delegation whose key it holds. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "edit.h"
#include "internal.h"

/* Inputs of one delegated sign. */
typedef struct deleg_sign {
	const char *const *roles;
	size_t role_count;
	const tufsign_target_change *changes;
	size_t change_count;
	const tufsign_publish_options *opts;
	tufsign_meta *created[TF_EDIT_MAX_FILES]; /* roles without a file yet */
} deleg_sign;

/* Find the key role lists for the signer, or fail naming both key IDs. */
static tufsign_status match_delegation_key(const tf_edit_job *job, const tufsign_role *role,
					   const tufsign_pubkey **listed, tufsign_error *err)
{
	const tufsign_meta *targets = job->state->chain->targets;
	const tufsign_signer *signer = job->signer;
	char id[TUFSIGN_KEYID_SIZE], ids[700];
	tufsign_error local;
	tufsign_status st;

	tufsign_error_clear(&local);
	st = tf_repo_match_key(targets, job->gun, role->name, signer, listed, &local);
	if (st != TUFSIGN_ERR_KEY_NOT_FOUND) {
		if (st != TUFSIGN_OK)
			tufsign_error_set(err, st, "%s", local.message);
		return st;
	}
	tf_repo_signer_id(signer, id, &local);
	tf_repo_describe_keys(targets, role, ids, sizeof(ids));
	return tufsign_error_set(err, TUFSIGN_ERR_KEY_NOT_FOUND,
				 "key '%s' (key ID %s) is not a key of %s in '%s': targets "
				 "version %lld lists key ID %s for it; use that key, or add "
				 "this one with 'tufsign delegation add'",
				 signer->label ? signer->label : "(unnamed)", id, role->name,
				 job->gun, (long long)targets->version, ids);
}

static int within_paths(const tufsign_role *role, const char *name)
{
	size_t i;

	for (i = 0; i < role->path_count; i++)
		if (strncmp(name, role->paths[i], strlen(role->paths[i])) == 0)
			return 1;
	return 0;
}

static tufsign_status outside_paths(const tufsign_role *role, const char *tag, tufsign_error *err)
{
	char allowed[400] = "";
	size_t i, used = 0;

	for (i = 0; i < role->path_count && used < sizeof(allowed); i++) {
		int n = snprintf(allowed + used, sizeof(allowed) - used, "%s%s", i ? ", " : "",
				 role->paths[i]);

		if (n < 0)
			break;
		used += (size_t)n;
	}
	return tufsign_error_set(err, TUFSIGN_ERR_INVALID_ARGUMENT,
				 "tag '%s' lies outside the paths of %s; clients would ignore "
				 "it there; allowed path prefixes: %s",
				 tag, role->name, role->path_count > 0 ? allowed : "none");
}

/* Return 1 when doc already holds the change. */
static int in_place(const tufsign_meta *doc, const tufsign_target_change *c)
{
	const tufsign_file_meta *entry = tufsign_meta_find_file(doc, c->name);

	if (c->remove)
		return entry == NULL;
	return entry != NULL && entry->hashes.has_sha256 &&
	       memcmp(entry->hashes.sha256, c->sha256, 32) == 0 &&
	       entry->length == (int64_t)c->length && entry->custom == NULL && c->custom == NULL;
}

static tufsign_status apply(const deleg_sign *d, const tufsign_role *role, tufsign_meta *doc,
			    int *changed, tufsign_error *err)
{
	tufsign_status st = TUFSIGN_OK;
	size_t i;

	for (i = 0; st == TUFSIGN_OK && i < d->change_count; i++) {
		const tufsign_target_change *c = &d->changes[i];

		if (!c->remove && !within_paths(role, c->name))
			return outside_paths(role, c->name, err);
		if (c->remove && tufsign_meta_find_file(doc, c->name) == NULL)
			return tufsign_error_set(err, TUFSIGN_ERR_TAG_NOT_FOUND,
						 "tag '%s' is not signed in %s; nothing to remove",
						 c->name, role->name);
		if (in_place(doc, c))
			continue;
		*changed = 1;
		if (c->remove)
			st = tufsign_meta_remove_target(doc, c->name, err);
		else
			st = tufsign_meta_set_target(doc, c->name, (int64_t)c->length, c->sha256,
						     NULL, c->custom, err);
	}
	return st;
}

/* Return the version of the file of role that the snapshot lists although
 * it was left out of the verified state (its signatures fail, for example
 * after its signer was added again with a new key), or 0. The server
 * accepts only a higher version, and nothing else is taken from the file. */
static int64_t unverified_version(tf_edit_job *job, const char *role)
{
	const tufsign_file_meta *entry = tufsign_meta_find_file(job->state->chain->snapshot, role);
	unsigned char *data = NULL;
	size_t len = 0;
	tufsign_meta *doc = NULL;
	tufsign_error ignored;
	int64_t version = 0;
	char hex[65];

	if (entry == NULL || !entry->hashes.has_sha256)
		return 0;
	tufsign_error_clear(&ignored);
	tf_repo_sha256_hex(entry->hashes.sha256, hex);
	if (tufsign_notary_get_by_hash(job->ctx->client, job->gun, role, hex, (size_t)entry->length,
				       &data, &len, &ignored) == TUFSIGN_OK &&
	    tufsign_meta_parse(role, data, len, &doc, &ignored) == TUFSIGN_OK)
		version = doc->version;
	tufsign_meta_free(doc);
	free(data);
	return version;
}

/* Return the document of role: the verified one, or a new one that signing
 * makes version 1, or one above the version of a file left out. */
static tufsign_status role_doc(tf_edit_job *job, deleg_sign *d, size_t i, tufsign_meta **doc,
			       tufsign_error *err)
{
	tufsign_meta *found = (tufsign_meta *)tufsign_chain_find(job->state->chain, d->roles[i]);
	tufsign_status st;

	*doc = found;
	if (found != NULL)
		return TUFSIGN_OK;
	tufsign_meta_free(d->created[i]);
	d->created[i] = NULL;
	st = tufsign_meta_new(d->roles[i], &d->created[i], err);
	if (st == TUFSIGN_OK) {
		d->created[i]->version = unverified_version(job, d->roles[i]);
		*doc = d->created[i];
	}
	return st;
}

static tufsign_status sign_edit(tf_edit_job *job, int *changed, tufsign_error *err)
{
	deleg_sign *d = (deleg_sign *)job->arg;
	const tufsign_meta *targets = job->state->chain->targets;
	tufsign_status st = TUFSIGN_OK;
	size_t i;

	for (i = 0; st == TUFSIGN_OK && i < d->role_count; i++) {
		const tufsign_role *role = tufsign_meta_find_role(targets, d->roles[i]);
		tufsign_signing_key key = {job->signer, NULL};
		tufsign_meta *doc = NULL;
		int role_changed = 0;

		if (role == NULL)
			st = tufsign_error_set(err, TUFSIGN_ERR_INVALID_ARGUMENT,
					       "'%s' has no delegation %s (targets version "
					       "%lld); add it with 'tufsign delegation add'",
					       job->gun, d->roles[i], (long long)targets->version);
		if (st == TUFSIGN_OK)
			st = match_delegation_key(job, role, &key.key, err);
		if (st == TUFSIGN_OK)
			st = role_doc(job, d, i, &doc, err);
		if (st == TUFSIGN_OK)
			st = apply(d, role, doc, &role_changed, err);
		/* NOTE: one key signs, so a role with threshold above 1 is
		 * rejected by the server; docker creates only threshold 1. */
		if (st == TUFSIGN_OK && role_changed)
			st = tf_edit_sign(job, doc, &key, 1, TF_TARGETS_EXPIRY_YEARS, err);
		if (st != TUFSIGN_OK)
			tufsign_error_locate(err, d->roles[i], NULL);
		*changed |= role_changed;
	}
	return st;
}

/* Check the roles: direct children of targets, each given once. */
static tufsign_status check_roles(const char *const *roles, size_t count, tufsign_error *err)
{
	size_t i, k;

	if (roles == NULL || count == 0 || count > TUFSIGN_MAX_SIGN_ROLES)
		return tufsign_error_set(err, TUFSIGN_ERR_INVALID_ARGUMENT,
					 "give 1 to %d delegation roles to sign into",
					 TUFSIGN_MAX_SIGN_ROLES);
	for (i = 0; i < count; i++) {
		tufsign_status st = tufsign_meta_check_role_name(roles[i], err);

		if (st == TUFSIGN_OK && strchr(roles[i] + 8, '/') != NULL)
			st = tufsign_error_set(err, TUFSIGN_ERR_UNSUPPORTED,
					       "role '%s' is not a direct child of targets; "
					       "tufsign signs into targets/NAME roles only",
					       roles[i]);
		for (k = 0; st == TUFSIGN_OK && k < i; k++)
			if (strcmp(roles[k], roles[i]) == 0)
				st = tufsign_error_set(err, TUFSIGN_ERR_INVALID_ARGUMENT,
						       "role '%s' is given twice", roles[i]);
		if (st != TUFSIGN_OK)
			return st;
	}
	return TUFSIGN_OK;
}

tufsign_status tufsign_repo_publish_delegations(const tufsign_repo_context *ctx, const char *gun,
						const char *const *roles, size_t role_count,
						const tufsign_target_change *changes,
						size_t change_count,
						const tufsign_publish_options *opts,
						tufsign_publish_result *result, tufsign_error *err)
{
	deleg_sign d;
	tf_edit_job job;
	tufsign_status st;
	size_t i;

	memset(result, 0, sizeof(*result));
	if (opts == NULL || opts->targets == NULL || changes == NULL || change_count == 0)
		return tufsign_error_set(err, TUFSIGN_ERR_INVALID_ARGUMENT,
					 "a delegated sign needs a delegation key and at least "
					 "one change");
	st = tf_repo_check_call(ctx, gun, err);
	if (st == TUFSIGN_OK)
		st = check_roles(roles, role_count, err);
	if (st != TUFSIGN_OK)
		return st;
	memset(&d, 0, sizeof(d));
	d.roles = roles;
	d.role_count = role_count;
	d.changes = changes;
	d.change_count = change_count;
	d.opts = opts;
	tf_edit_init(&job, ctx, gun, opts->targets, opts->snapshot, roles[0], sign_edit, &d);
	job.roles = roles;
	job.role_count = role_count;
	st = tf_edit_run(&job, result, err);
	for (i = 0; i < TF_EDIT_MAX_FILES; i++)
		tufsign_meta_free(d.created[i]);
	return st;
}
