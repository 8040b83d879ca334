/* The loop behind delegation changes, delegated signing and root rotation:
 * fetch, change, sign, upload, confirm, cache. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "edit.h"
#include "internal.h"

/* Attempts before a change that keeps losing races gives up. */
#define EDIT_ATTEMPTS 8

/* Delay after the first lost race. Each later race waits one step longer. */
#define EDIT_BACKOFF_MS 250L

static void attempt_release(tf_edit_job *job)
{
	size_t i;

	tf_repo_state_free(job->state);
	job->state = NULL;
	for (i = 0; i < job->file_count; i++)
		free(job->data[i]);
	memset(job->files, 0, sizeof(job->files));
	memset(job->data, 0, sizeof(job->data));
	job->file_count = 0;
}

void tf_edit_init(tf_edit_job *job, const tufsign_repo_context *ctx, const char *gun,
		  const tufsign_signer *signer, const tufsign_signer *snapshot,
		  const char *report_role, tf_edit_fn edit, const void *arg)
{
	memset(job, 0, sizeof(*job));
	job->ctx = ctx;
	job->gun = gun;
	job->signer = signer;
	job->snapshot = snapshot;
	job->report_role = report_role;
	job->edit = edit;
	job->arg = arg;
}

/* Append item, number index of count items, to buf so that the items read
 * "a, b and c". Progress lines name keys and roles this way. */
static void append_item(char *buf, size_t size, size_t index, size_t count, const char *item)
{
	size_t used = strlen(buf);
	const char *separator = ", ";

	if (index == 0)
		separator = "";
	else if (index + 1 == count)
		separator = " and ";
	snprintf(buf + used, size - used, "%s%s", separator, item);
}

tufsign_status tf_edit_sign(tf_edit_job *job, tufsign_meta *doc, const tufsign_signing_key *keys,
			    size_t key_count, int years, tufsign_error *err)
{
	char labels[256] = "";
	size_t i;
	size_t n = job->file_count;
	tufsign_status st;

	if (n == TF_EDIT_MAX_FILES)
		return tufsign_error_set(err, TUFSIGN_ERR_INVALID_ARGUMENT,
					 "too many roles in one change; the maximum is %d",
					 TF_EDIT_MAX_FILES - 1);
	doc->version++;
	doc->expires = tf_repo_expiry(time(NULL), years);
	for (i = 0; i < key_count; i++)
		append_item(labels, sizeof(labels), i, key_count,
			    keys[i].signer->label ? keys[i].signer->label : "the key");
	TF_INFO(TF_REPO_LOG, "signing %s version %lld with %s", doc->role, (long long)doc->version,
		labels);
	st = tufsign_meta_sign(doc, keys, key_count, &job->data[n], &job->files[n].len,
			       &job->digests[n], err);
	if (st != TUFSIGN_OK) {
		tufsign_error_prefix(err, "cannot sign %s: ", doc->role);
		return st;
	}
	job->files[n].role = doc->role;
	job->files[n].data = (const unsigned char *)job->data[n];
	job->file_count++;
	return TUFSIGN_OK;
}

/* Cover every file of the upload in our snapshot and sign it. */
static tufsign_status sign_snapshot(tf_edit_job *job, tufsign_error *err)
{
	tufsign_meta *snapshot = job->state->chain->snapshot;
	tufsign_signing_key key = {job->snapshot, NULL};
	tufsign_status st;
	size_t i, n = job->file_count;

	st = tf_repo_match_key(job->state->chain->root, job->gun, "snapshot", job->snapshot,
			       &key.key, err);
	for (i = 0; st == TUFSIGN_OK && i < n; i++)
		st = tufsign_meta_set_file(snapshot, job->files[i].role, &job->digests[i], 1, err);
	if (st == TUFSIGN_OK)
		st = tf_edit_sign(job, snapshot, &key, 1, TF_SNAPSHOT_EXPIRY_YEARS, err);
	return st;
}

static int covers(const tufsign_meta *snapshot, const char *role, const tufsign_digest *digest)
{
	const tufsign_file_meta *entry = tufsign_meta_find_file(snapshot, role);

	return entry != NULL && entry->hashes.has_sha256 && entry->length == digest->length &&
	       memcmp(entry->hashes.sha256, digest->sha256, 32) == 0;
}

/* Fetch the state again from the root this attempt verified (staged, so a
 * first use keeps the root it checked) and require that the server's
 * snapshot covers exactly the uploaded bytes. Otherwise another publisher
 * got in between: TUFSIGN_ERR_CONFLICT, and the next attempt starts over. */
static tufsign_status confirm(tf_edit_job *job, tufsign_error *err)
{
	tf_repo_state *after = NULL;
	tufsign_status st;
	size_t i;

	st = tufsign_trust_txn_stage(job->txn, "root", job->state->root.data, job->state->root.len,
				     err);
	if (st == TUFSIGN_OK)
		st = tf_repo_fetch(job->ctx->client, job->txn, job->gun, NULL, &after, err);
	if (st != TUFSIGN_OK) {
		tufsign_error_prefix(err, "uploaded, but cannot confirm the new state: ");
		return st;
	}
	after->first_use = job->state->first_use;
	for (i = 0; i < job->file_count; i++) {
		if (strcmp(job->files[i].role, "snapshot") == 0 ||
		    covers(after->chain->snapshot, job->files[i].role, &job->digests[i]))
			continue;
		tf_repo_state_free(after);
		return tufsign_error_set(err, TUFSIGN_ERR_CONFLICT,
					 "uploaded %s, but the server's snapshot of '%s' lists "
					 "other bytes for it; another publisher changed it",
					 job->files[i].role, job->gun);
	}
	tf_repo_state_free(job->state);
	job->state = after;
	return TUFSIGN_OK;
}

/* Run one attempt. *uploaded is set once the server accepted the upload,
 * even when the confirmation then fails. *first_use is set when the fetch
 * found no pinned root. A confirmation stages the root it checked, so after
 * a lost race the next attempt finds a pinned root even on first use. */
static tufsign_status attempt(tf_edit_job *job, int *changed, int *uploaded, int *first_use,
			      tufsign_error *err)
{
	tufsign_status st;

	st = tf_repo_fetch(job->ctx->client, job->txn, job->gun, job->ctx->pin, &job->state, err);
	if (st == TUFSIGN_OK) {
		*first_use |= job->state->first_use;
		st = job->edit(job, changed, err);
	}
	if (st != TUFSIGN_OK || !*changed)
		return st;
	if (job->snapshot != NULL)
		st = sign_snapshot(job, err);
	if (st == TUFSIGN_OK) {
		char roles[512] = "";
		size_t i;

		for (i = 0; i < job->file_count; i++)
			append_item(roles, sizeof(roles), i, job->file_count, job->files[i].role);
		TF_INFO(TF_REPO_LOG, "publishing %s to the server", roles);
		st = tufsign_notary_publish(job->ctx->client, job->gun, job->files, job->file_count,
					    err);
		st = tf_repo_snapshot_hint(st, job->snapshot != NULL, err);
	}
	*uploaded |= st == TUFSIGN_OK;
	if (st == TUFSIGN_OK)
		st = confirm(job, err);
	return st;
}

static void fill_result(const tf_edit_job *job, int changed, unsigned attempts,
			tufsign_publish_result *result)
{
	const tufsign_chain *chain = job->state->chain;
	const tufsign_meta *reported = tufsign_chain_find(chain, job->report_role);
	tufsign_error ignored;
	size_t i;

	result->published = changed;
	result->first_use = job->state->first_use;
	result->attempts = attempts;
	result->targets_version = reported != NULL ? reported->version : 0;
	result->snapshot_version = chain->snapshot->version;
	result->timestamp_version = chain->timestamp->version;
	tufsign_error_clear(&ignored);
	if (job->signer != NULL)
		tf_repo_signer_id(job->signer, result->targets_key_id, &ignored);
	tf_repo_first_root_key(chain->root, result->root_key_id);
	tf_repo_note_expiring(job->ctx, chain, result);
	for (i = 0; i < job->role_count && i < TUFSIGN_MAX_SIGN_ROLES; i++) {
		const tufsign_meta *doc = tufsign_chain_find(chain, job->roles[i]);

		snprintf(result->roles[i].name, sizeof(result->roles[i].name), "%s", job->roles[i]);
		result->roles[i].version = doc != NULL ? doc->version : 0;
		result->role_count = i + 1;
	}
}

static void wait_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

	while (nanosleep(&ts, &ts) != 0)
		;
}

tufsign_status tf_edit_run(tf_edit_job *job, tufsign_publish_result *result, tufsign_error *err)
{
	tufsign_status st;
	unsigned n;
	int changed = 0, uploaded = 0, first_use = 0;

	memset(result, 0, sizeof(*result));
	st = tf_repo_begin(job->ctx, job->gun, &job->txn, err);
	for (n = 1; st == TUFSIGN_OK && n <= EDIT_ATTEMPTS; n++) {
		attempt_release(job);
		changed = 0;
		st = attempt(job, &changed, &uploaded, &first_use, err);
		if (st != TUFSIGN_ERR_CONFLICT || n == EDIT_ATTEMPTS)
			break;
		TF_INFO(TF_REPO_LOG, "another publisher changed '%s' first; retrying (%s)",
			job->gun, err->message);
		tufsign_error_clear(err);
		st = TUFSIGN_OK;
		wait_ms(EDIT_BACKOFF_MS * (long)n);
	}
	if (st == TUFSIGN_OK) {
		/* An earlier attempt may have uploaded the change that this one
		 * found in place. */
		fill_result(job, changed || uploaded, n, result);
		result->first_use = first_use;
		st = tf_repo_save(job->txn, job->state, err);
	} else if (st == TUFSIGN_ERR_CONFLICT) {
		tufsign_error_prefix(err, "gave up after %u attempts: ", n);
	}
	attempt_release(job);
	tufsign_trust_txn_free(job->txn);
	job->txn = NULL;
	return st;
}
