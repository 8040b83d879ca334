/* Reading a verified repository: the signed targets as clients see them. */
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "repo_internal.h"

struct tufsign_repo {
	tf_repo_state *state;
	tufsign_repo_target *targets;
	size_t count;
};

/* Return the role entry that delegates doc (from "targets" or from the
 * delegation whose name is doc's without the last segment). */
static const tufsign_role *delegating_role(const tufsign_chain *chain, const tufsign_meta *doc)
{
	const char *slash = strrchr(doc->role, '/');
	size_t parent_len = slash ? (size_t)(slash - doc->role) : 0;
	size_t i;

	if (parent_len == strlen("targets") && strncmp(doc->role, "targets", parent_len) == 0)
		return tufsign_meta_find_role(chain->targets, doc->role);
	for (i = 0; i < chain->delegation_count; i++) {
		const tufsign_meta *parent = chain->delegations[i];

		if (strlen(parent->role) == parent_len &&
		    strncmp(parent->role, doc->role, parent_len) == 0)
			return tufsign_meta_find_role(parent, doc->role);
	}
	return NULL;
}

/* Clients ignore targets of a delegation outside its path prefixes. */
static int within_paths(const tufsign_role *role, const char *name)
{
	size_t i;

	if (role == NULL)
		return 0;
	for (i = 0; i < role->path_count; i++)
		if (strncmp(name, role->paths[i], strlen(role->paths[i])) == 0)
			return 1;
	return 0;
}

static tufsign_status add_targets(tufsign_repo *repo, const tufsign_meta *doc,
				  const tufsign_role *delegation, tufsign_error *err)
{
	tufsign_repo_target *grown;
	size_t i;

	grown = realloc(repo->targets, (repo->count + doc->file_count + 1) * sizeof(*grown));
	if (grown == NULL)
		return tufsign_error_set(err, TUFSIGN_ERR_NOMEM, "out of memory");
	repo->targets = grown;
	for (i = 0; i < doc->file_count; i++) {
		const tufsign_file_meta *f = &doc->files[i];
		tufsign_repo_target *t = &repo->targets[repo->count];

		if (delegation != NULL && !within_paths(delegation, f->name))
			continue;
		t->name = f->name;
		t->role = doc->role;
		t->has_sha256 = f->hashes.has_sha256;
		t->sha256 = f->hashes.has_sha256 ? f->hashes.sha256 : NULL;
		t->length = f->length;
		t->custom = f->custom;
		repo->count++;
	}
	return TUFSIGN_OK;
}

static int compare_targets(const void *a, const void *b)
{
	const tufsign_repo_target *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	return c != 0 ? c : strcmp(x->role, y->role);
}

static tufsign_status collect_targets(tufsign_repo *repo, tufsign_error *err)
{
	const tufsign_chain *chain = repo->state->chain;
	tufsign_status st = add_targets(repo, chain->targets, NULL, err);
	size_t i;

	for (i = 0; st == TUFSIGN_OK && i < chain->delegation_count; i++) {
		const tufsign_meta *doc = chain->delegations[i];

		st = add_targets(repo, doc, delegating_role(chain, doc), err);
	}
	if (st == TUFSIGN_OK && repo->count > 1)
		qsort(repo->targets, repo->count, sizeof(*repo->targets), compare_targets);
	return st;
}

tufsign_status tufsign_repo_open(const tufsign_repo_context *ctx, const char *gun,
				 tufsign_repo **out, tufsign_error *err)
{
	tufsign_trust_txn *txn = NULL;
	tufsign_repo *repo = NULL;
	tufsign_status st;

	*out = NULL;
	st = tf_repo_check_call(ctx, gun, err);
	if (st != TUFSIGN_OK)
		return st;
	repo = calloc(1, sizeof(*repo));
	if (repo == NULL)
		return tufsign_error_set(err, TUFSIGN_ERR_NOMEM, "out of memory");
	st = tf_repo_begin(ctx, gun, &txn, err);
	if (st == TUFSIGN_OK)
		st = tf_repo_fetch(ctx->client, txn, gun, ctx->pin, &repo->state, err);
	if (st == TUFSIGN_OK)
		st = collect_targets(repo, err);
	if (st == TUFSIGN_OK)
		st = tf_repo_save(txn, repo->state, err);
	tufsign_trust_txn_free(txn);
	if (st != TUFSIGN_OK) {
		tufsign_repo_free(repo);
		return st;
	}
	*out = repo;
	return TUFSIGN_OK;
}

void tufsign_repo_free(tufsign_repo *repo)
{
	if (repo == NULL)
		return;
	tf_repo_state_free(repo->state);
	free(repo->targets);
	free(repo);
}

const tufsign_chain *tufsign_repo_chain(const tufsign_repo *repo)
{
	return repo->state->chain;
}

int tufsign_repo_first_use(const tufsign_repo *repo)
{
	return repo->state->first_use;
}

size_t tufsign_repo_targets(const tufsign_repo *repo, const tufsign_repo_target **list)
{
	*list = repo->targets;
	return repo->count;
}

/* Rank of a role in the order Docker clients look a tag up. */
static int lookup_rank(const char *role)
{
	if (strcmp(role, "targets/releases") == 0)
		return 0;
	if (strcmp(role, "targets") == 0)
		return 1;
	return 2;
}

const tufsign_repo_target *tufsign_repo_lookup(const tufsign_repo *repo, const char *name)
{
	const tufsign_repo_target *best = NULL;
	size_t i;

	for (i = 0; i < repo->count; i++) {
		const tufsign_repo_target *t = &repo->targets[i];

		if (strcmp(t->name, name) != 0)
			continue;
		if (best == NULL || lookup_rank(t->role) < lookup_rank(best->role))
			best = t;
	}
	return best;
}
