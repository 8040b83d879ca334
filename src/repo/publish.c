/* Adding, replacing and removing targets: fetch and verify, apply, sign on
 * the token, upload the changed files, confirm on the server, and only then
 * write the trust cache. Lost races are retried from a fresh fetch. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/rand.h>

#include "internal.h"
#include "repo_internal.h"
#include "tufsign/json.h"

/* Maximum delay between two attempts after a conflict. */
#define MAX_BACKOFF_MS 5000L

/* One publish: inputs, and what the current attempt built. */
typedef struct publish_job {
	const tufsign_repo_context *ctx;
	const char *gun;
	const tufsign_target_change *changes;
	size_t change_count;
	const tufsign_publish_options *opts;
	tufsign_trust_txn *txn;
	tf_repo_state *state;
	char *targets_file;
	size_t targets_len;
	tufsign_digest targets_digest;
	char *snapshot_file;
	size_t snapshot_len;
	tufsign_digest snapshot_digest;
	int64_t targets_version;
} publish_job;

static void attempt_release(publish_job *job)
{
	tf_repo_state_free(job->state);
	job->state = NULL;
	free(job->targets_file);
	job->targets_file = NULL;
	free(job->snapshot_file);
	job->snapshot_file = NULL;
}

/* Return 1 when the canonical custom JSON text equals the given text once
 * canonicalized; both NULL also counts as equal. */
static int same_custom(const char *canonical, const char *given)
{
	char *text = NULL;
	size_t len = 0;
	tufsign_error ignored;
	int same;

	if (canonical == NULL || given == NULL)
		return canonical == NULL && given == NULL;
	tufsign_error_clear(&ignored);
	if (tufsign_json_canonicalize(given, strlen(given), TUFSIGN_CANON_STRICT, &text, &len,
				      &ignored) != TUFSIGN_OK)
		return 0;
	same = strcmp(canonical, text) == 0;
	free(text);
	return same;
}

/* Return 1 when doc already contains the change. */
static int change_in_place(const tufsign_meta *doc, const tufsign_target_change *c)
{
	const tufsign_file_meta *entry = tufsign_meta_find_file(doc, c->name);

	if (c->remove)
		return entry == NULL;
	return entry != NULL && entry->hashes.has_sha256 &&
	       memcmp(entry->hashes.sha256, c->sha256, 32) == 0 &&
	       entry->length == (int64_t)c->length && same_custom(entry->custom, c->custom);
}

/* Warn when targets/releases signs the tag with another digest: Docker
 * clients look there first, so they would not see the change. */
static void warn_shadowed(const publish_job *job, const tufsign_target_change *c)
{
	const tufsign_meta *releases = tufsign_chain_find(job->state->chain, "targets/releases");
	const tufsign_file_meta *entry =
		releases != NULL ? tufsign_meta_find_file(releases, c->name) : NULL;

	if (entry == NULL || c->remove ||
	    (entry->hashes.has_sha256 && memcmp(entry->hashes.sha256, c->sha256, 32) == 0))
		return;
	TF_WARN(TF_REPO_LOG,
		"tag '%s' is also signed in targets/releases of '%s' with another digest; "
		"Docker clients use that entry, so they will not see this change",
		c->name, job->gun);
}

/* Apply the changes to targets; *changed counts those that were not
 * already in place. */
static tufsign_status apply_changes(publish_job *job, tufsign_meta *targets, size_t *changed,
				    tufsign_error *err)
{
	size_t i;

	*changed = 0;
	for (i = 0; i < job->change_count; i++) {
		const tufsign_target_change *c = &job->changes[i];
		tufsign_status st;

		if (c->remove && tufsign_meta_find_file(targets, c->name) == NULL)
			return tufsign_error_set(err, TUFSIGN_ERR_TAG_NOT_FOUND,
						 "tag '%s' is not signed in '%s' (targets version "
						 "%lld); nothing to remove",
						 c->name, job->gun, (long long)targets->version);
		if (change_in_place(targets, c))
			continue;
		warn_shadowed(job, c);
		(*changed)++;
		if (c->remove)
			st = tufsign_meta_remove_target(targets, c->name, err);
		else
			st = tufsign_meta_set_target(targets, c->name, (int64_t)c->length,
						     c->sha256, NULL, c->custom, err);
		if (st != TUFSIGN_OK) {
			tufsign_error_prefix(err, "cannot change tag '%s': ", c->name);
			return st;
		}
	}
	return TUFSIGN_OK;
}

static tufsign_status sign_role(tufsign_meta *doc, const tufsign_signer *signer,
				const tufsign_pubkey *listed, int years, char **file, size_t *len,
				tufsign_digest *digest, tufsign_error *err)
{
	tufsign_signing_key key = {signer, listed};
	tufsign_status st;

	doc->version++;
	doc->expires = tf_repo_expiry(time(NULL), years);
	TF_INFO(TF_REPO_LOG, "signing %s version %lld with %s", doc->role, (long long)doc->version,
		signer->label ? signer->label : "the key");
	st = tufsign_meta_sign(doc, &key, 1, file, len, digest, err);
	if (st != TUFSIGN_OK)
		tufsign_error_prefix(err, "cannot sign %s: ", doc->role);
	return st;
}

/* Sign targets and, when its key is ours, the snapshot covering it. */
static tufsign_status sign_changes(publish_job *job, tufsign_error *err)
{
	tufsign_chain *chain = job->state->chain;
	const tufsign_pubkey *targets_key = NULL, *snapshot_key = NULL;
	tufsign_status st;

	st = tf_repo_match_key(chain->root, job->gun, "targets", job->opts->targets, &targets_key,
			       err);
	if (st == TUFSIGN_OK && job->opts->snapshot != NULL)
		st = tf_repo_match_key(chain->root, job->gun, "snapshot", job->opts->snapshot,
				       &snapshot_key, err);
	if (st == TUFSIGN_OK)
		st = sign_role(chain->targets, job->opts->targets, targets_key,
			       TF_TARGETS_EXPIRY_YEARS, &job->targets_file, &job->targets_len,
			       &job->targets_digest, err);
	if (st != TUFSIGN_OK)
		return st;
	job->targets_version = chain->targets->version;
	if (job->opts->snapshot == NULL)
		return TUFSIGN_OK;
	st = tufsign_meta_set_file(chain->snapshot, "targets", &job->targets_digest, 1, err);
	if (st == TUFSIGN_OK)
		st = sign_role(chain->snapshot, job->opts->snapshot, snapshot_key,
			       TF_SNAPSHOT_EXPIRY_YEARS, &job->snapshot_file, &job->snapshot_len,
			       &job->snapshot_digest, err);
	return st;
}

static tufsign_status upload(publish_job *job, tufsign_error *err)
{
	tufsign_notary_file files[2];
	size_t n = 0;
	tufsign_status st;

	files[n++] = (tufsign_notary_file){"targets", (const unsigned char *)job->targets_file,
					   job->targets_len};
	if (job->snapshot_file != NULL)
		files[n++] = (tufsign_notary_file){
			"snapshot", (const unsigned char *)job->snapshot_file, job->snapshot_len};
	TF_INFO(TF_REPO_LOG, "publishing %s to the server",
		n == 2 ? "targets and snapshot" : "targets");
	st = tufsign_notary_publish(job->ctx->client, job->gun, files, n, err);
	return tf_repo_snapshot_hint(st, job->opts->snapshot != NULL, err);
}

/* Return 1 when every change is visible in targets. */
static int changes_visible(const publish_job *job, const tufsign_meta *targets)
{
	size_t i;

	for (i = 0; i < job->change_count; i++)
		if (!change_in_place(targets, &job->changes[i]))
			return 0;
	return 1;
}

/* Fetch the state after the upload and confirm it. Usually the server's
 * new snapshot covers exactly our targets bytes, and only timestamp and
 * snapshot are downloaded. Otherwise a later publisher already built on
 * our version: everything is fetched again and the changes must still be
 * visible. The confirmed state replaces the one of the attempt. */
static tufsign_status confirm(publish_job *job, tufsign_error *err)
{
	tf_role_bytes targets = {NULL, (unsigned char *)job->targets_file, job->targets_len};
	tf_repo_state *after = NULL;
	tufsign_status st;

	/* The attempt's documents are no longer needed: free them first, so a
	 * large repository is not held twice. */
	tufsign_chain_free(job->state->chain);
	job->state->chain = NULL;
	free(job->snapshot_file);
	job->snapshot_file = NULL;
	job->targets_file = NULL;
	st = tf_repo_fetch_uploaded(job->ctx->client, job->txn, job->gun, job->state, &targets,
				    &job->targets_digest, &after, err);
	free(targets.data);
	if (st == TUFSIGN_OK && after == NULL)
		st = tf_repo_fetch(job->ctx->client, job->txn, job->gun, job->ctx->pin, &after,
				   err);
	if (st != TUFSIGN_OK) {
		tufsign_error_prefix(err, "uploaded, but cannot confirm the new state: ");
		return st;
	}
	if (after->chain->targets->version < job->targets_version ||
	    !changes_visible(job, after->chain->targets)) {
		int64_t version = after->chain->targets->version;

		tf_repo_state_free(after);
		return tufsign_error_set(err, TUFSIGN_ERR_CONFLICT,
					 "uploaded targets version %lld, but the server now holds "
					 "version %lld without these changes; another publisher "
					 "overwrote them",
					 (long long)job->targets_version, (long long)version);
	}
	tf_repo_state_free(job->state);
	job->state = after;
	return TUFSIGN_OK;
}

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

	while (nanosleep(&ts, &ts) != 0)
		;
}

/* Delay before attempt number attempt (2, 3, ...): doubling from base,
 * capped, with random jitter so racing publishers spread out. */
static long backoff_delay(long base, unsigned attempt)
{
	long delay = base;
	unsigned char r[2] = {0, 0};
	unsigned i;

	for (i = 2; i < attempt && delay < MAX_BACKOFF_MS; i++)
		delay *= 2;
	if (delay > MAX_BACKOFF_MS)
		delay = MAX_BACKOFF_MS;
	if (RAND_bytes(r, sizeof(r)) == 1)
		delay += (long)(((unsigned)r[0] << 8 | r[1]) % (unsigned)delay);
	return delay;
}

/* After a network error during the upload the server may or may not have
 * applied it: return 1 when the server shows the change after all. */
static int upload_landed(publish_job *job)
{
	tufsign_error probe;

	tufsign_error_clear(&probe);
	if (confirm(job, &probe) != TUFSIGN_OK)
		return 0;
	TF_WARN(TF_REPO_LOG,
		"the upload to '%s' failed with a network error, but the server "
		"shows the change",
		job->gun);
	return 1;
}

/* One attempt: fetch, apply, sign, upload, confirm. *changed is 0 when
 * nothing needed publishing. */
static tufsign_status attempt_publish(publish_job *job, size_t *changed, tufsign_error *err)
{
	tufsign_status st;

	st = tf_repo_fetch(job->ctx->client, job->txn, job->gun, job->ctx->pin, &job->state, err);
	if (st == TUFSIGN_OK)
		st = apply_changes(job, job->state->chain->targets, changed, err);
	if (st != TUFSIGN_OK || *changed == 0)
		return st;
	/* The downloaded targets bytes are replaced by the new file: free them
	 * before signing, so a large repository is not held twice. */
	free(job->state->targets.data);
	job->state->targets.data = NULL;
	job->state->targets.len = 0;
	st = sign_changes(job, err);
	if (st == TUFSIGN_OK)
		st = upload(job, err);
	if (st == TUFSIGN_OK)
		st = confirm(job, err);
	else if (st == TUFSIGN_ERR_NETWORK && upload_landed(job))
		st = TUFSIGN_OK;
	return st;
}

static void fill_result(const publish_job *job, int published, unsigned attempts,
			tufsign_publish_result *result)
{
	const tufsign_chain *chain = job->state->chain;
	char id[TUFSIGN_KEYID_SIZE];
	tufsign_error ignored;

	result->published = published;
	result->attempts = attempts;
	result->targets_version = chain->targets->version;
	result->snapshot_version = chain->snapshot->version;
	result->timestamp_version = chain->timestamp->version;
	tufsign_error_clear(&ignored);
	if (tf_repo_signer_id(job->opts->targets, id, &ignored) == TUFSIGN_OK)
		memcpy(result->targets_key_id, id, sizeof(id));
	tf_repo_first_root_key(chain->root, result->root_key_id);
	tf_repo_note_expiring(job->ctx, chain, result);
}

/* Run attempts until one publishes or fails with anything but a conflict. */
static tufsign_status publish_loop(publish_job *job, tufsign_publish_result *result,
				   tufsign_error *err)
{
	unsigned max = job->opts->max_attempts ? job->opts->max_attempts : TUFSIGN_PUBLISH_ATTEMPTS;
	long base = job->opts->backoff_ms > 0 ? job->opts->backoff_ms : 200;
	unsigned attempt;
	tufsign_error local;
	tufsign_status st = TUFSIGN_ERR_INTERNAL;

	for (attempt = 1; attempt <= max; attempt++) {
		size_t changed = 0;

		tufsign_error_clear(&local);
		attempt_release(job);
		st = attempt_publish(job, &changed, &local);
		if (st == TUFSIGN_OK) {
			result->first_use = result->first_use || job->state->first_use;
			fill_result(job, changed > 0, attempt, result);
			return tf_repo_save(job->txn, job->state, err);
		}
		if (st != TUFSIGN_ERR_CONFLICT || attempt == max)
			break;
		if (job->state != NULL && job->state->first_use)
			result->first_use = 1;
		{
			long delay = backoff_delay(base, attempt + 1);

			TF_INFO(TF_REPO_LOG,
				"another publisher changed '%s' first; retrying in %ld ms "
				"(attempt %u of %u)",
				job->gun, delay, attempt + 1, max);
			sleep_ms(delay);
		}
	}
	if (st == TUFSIGN_ERR_CONFLICT)
		tufsign_error_prefix(&local, "gave up after %u attempts: ", attempt);
	tufsign_error_set(err, local.status, "%s", local.message);
	tufsign_error_locate(err, local.role[0] ? local.role : NULL,
			     local.path[0] ? local.path : NULL);
	return st;
}

tufsign_status tufsign_repo_publish(const tufsign_repo_context *ctx, const char *gun,
				    const tufsign_target_change *changes, size_t change_count,
				    const tufsign_publish_options *opts,
				    tufsign_publish_result *result, tufsign_error *err)
{
	publish_job job;
	tufsign_status st;

	memset(result, 0, sizeof(*result));
	if (opts == NULL || opts->targets == NULL || changes == NULL || change_count == 0)
		return tufsign_error_set(err, TUFSIGN_ERR_INVALID_ARGUMENT,
					 "publish needs a targets key and at least one change");
	st = tf_repo_check_call(ctx, gun, err);
	if (st != TUFSIGN_OK)
		return st;
	memset(&job, 0, sizeof(job));
	job.ctx = ctx;
	job.gun = gun;
	job.changes = changes;
	job.change_count = change_count;
	job.opts = opts;
	st = tf_repo_begin(ctx, gun, &job.txn, err);
	if (st == TUFSIGN_OK)
		st = publish_loop(&job, result, err);
	attempt_release(&job);
	tufsign_trust_txn_free(job.txn);
	return st;
}
