/* Fetching the metadata of a GUN and verifying it from the pinned root,
 * the way notary's client does: root (walking N.root.json when the server's
 * root is newer than the pinned one), timestamp, snapshot by hash, targets
 * and delegations by hash. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "net/client.h"
#include "repo_internal.h"
#include "tufsign/verify.h"

static void role_bytes_release(tf_role_bytes *b)
{
	free(b->role);
	free(b->data);
	memset(b, 0, sizeof(*b));
}

void tf_repo_state_free(tf_repo_state *state)
{
	size_t i;

	if (state == NULL)
		return;
	tufsign_chain_free(state->chain);
	role_bytes_release(&state->root);
	role_bytes_release(&state->timestamp);
	role_bytes_release(&state->snapshot);
	role_bytes_release(&state->targets);
	for (i = 0; i < state->delegation_count; i++)
		role_bytes_release(&state->delegations[i]);
	free(state->delegations);
	free(state);
}

void tf_repo_sha256_hex(const unsigned char sha256[32], char out[65])
{
	tf_hex_encode(sha256, 32, out);
}

static tufsign_status set_role_name(tf_role_bytes *b, const char *role, tufsign_error *err)
{
	b->role = tf_strdup(role);
	return b->role ? TUFSIGN_OK : tufsign_error_set(err, TUFSIGN_ERR_NOMEM, "out of memory");
}

/* Parse file bytes only to learn what to download next; the chain
 * verification checks everything afterwards. */
static tufsign_status peek(const char *role, const tf_role_bytes *b, tufsign_meta **doc,
			   tufsign_error *err)
{
	tufsign_status st = tufsign_meta_parse(role, b->data, b->len, doc, err);

	if (st != TUFSIGN_OK)
		tufsign_error_prefix(err, "cannot read %s from the server: ", role);
	return st;
}

/* Roots between the pinned one and the server's current one. */
typedef struct root_walk {
	tf_role_bytes *roots;
	size_t count;
} root_walk;

static void root_walk_release(root_walk *w)
{
	size_t i;

	for (i = 0; i < w->count; i++)
		role_bytes_release(&w->roots[i]);
	free(w->roots);
	memset(w, 0, sizeof(*w));
}

/* Collect versions pinned+1 .. current-1 from N.root.json and the current
 * root itself (moved out of *current), so the chain check can verify each
 * rotation with the keys of the root before it. */
static tufsign_status walk_roots(tufsign_notary *client, const char *gun, int64_t pinned,
				 int64_t current, tf_role_bytes *current_bytes, root_walk *w,
				 tufsign_error *err)
{
	size_t n = (size_t)(current - pinned), i;
	tufsign_status st;

	w->roots = calloc(n, sizeof(*w->roots));
	if (w->roots == NULL)
		return tufsign_error_set(err, TUFSIGN_ERR_NOMEM, "out of memory");
	for (i = 0; i + 1 < n; i++) {
		uint64_t version = (uint64_t)pinned + 1 + i;

		TF_DEBUG(TF_REPO_LOG, "fetching root version %llu", (unsigned long long)version);
		w->count++;
		st = set_role_name(&w->roots[i], "root", err);
		if (st == TUFSIGN_OK)
			st = tufsign_notary_get_by_version(client, gun, "root", version, 0,
							   &w->roots[i].data, &w->roots[i].len,
							   err);
		if (st != TUFSIGN_OK)
			return st;
	}
	w->roots[n - 1] = *current_bytes;
	memset(current_bytes, 0, sizeof(*current_bytes));
	w->count = n;
	return TUFSIGN_OK;
}

/* Versions of the roles in the trust cache: the floor for new downloads. */
typedef struct cached_version {
	char *role;
	int64_t version;
} cached_version;

typedef struct cached_versions {
	cached_version *items;
	size_t count;
} cached_versions;

static void cached_versions_release(cached_versions *v)
{
	size_t i;

	for (i = 0; i < v->count; i++)
		free(v->items[i].role);
	free(v->items);
	memset(v, 0, sizeof(*v));
}

/* Read the version of the cached file of role, if there is one. The cache
 * only ever holds verified files, so they are parsed, not verified again:
 * a cached timestamp may well have expired since. */
static tufsign_status read_cached_version(tufsign_trust_txn *txn, const char *role,
					  cached_versions *v, tufsign_meta **doc,
					  tufsign_error *err)
{
	unsigned char *data = NULL;
	size_t len = 0;
	cached_version *grown;
	tufsign_error local;
	tufsign_status st;

	*doc = NULL;
	tufsign_error_clear(&local);
	if (tufsign_trust_txn_read(txn, role, &data, &len, &local) != TUFSIGN_OK)
		return TUFSIGN_OK;
	st = tufsign_meta_parse(role, data, len, doc, err);
	free(data);
	if (st != TUFSIGN_OK) {
		tufsign_error_prefix(err, "cannot read %s from the trust cache at %s: ", role,
				     tufsign_trust_txn_path(txn));
		return st;
	}
	grown = realloc(v->items, (v->count + 1) * sizeof(*grown));
	if (grown == NULL)
		return tufsign_error_set(err, TUFSIGN_ERR_NOMEM, "out of memory");
	v->items = grown;
	v->items[v->count].role = tf_strdup(role);
	v->items[v->count].version = (*doc)->version;
	if (v->items[v->count].role == NULL)
		return tufsign_error_set(err, TUFSIGN_ERR_NOMEM, "out of memory");
	v->count++;
	return TUFSIGN_OK;
}

static tufsign_status load_previous(tufsign_trust_txn *txn, cached_versions *v, tufsign_error *err)
{
	tufsign_meta *timestamp = NULL, *snapshot = NULL, *targets = NULL, *del = NULL;
	tufsign_status st;
	size_t i;

	st = read_cached_version(txn, "timestamp", v, &timestamp, err);
	if (st == TUFSIGN_OK)
		st = read_cached_version(txn, "snapshot", v, &snapshot, err);
	if (st == TUFSIGN_OK)
		st = read_cached_version(txn, "targets", v, &targets, err);
	for (i = 0; st == TUFSIGN_OK && snapshot != NULL && i < snapshot->file_count; i++) {
		if (strncmp(snapshot->files[i].name, "targets/", 8) != 0)
			continue;
		st = read_cached_version(txn, snapshot->files[i].name, v, &del, err);
		tufsign_meta_free(del);
		del = NULL;
	}
	tufsign_meta_free(timestamp);
	tufsign_meta_free(snapshot);
	tufsign_meta_free(targets);
	return st;
}

/* Refuse a verified state in which any role is older than in the cache. */
static tufsign_status check_versions(const tufsign_chain *chain, const cached_versions *v,
				     const char *gun, tufsign_error *err)
{
	size_t i;

	for (i = 0; i < v->count; i++) {
		const tufsign_meta *doc = tufsign_chain_find(chain, v->items[i].role);

		if (doc != NULL && doc->version < v->items[i].version)
			return tufsign_error_set(err, TUFSIGN_ERR_ROLLBACK,
						 "the server's %s of '%s' is version %lld, older "
						 "than the trusted version %lld; refusing the "
						 "rollback",
						 v->items[i].role, gun, (long long)doc->version,
						 (long long)v->items[i].version);
	}
	return TUFSIGN_OK;
}

/* The state of one fetch until the chain is verified. */
typedef struct fetch_job {
	tufsign_notary *client;
	tufsign_trust_txn *txn;
	const char *gun;
	unsigned char *pinned_root; /* NULL on first use */
	size_t pinned_len;
	cached_versions previous;
	tf_role_bytes server_root;
	root_walk walk;
	tf_repo_state *state;
} fetch_job;

static tufsign_status root_version(const unsigned char *data, size_t len, int64_t *version,
				   tufsign_error *err)
{
	tufsign_meta *doc = NULL;
	tufsign_status st = tufsign_meta_parse("root", data, len, &doc, err);

	if (st == TUFSIGN_OK)
		*version = doc->version;
	else
		tufsign_error_prefix(err, "cannot read root: ");
	tufsign_meta_free(doc);
	return st;
}

static tufsign_status copy_bytes(tf_role_bytes *dst, const char *role, const unsigned char *data,
				 size_t len, tufsign_error *err)
{
	dst->data = malloc(len + 1);
	if (dst->data == NULL || set_role_name(dst, role, err) != TUFSIGN_OK)
		return tufsign_error_set(err, TUFSIGN_ERR_NOMEM, "out of memory");
	memcpy(dst->data, data, len);
	dst->data[len] = '\0';
	dst->len = len;
	return TUFSIGN_OK;
}

/* Return 1 when a threshold of the pinned root's root keys signs the root
 * file data. Every root that follows the pinned one is signed so, because a
 * rotation is signed with the old root keys as well as the new ones. */
static int signed_by_pinned(const fetch_job *job, const unsigned char *data, size_t len)
{
	tufsign_meta *pinned = NULL, *doc = NULL;
	const tufsign_role *role = NULL;
	char *msg = NULL;
	size_t msg_len = 0;
	tufsign_error ignored;
	int ok = 0;

	tufsign_error_clear(&ignored);
	if (tufsign_meta_parse("root", job->pinned_root, job->pinned_len, &pinned, &ignored) ==
		    TUFSIGN_OK &&
	    tufsign_meta_parse("root", data, len, &doc, &ignored) == TUFSIGN_OK &&
	    tufsign_verify_message(data, len, &msg, &msg_len, &ignored) == TUFSIGN_OK)
		role = tufsign_meta_find_role(pinned, "root");
	if (role != NULL)
		ok = tufsign_verify_threshold(doc, msg, msg_len, pinned->keys, pinned->key_count,
					      role, NULL, &ignored) == TUFSIGN_OK;
	free(msg);
	tufsign_meta_free(doc);
	tufsign_meta_free(pinned);
	return ok;
}

/* Report a server root that does not continue the pinned root's chain. */
static tufsign_status report_foreign_root(const fetch_job *job, int64_t current, int64_t pinned,
					  tufsign_error *err)
{
	const char *dir = tufsign_trust_txn_path(job->txn);

	/* An older root is a rollback first; the reset is the other reading. */
	if (current < pinned)
		return tufsign_error_set(
			err, TUFSIGN_ERR_ROLLBACK,
			"the server's root of '%s' is version %lld, older than the trusted version "
			"%lld, and not signed by the root pinned in the trust cache at %s: the "
			"server may be rolling back, or the repository was deleted and created "
			"again; refusing it. Only if the reset is known and intended, remove %s to "
			"trust the new root on next use (with --root-key-id to pin it)",
			job->gun, (long long)current, (long long)pinned, dir, dir);
	return tufsign_error_set(
		err, TUFSIGN_ERR_UNTRUSTED,
		"the server's root of '%s' (version %lld) is not signed by the root pinned in the "
		"trust cache at %s: the repository may have been deleted and created again, or "
		"the server is not trustworthy; if the reset is known and intended, remove %s to "
		"trust the new root on next use (with --root-key-id to pin it)",
		job->gun, (long long)current, dir, dir);
}

/* Replace the 404 recorded in err for a repository that is in the trust
 * cache but no longer on the server. This is a server failure (exit 5),
 * not bad input and not "unsigned", because the GUN was right and a
 * repository that vanishes may be a fault or an attack. */
static tufsign_status report_deleted(const fetch_job *job, tufsign_error *err)
{
	char detail[sizeof(err->message)];

	snprintf(detail, sizeof(detail), "%s", err->message);
	tufsign_error_clear(err);
	return tufsign_error_set(err, TUFSIGN_ERR_NOT_FOUND,
				 "repository '%s' is in the trust cache but not on the server "
				 "(deleted?); create it again with 'tufsign init': %s",
				 job->gun, detail);
}

/* Download root.json and decide which roots the chain check walks. */
static tufsign_status resolve_root(fetch_job *job, tufsign_error *err)
{
	int64_t pinned = 0, current = 0;
	tufsign_error local;
	tufsign_status st;

	tufsign_error_clear(&local);
	st = tufsign_notary_get_role(job->client, job->gun, "root", 0, &job->server_root.data,
				     &job->server_root.len, &local);
	if (st == TUFSIGN_ERR_NOT_FOUND && job->pinned_root != NULL) {
		tufsign_error_set(err, st, "%s", local.message);
		return report_deleted(job, err);
	}
	if (st == TUFSIGN_ERR_NOT_FOUND)
		return tufsign_error_set(err, TUFSIGN_ERR_REPO_NOT_FOUND,
					 "repository '%s' does not exist on the server %s; check "
					 "the GUN, or create the repository with 'tufsign init'",
					 job->gun, tf_notary_base_url(job->client));
	if (st != TUFSIGN_OK)
		return tufsign_error_set(err, st, "%s", local.message);
	if (job->pinned_root == NULL) {
		job->state->first_use = 1;
		return copy_bytes(&job->state->root, "root", job->server_root.data,
				  job->server_root.len, err);
	}
	st = root_version(job->pinned_root, job->pinned_len, &pinned, err);
	if (st == TUFSIGN_OK)
		st = root_version(job->server_root.data, job->server_root.len, &current, err);
	if (st != TUFSIGN_OK)
		return st;
	if (current <= pinned &&
	    (job->server_root.len != job->pinned_len ||
	     memcmp(job->server_root.data, job->pinned_root, job->pinned_len) != 0) &&
	    !signed_by_pinned(job, job->server_root.data, job->server_root.len))
		return report_foreign_root(job, current, pinned, err);
	if (current < pinned)
		return tufsign_error_set(err, TUFSIGN_ERR_ROLLBACK,
					 "the server's root of '%s' is version %lld, older than "
					 "the trusted version %lld; refusing the rollback",
					 job->gun, (long long)current, (long long)pinned);
	if (current == pinned)
		return copy_bytes(&job->state->root, "root", job->pinned_root, job->pinned_len,
				  err);
	TF_INFO(TF_REPO_LOG, "root of '%s' changed from version %lld to %lld; verifying each step",
		job->gun, (long long)pinned, (long long)current);
	job->state->root_rotated = 1;
	st = copy_bytes(&job->state->root, "root", job->server_root.data, job->server_root.len,
			err);
	if (st != TUFSIGN_OK)
		return st;
	st = walk_roots(job->client, job->gun, pinned, current, &job->server_root, &job->walk, err);
	if (st == TUFSIGN_OK &&
	    !signed_by_pinned(job, job->walk.roots[0].data, job->walk.roots[0].len))
		return report_foreign_root(job, current, pinned, err);
	return st;
}

static tufsign_status add_delegation(tf_repo_state *state, tufsign_error *err)
{
	tf_role_bytes *grown =
		realloc(state->delegations, (state->delegation_count + 1) * sizeof(*grown));

	if (grown == NULL)
		return tufsign_error_set(err, TUFSIGN_ERR_NOMEM, "out of memory");
	memset(&grown[state->delegation_count], 0, sizeof(*grown));
	state->delegations = grown;
	state->delegation_count++;
	return TUFSIGN_OK;
}

/* Use the cached file of role when it has exactly the length and SHA-256
 * of entry, so a client that is up to date downloads only the timestamp
 * and the snapshot. Returns 1 when out was filled. */
static int reuse_cached(fetch_job *job, const char *role, const tufsign_file_meta *entry,
			tf_role_bytes *out)
{
	unsigned char *data = NULL;
	size_t len = 0;
	tufsign_digest digest;
	tufsign_error ignored;

	tufsign_error_clear(&ignored);
	if (tufsign_trust_txn_read(job->txn, role, &data, &len, &ignored) != TUFSIGN_OK)
		return 0;
	if ((int64_t)len != entry->length ||
	    tufsign_digest_compute(data, len, &digest, &ignored) != TUFSIGN_OK ||
	    memcmp(digest.sha256, entry->hashes.sha256, 32) != 0) {
		free(data);
		return 0;
	}
	TF_DEBUG(TF_REPO_LOG, "%s of '%s' is unchanged; using the cached copy", role, job->gun);
	out->data = data;
	out->len = len;
	return 1;
}

/* Get the file that doc's "meta" or "targets" entry name describes: the
 * cached copy when it matches, else a download by its SHA-256, capped at
 * the length the entry gives. */
static tufsign_status fetch_listed(fetch_job *job, const tufsign_meta *doc, const char *name,
				   tf_role_bytes *out, tufsign_error *err)
{
	const tufsign_file_meta *entry = tufsign_meta_find_file(doc, name);
	tufsign_status st;
	char hex[65];

	if (entry == NULL || !entry->hashes.has_sha256)
		return tufsign_error_set(err, TUFSIGN_ERR_METADATA,
					 "%s version %lld has no sha256 entry for '%s'", doc->role,
					 (long long)doc->version, name);
	st = set_role_name(out, name, err);
	if (st != TUFSIGN_OK || reuse_cached(job, name, entry, out))
		return st;
	tf_repo_sha256_hex(entry->hashes.sha256, hex);
	return tufsign_notary_get_by_hash(job->client, job->gun, name, hex, (size_t)entry->length,
					  &out->data, &out->len, err);
}

/* Download timestamp.json, then the snapshot it lists by hash. *snapshot
 * receives the parsed, not yet verified, snapshot. */
static tufsign_status fetch_timestamp_snapshot(fetch_job *job, tufsign_meta **snapshot,
					       tufsign_error *err)
{
	tf_repo_state *s = job->state;
	tufsign_meta *timestamp = NULL;
	tufsign_status st;

	*snapshot = NULL;
	st = set_role_name(&s->timestamp, "timestamp", err);
	if (st == TUFSIGN_OK)
		st = tufsign_notary_get_role(job->client, job->gun, "timestamp", 0,
					     &s->timestamp.data, &s->timestamp.len, err);
	if (st == TUFSIGN_OK)
		st = peek("timestamp", &s->timestamp, &timestamp, err);
	if (st == TUFSIGN_OK)
		st = fetch_listed(job, timestamp, "snapshot", &s->snapshot, err);
	if (st == TUFSIGN_OK)
		st = peek("snapshot", &s->snapshot, snapshot, err);
	tufsign_meta_free(timestamp);
	return st;
}

/* Set *orphan when name is a direct child of targets that targets no longer
 * delegates: removing a delegation leaves its entry in the server's
 * snapshot, and clients, which walk the delegations from targets, ignore it.
 * targets is parsed on the first call. */
static tufsign_status orphan_role(const tf_repo_state *s, const char *name, tufsign_meta **targets,
				  int *orphan, tufsign_error *err)
{
	tufsign_status st = TUFSIGN_OK;

	*orphan = 0;
	if (strchr(name + 8, '/') != NULL)
		return TUFSIGN_OK;
	if (*targets == NULL)
		st = peek("targets", &s->targets, targets, err);
	if (st == TUFSIGN_OK && tufsign_meta_find_role(*targets, name) == NULL) {
		TF_DEBUG(TF_REPO_LOG, "%s is in the snapshot but no longer delegated; skipped",
			 name);
		*orphan = 1;
	}
	return st;
}

/* Get targets and every delegation the snapshot lists. */
static tufsign_status fetch_targets(fetch_job *job, const tufsign_meta *snapshot,
				    tufsign_error *err)
{
	tf_repo_state *s = job->state;
	tufsign_meta *targets = NULL;
	tufsign_status st;
	size_t i;
	int orphan = 0;

	st = fetch_listed(job, snapshot, "targets", &s->targets, err);
	for (i = 0; st == TUFSIGN_OK && i < snapshot->file_count; i++) {
		const char *name = snapshot->files[i].name;

		if (strncmp(name, "targets/", 8) != 0)
			continue;
		st = orphan_role(s, name, &targets, &orphan, err);
		if (st != TUFSIGN_OK || orphan)
			continue;
		st = add_delegation(s, err);
		if (st == TUFSIGN_OK)
			st = fetch_listed(job, snapshot, name,
					  &s->delegations[s->delegation_count - 1], err);
	}
	tufsign_meta_free(targets);
	return st;
}

/* Return 1 when the snapshot lists exactly the pinned root's bytes. */
static int lists_pinned_root(const fetch_job *job, const tufsign_meta *snapshot)
{
	const tufsign_file_meta *entry = tufsign_meta_find_file(snapshot, "root");
	tufsign_digest digest;
	tufsign_error ignored;

	tufsign_error_clear(&ignored);
	return entry != NULL && entry->hashes.has_sha256 &&
	       entry->length == (int64_t)job->pinned_len &&
	       tufsign_digest_compute(job->pinned_root, job->pinned_len, &digest, &ignored) ==
		       TUFSIGN_OK &&
	       memcmp(digest.sha256, entry->hashes.sha256, 32) == 0;
}

/* Get every file of the current state. With a pinned root, root.json is
 * downloaded only when the snapshot lists other root bytes, which is how a
 * rotation shows. */
static tufsign_status fetch_files(fetch_job *job, tufsign_error *err)
{
	tufsign_meta *snapshot = NULL;
	tufsign_status st;

	if (job->pinned_root == NULL) {
		st = resolve_root(job, err);
		if (st == TUFSIGN_OK)
			st = fetch_timestamp_snapshot(job, &snapshot, err);
	} else {
		st = fetch_timestamp_snapshot(job, &snapshot, err);
		if (st == TUFSIGN_ERR_NOT_FOUND)
			st = report_deleted(job, err);
		if (st == TUFSIGN_OK && lists_pinned_root(job, snapshot))
			st = copy_bytes(&job->state->root, "root", job->pinned_root,
					job->pinned_len, err);
		else if (st == TUFSIGN_OK)
			st = resolve_root(job, err);
	}
	if (st == TUFSIGN_OK)
		st = fetch_targets(job, snapshot, err);
	tufsign_meta_free(snapshot);
	return st;
}

static tufsign_status verify_files(fetch_job *job, tufsign_error *err)
{
	tf_repo_state *s = job->state;
	tufsign_role_file ts = {"timestamp", s->timestamp.data, s->timestamp.len};
	tufsign_role_file sn = {"snapshot", s->snapshot.data, s->snapshot.len};
	tufsign_role_file tg = {"targets", s->targets.data, s->targets.len};
	tufsign_role_file *roots = NULL, *dels = NULL;
	tufsign_chain_input in;
	tufsign_status st = TUFSIGN_ERR_NOMEM;
	size_t i;

	roots = calloc(job->walk.count + 1, sizeof(*roots));
	dels = calloc(s->delegation_count + 1, sizeof(*dels));
	if (roots == NULL || dels == NULL) {
		tufsign_error_set(err, st, "out of memory");
		goto out;
	}
	for (i = 0; i < job->walk.count; i++)
		roots[i] = (tufsign_role_file){"root", job->walk.roots[i].data,
					       job->walk.roots[i].len};
	for (i = 0; i < s->delegation_count; i++)
		dels[i] = (tufsign_role_file){s->delegations[i].role, s->delegations[i].data,
					      s->delegations[i].len};
	memset(&in, 0, sizeof(in));
	in.gun = job->gun;
	in.now = time(NULL);
	in.trusted_root = job->pinned_root ? job->pinned_root : s->root.data;
	in.trusted_root_len = job->pinned_root ? job->pinned_len : s->root.len;
	in.roots = roots;
	in.root_count = job->walk.count;
	in.timestamp = &ts;
	in.snapshot = &sn;
	in.targets = &tg;
	in.delegations = dels;
	in.delegation_count = s->delegation_count;
	st = tufsign_verify_chain(&in, &s->chain, err);
	if (st != TUFSIGN_OK)
		tufsign_error_prefix(
			err, "metadata of '%s' from the server failed verification: ", job->gun);
out:
	free(roots);
	free(dels);
	return st;
}

static tufsign_status read_pinned_root(tufsign_trust_txn *txn, fetch_job *job, tufsign_error *err)
{
	tufsign_error local;
	tufsign_status st;

	tufsign_error_clear(&local);
	st = tufsign_trust_txn_read(txn, "root", &job->pinned_root, &job->pinned_len, &local);
	if (st == TUFSIGN_ERR_NOT_FOUND)
		return TUFSIGN_OK;
	if (st != TUFSIGN_OK)
		return tufsign_error_set(err, local.status, "%s", local.message);
	return load_previous(txn, &job->previous, err);
}

static void fetch_job_release(fetch_job *job)
{
	tf_repo_state_free(job->state);
	cached_versions_release(&job->previous);
	free(job->pinned_root);
	role_bytes_release(&job->server_root);
	root_walk_release(&job->walk);
}

static tufsign_status fetch_job_init(fetch_job *job, tufsign_notary *client, tufsign_trust_txn *txn,
				     const char *gun, tufsign_error *err)
{
	memset(job, 0, sizeof(*job));
	job->client = client;
	job->txn = txn;
	job->gun = gun;
	job->state = calloc(1, sizeof(*job->state));
	if (job->state == NULL)
		return tufsign_error_set(err, TUFSIGN_ERR_NOMEM, "out of memory");
	return TUFSIGN_OK;
}

/* Drop the file of delegation role, and of the roles below it, from
 * state. Returns 1 when role was one of its delegations. */
static int drop_delegation(tf_repo_state *state, const char *role)
{
	size_t i, kept = 0, len = strlen(role);
	int found = 0;

	if (strncmp(role, "targets/", 8) != 0)
		return 0;
	for (i = 0; i < state->delegation_count; i++) {
		const char *name = state->delegations[i].role;

		if (strcmp(name, role) == 0 ||
		    (strncmp(name, role, len) == 0 && name[len] == '/')) {
			found |= strcmp(name, role) == 0;
			role_bytes_release(&state->delegations[i]);
			continue;
		}
		state->delegations[kept++] = state->delegations[i];
	}
	state->delegation_count = kept;
	return found;
}

/* Find the delegation of state that failed verification. err->role contains
 * at most sizeof(err->role) - 1 bytes of the name, so a name cut there
 * matches the one delegation that starts with it. Returns 0 when none or
 * several match. */
static int failed_delegation(const tf_repo_state *state, const tufsign_error *err,
			     char role[TUFSIGN_ROLE_NAME_SIZE])
{
	size_t i, len = strlen(err->role), matches = 0;
	int cut = len == sizeof(err->role) - 1;

	for (i = 0; i < state->delegation_count; i++) {
		const char *name = state->delegations[i].role;

		if (strcmp(name, err->role) == 0) {
			snprintf(role, TUFSIGN_ROLE_NAME_SIZE, "%s", name);
			return 1;
		}
		if (cut && strncmp(name, err->role, len) == 0) {
			snprintf(role, TUFSIGN_ROLE_NAME_SIZE, "%s", name);
			matches++;
		}
	}
	return matches == 1;
}

/* Verify the files of job. A delegation whose signatures fail is left out
 * with a warning, as notary and docker leave it out and show the other
 * tags: for example the old file of a signer removed and added again with
 * a new key, which the server's snapshot still lists. */
static tufsign_status verify_skipping(fetch_job *job, tufsign_error *err)
{
	tufsign_status st = verify_files(job, err);
	char role[TUFSIGN_ROLE_NAME_SIZE];

	while (st == TUFSIGN_ERR_SIGNATURE && failed_delegation(job->state, err, role) &&
	       drop_delegation(job->state, role)) {
		TF_WARN(TF_REPO_LOG, "ignoring %s of '%s', as clients do: %s", role, job->gun,
			err->message);
		tufsign_error_clear(err);
		st = verify_files(job, err);
	}
	return st;
}

/* Most earlier root versions read to explain a root pin that fails. */
#define MAX_PIN_WALK 50

/* Return 1 when an earlier root version on the server lists pin: the root
 * key was rotated since the pin was taken. These roots only shape the
 * message; nothing trusts them. */
static int pin_in_older_root(const fetch_job *job, const tufsign_repo_pin *pin)
{
	int64_t v, current = job->state->chain->root->version;
	int found = 0;

	for (v = current - 1; !found && v >= 1 && v >= current - MAX_PIN_WALK; v--) {
		unsigned char *data = NULL;
		size_t len = 0;
		tufsign_meta *doc = NULL;
		tufsign_error ignored;

		tufsign_error_clear(&ignored);
		if (tufsign_notary_get_by_version(job->client, job->gun, "root", (uint64_t)v, 0,
						  &data, &len, &ignored) == TUFSIGN_OK &&
		    tufsign_meta_parse("root", data, len, &doc, &ignored) == TUFSIGN_OK)
			found = tf_repo_check_pin(doc, pin, &ignored) == TUFSIGN_OK;
		tufsign_meta_free(doc);
		free(data);
	}
	return found;
}

/* Check pin against the current root; when an earlier root lists it, say
 * which root key ID to pin now. */
static tufsign_status check_pin(const fetch_job *job, const tufsign_repo_pin *pin,
				tufsign_error *err)
{
	const tufsign_meta *root = job->state->chain->root;
	char id[TUFSIGN_KEYID_SIZE], plain[TUFSIGN_KEYID_SIZE] = "";
	const tufsign_pubkey *key;
	tufsign_error ignored;
	tufsign_status st = tf_repo_check_pin(root, pin, err);

	if (st != TUFSIGN_ERR_UNTRUSTED || !pin_in_older_root(job, pin))
		return st;
	tf_repo_first_root_key(root, id);
	key = tufsign_meta_find_key(root, id);
	tufsign_error_clear(&ignored);
	if (key != NULL)
		tufsign_pubkey_canonical_id(key, plain, &ignored);
	tufsign_error_clear(err);
	return tufsign_error_set(err, TUFSIGN_ERR_UNTRUSTED,
				 "the server's root (version %lld) of '%s' does not list the "
				 "pinned root key, but an earlier root version does: the root key "
				 "was rotated since; pin %s (plain %s)",
				 (long long)root->version, job->gun, id, plain);
}

/* Verify the files of job and hand the state to *out. */
static tufsign_status finish(fetch_job *job, const tufsign_repo_pin *pin, tf_repo_state **out,
			     tufsign_error *err)
{
	tufsign_status st = verify_skipping(job, err);

	if (st == TUFSIGN_OK)
		st = check_versions(job->state->chain, &job->previous, job->gun, err);
	if (st == TUFSIGN_OK && pin != NULL)
		st = check_pin(job, pin, err);
	if (st == TUFSIGN_OK) {
		*out = job->state;
		job->state = NULL;
	}
	return st;
}

tufsign_status tf_repo_fetch(tufsign_notary *client, tufsign_trust_txn *txn, const char *gun,
			     const tufsign_repo_pin *pin, tf_repo_state **out, tufsign_error *err)
{
	fetch_job job;
	tufsign_status st;

	*out = NULL;
	st = fetch_job_init(&job, client, txn, gun, err);
	if (st == TUFSIGN_OK)
		st = read_pinned_root(txn, &job, err);
	if (st == TUFSIGN_OK)
		st = fetch_files(&job, err);
	if (st == TUFSIGN_OK)
		st = finish(&job, pin, out, err);
	fetch_job_release(&job);
	return st;
}

static int covers(const tufsign_meta *snapshot, const char *role, const tufsign_digest *digest)
{
	const tufsign_file_meta *entry = tufsign_meta_find_file(snapshot, role);

	return entry != NULL && entry->hashes.has_sha256 && entry->length == digest->length &&
	       memcmp(entry->hashes.sha256, digest->sha256, 32) == 0;
}

/* Move the files that did not change in the upload from base to job. */
static void take_unchanged(fetch_job *job, tf_repo_state *base)
{
	job->state->root = base->root;
	memset(&base->root, 0, sizeof(base->root));
	job->state->delegations = base->delegations;
	job->state->delegation_count = base->delegation_count;
	base->delegations = NULL;
	base->delegation_count = 0;
	job->state->first_use = base->first_use;
}

tufsign_status tf_repo_fetch_uploaded(tufsign_notary *client, tufsign_trust_txn *txn,
				      const char *gun, tf_repo_state *base, tf_role_bytes *targets,
				      const tufsign_digest *digest, tf_repo_state **out,
				      tufsign_error *err)
{
	tufsign_meta *snapshot = NULL;
	fetch_job job;
	tufsign_status st;

	*out = NULL;
	if (base->root_rotated)
		return TUFSIGN_OK;
	st = fetch_job_init(&job, client, txn, gun, err);
	if (st == TUFSIGN_OK)
		st = read_pinned_root(txn, &job, err);
	if (st == TUFSIGN_OK) {
		take_unchanged(&job, base);
		st = fetch_timestamp_snapshot(&job, &snapshot, err);
	}
	if (st == TUFSIGN_OK && covers(snapshot, "targets", digest)) {
		job.state->targets.data = targets->data;
		job.state->targets.len = targets->len;
		targets->data = NULL;
		st = set_role_name(&job.state->targets, "targets", err);
		if (st == TUFSIGN_OK)
			st = finish(&job, NULL, out, err);
	}
	tufsign_meta_free(snapshot);
	fetch_job_release(&job);
	return st;
}

static tufsign_status stage(tufsign_trust_txn *txn, const tf_role_bytes *b, tufsign_error *err)
{
	return tufsign_trust_txn_stage(txn, b->role, b->data, b->len, err);
}

static int holds_delegation(const tf_repo_state *state, const char *role)
{
	size_t i;

	for (i = 0; i < state->delegation_count; i++)
		if (strcmp(state->delegations[i].role, role) == 0)
			return 1;
	return 0;
}

/* Stage again the cached file of each delegation that the snapshot lists
 * but state left out (its signatures failed, or targets no longer delegates
 * it). The cached file was verified when it was stored, and its version
 * stays the floor that a later download of the role must not go below. */
static tufsign_status keep_left_out(tufsign_trust_txn *txn, const tf_repo_state *state,
				    tufsign_error *err)
{
	const tufsign_meta *snapshot = state->chain->snapshot;
	tufsign_status st = TUFSIGN_OK;
	size_t i;

	for (i = 0; st == TUFSIGN_OK && i < snapshot->file_count; i++) {
		const char *role = snapshot->files[i].name;
		unsigned char *data = NULL;
		size_t len = 0;
		tufsign_error local;

		if (strncmp(role, "targets/", 8) != 0 || holds_delegation(state, role))
			continue;
		tufsign_error_clear(&local);
		if (tufsign_trust_txn_read(txn, role, &data, &len, &local) == TUFSIGN_OK)
			st = tufsign_trust_txn_stage(txn, role, data, len, err);
		free(data);
	}
	return st;
}

tufsign_status tf_repo_save(tufsign_trust_txn *txn, const tf_repo_state *state, tufsign_error *err)
{
	tufsign_status st = keep_left_out(txn, state, err);
	size_t i;

	if (st == TUFSIGN_OK)
		st = tufsign_trust_txn_stage_clear(txn, err);
	if (st == TUFSIGN_OK)
		st = stage(txn, &state->root, err);
	if (st == TUFSIGN_OK)
		st = stage(txn, &state->timestamp, err);
	if (st == TUFSIGN_OK)
		st = stage(txn, &state->snapshot, err);
	if (st == TUFSIGN_OK)
		st = stage(txn, &state->targets, err);
	for (i = 0; st == TUFSIGN_OK && i < state->delegation_count; i++)
		st = stage(txn, &state->delegations[i], err);
	if (st == TUFSIGN_OK)
		st = tufsign_trust_txn_commit(txn, err);
	if (st != TUFSIGN_OK)
		tufsign_error_prefix(
			err, "cannot update the trust cache at %s: ", tufsign_trust_txn_path(txn));
	return st;
}
