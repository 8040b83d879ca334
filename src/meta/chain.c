/* Verification of a whole repository state from a pinned root. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/sha.h>

#include "meta_internal.h"
#include "tufsign/verify.h"
#include "verify_internal.h"

void tufsign_chain_free(tufsign_chain *chain)
{
	size_t i;

	if (chain == NULL)
		return;
	tufsign_meta_free(chain->root);
	tufsign_meta_free(chain->timestamp);
	tufsign_meta_free(chain->snapshot);
	tufsign_meta_free(chain->targets);
	for (i = 0; i < chain->delegation_count; i++)
		tufsign_meta_free(chain->delegations[i]);
	free(chain->delegations);
	free(chain);
}

const tufsign_meta *tufsign_chain_find(const tufsign_chain *chain, const char *role)
{
	size_t i;

	if (chain == NULL || role == NULL)
		return NULL;
	if (strcmp(role, "root") == 0)
		return chain->root;
	if (strcmp(role, "timestamp") == 0)
		return chain->timestamp;
	if (strcmp(role, "snapshot") == 0)
		return chain->snapshot;
	if (strcmp(role, "targets") == 0)
		return chain->targets;
	for (i = 0; i < chain->delegation_count; i++)
		if (strcmp(chain->delegations[i]->role, role) == 0)
			return chain->delegations[i];
	return NULL;
}

/* Count doc in *n when it expires before `before`, and record it while
 * there is room in out. */
static void note_expiring(const tufsign_meta *doc, int64_t before, tufsign_expiring *out,
			  size_t max, size_t *n)
{
	if (doc == NULL || doc->expires.seconds >= before)
		return;
	if (*n < max) {
		snprintf(out[*n].role, sizeof(out[*n].role), "%s", doc->role);
		out[*n].expires = doc->expires;
	}
	(*n)++;
}

size_t tufsign_chain_expiring(const tufsign_chain *chain, int64_t before, tufsign_expiring *out,
			      size_t max)
{
	size_t i, n = 0;

	if (chain == NULL)
		return 0;
	note_expiring(chain->root, before, out, max, &n);
	note_expiring(chain->snapshot, before, out, max, &n);
	note_expiring(chain->targets, before, out, max, &n);
	for (i = 0; i < chain->delegation_count; i++)
		note_expiring(chain->delegations[i], before, out, max, &n);
	return n;
}

/* Check file bytes against the length and hashes listed for them. */
static tufsign_status check_bytes(const tufsign_meta *lister, const char *role,
				  const unsigned char *data, size_t len, tufsign_error *err)
{
	const tufsign_file_meta *fm = tufsign_meta_find_file(lister, role);
	unsigned char sha256[SHA256_DIGEST_LENGTH], sha512[SHA512_DIGEST_LENGTH];

	if (fm == NULL)
		return tufsign_error_set(err, TUFSIGN_ERR_UNTRUSTED, "'%s' does not list '%s'",
					 lister->role, role);
	if ((int64_t)len != fm->length)
		return tufsign_error_set(err, TUFSIGN_ERR_HASH_MISMATCH,
					 "'%s' is %zu bytes but '%s' lists %lld", role, len,
					 lister->role, (long long)fm->length);
	if (fm->hashes.has_sha256) {
		SHA256(data, len, sha256);
		if (CRYPTO_memcmp(sha256, fm->hashes.sha256, sizeof(sha256)) != 0)
			return tufsign_error_set(err, TUFSIGN_ERR_HASH_MISMATCH,
						 "sha256 of '%s' does not match '%s'", role,
						 lister->role);
	}
	if (fm->hashes.has_sha512 && fm->hashes.sha512 != NULL) {
		SHA512(data, len, sha512);
		if (CRYPTO_memcmp(sha512, fm->hashes.sha512, sizeof(sha512)) != 0)
			return tufsign_error_set(err, TUFSIGN_ERR_HASH_MISMATCH,
						 "sha512 of '%s' does not match '%s'", role,
						 lister->role);
	}
	return TUFSIGN_OK;
}

static tufsign_status check_version(const tufsign_meta *doc, const tufsign_chain *previous,
				    tufsign_error *err)
{
	const tufsign_meta *old = tufsign_chain_find(previous, doc->role);

	if (old == NULL || doc->version >= old->version)
		return TUFSIGN_OK;
	tufsign_error_set(err, TUFSIGN_ERR_ROLLBACK,
			  "'%s' version %lld is older than the trusted version %lld", doc->role,
			  (long long)doc->version, (long long)old->version);
	tufsign_error_locate(err, doc->role, "signed.version");
	return TUFSIGN_ERR_ROLLBACK;
}

/* Parse a file and compute the message its signatures cover. */
static tufsign_status load(const char *role, const unsigned char *data, size_t len,
			   tufsign_meta **doc, char **msg, size_t *msg_len, tufsign_error *err)
{
	tufsign_status st;

	*msg = NULL;
	st = tufsign_meta_parse(role, data, len, doc, err);
	if (st == TUFSIGN_OK)
		st = tufsign_verify_message(data, len, msg, msg_len, err);
	if (st != TUFSIGN_OK) {
		tufsign_error_locate(err, role, NULL);
		tufsign_meta_free(*doc);
		*doc = NULL;
	}
	return st;
}

/* Verify the pinned root and walk the newer roots. */
static tufsign_status verify_roots(const tufsign_chain_input *in, tufsign_chain *chain,
				   const unsigned char **root_file, size_t *root_len,
				   tufsign_error *err)
{
	tufsign_meta *next = NULL;
	char *msg = NULL;
	size_t msg_len = 0, i;
	tufsign_status st;

	*root_file = in->trusted_root;
	*root_len = in->trusted_root_len;
	st = load("root", in->trusted_root, in->trusted_root_len, &chain->root, &msg, &msg_len,
		  err);
	if (st == TUFSIGN_OK)
		st = tf_verify_root_self(chain->root, msg, msg_len, in->gun, in->now,
					 in->root_count == 0, err);
	free(msg);
	for (i = 0; st == TUFSIGN_OK && i < in->root_count; i++) {
		st = load("root", in->roots[i].data, in->roots[i].len, &next, &msg, &msg_len, err);
		if (st == TUFSIGN_OK)
			st = tufsign_verify_root_rotation(chain->root, next, msg, msg_len, in->gun,
							  in->now, err);
		free(msg);
		msg = NULL;
		if (st != TUFSIGN_OK) {
			tufsign_meta_free(next);
			break;
		}
		tufsign_meta_free(chain->root);
		chain->root = next;
		*root_file = in->roots[i].data;
		*root_len = in->roots[i].len;
	}
	if (st == TUFSIGN_OK)
		st = check_version(chain->root, in->previous, err);
	return st;
}

/* Verify one role file listed by lister and delegated by delegator. */
static tufsign_status verify_file(const tufsign_chain_input *in, const tufsign_role_file *f,
				  const char *role, const tufsign_meta *lister,
				  const tufsign_meta *delegator, tufsign_meta **out,
				  tufsign_error *err)
{
	char *msg = NULL;
	size_t msg_len = 0;
	tufsign_status st = TUFSIGN_OK;

	*out = NULL;
	if (lister != NULL)
		st = check_bytes(lister, role, f->data, f->len, err);
	if (st == TUFSIGN_OK)
		st = load(role, f->data, f->len, out, &msg, &msg_len, err);
	if (st == TUFSIGN_OK)
		st = tufsign_verify_role(*out, msg, msg_len, delegator, in->now, err);
	if (st == TUFSIGN_OK)
		st = check_version(*out, in->previous, err);
	free(msg);
	if (st != TUFSIGN_OK) {
		tufsign_error_locate(err, role, NULL);
		tufsign_meta_free(*out);
		*out = NULL;
	}
	return st;
}

static size_t depth_of(const char *role)
{
	size_t n = 0;

	for (; *role; role++)
		n += *role == '/';
	return n;
}

static int by_depth(const void *a, const void *b)
{
	const tufsign_role_file *x = *(const tufsign_role_file *const *)a;
	const tufsign_role_file *y = *(const tufsign_role_file *const *)b;
	size_t dx = depth_of(x->role), dy = depth_of(y->role);

	return dx < dy ? -1 : dx > dy;
}

static const tufsign_meta *parent_of(const tufsign_chain *chain, const char *role)
{
	const char *slash = strrchr(role, '/');
	char parent[TUFSIGN_ROLE_NAME_SIZE];
	size_t n = slash ? (size_t)(slash - role) : 0;

	if (n == 0 || n >= sizeof(parent))
		return NULL;
	memcpy(parent, role, n);
	parent[n] = '\0';
	return tufsign_chain_find(chain, parent);
}

static tufsign_status verify_delegations(const tufsign_chain_input *in, tufsign_chain *chain,
					 tufsign_error *err)
{
	const tufsign_role_file **order = NULL;
	const tufsign_meta *parent;
	tufsign_status st = TUFSIGN_OK;
	size_t i;

	if (in->delegation_count == 0)
		return TUFSIGN_OK;
	order = calloc(in->delegation_count, sizeof(*order));
	chain->delegations = calloc(in->delegation_count, sizeof(*chain->delegations));
	if (order == NULL || chain->delegations == NULL) {
		free(order);
		return tufsign_error_set(err, TUFSIGN_ERR_NOMEM, "out of memory");
	}
	for (i = 0; i < in->delegation_count; i++)
		order[i] = &in->delegations[i];
	qsort(order, in->delegation_count, sizeof(*order), by_depth);
	for (i = 0; st == TUFSIGN_OK && i < in->delegation_count; i++) {
		const char *role = order[i]->role;

		if (role == NULL || strncmp(role, "targets/", 8) != 0 ||
		    tufsign_chain_find(chain, role) != NULL) {
			st = tufsign_error_set(err, TUFSIGN_ERR_INVALID_ARGUMENT,
					       "'%s' is not a delegation or given twice",
					       role ? role : "");
			break;
		}
		parent = parent_of(chain, role);
		if (parent == NULL) {
			st = tufsign_error_set(err, TUFSIGN_ERR_UNTRUSTED,
					       "no verified parent delegates '%s'", role);
			tufsign_error_locate(err, role, NULL);
			break;
		}
		st = verify_file(in, order[i], role, chain->snapshot, parent,
				 &chain->delegations[chain->delegation_count], err);
		if (st == TUFSIGN_OK)
			chain->delegation_count++;
	}
	free(order);
	return st;
}

static tufsign_status verify_tail(const tufsign_chain_input *in, tufsign_chain *chain,
				  const unsigned char *root_file, size_t root_len,
				  tufsign_error *err)
{
	tufsign_status st;

	if (in->timestamp == NULL)
		return in->snapshot || in->targets || in->delegation_count
			       ? tufsign_error_set(err, TUFSIGN_ERR_INVALID_ARGUMENT,
						   "the snapshot needs its timestamp")
			       : TUFSIGN_OK;
	st = verify_file(in, in->timestamp, "timestamp", NULL, chain->root, &chain->timestamp, err);
	if (st != TUFSIGN_OK || in->snapshot == NULL)
		return st;
	st = verify_file(in, in->snapshot, "snapshot", chain->timestamp, chain->root,
			 &chain->snapshot, err);
	if (st == TUFSIGN_OK && tufsign_meta_find_file(chain->snapshot, "root") != NULL) {
		st = check_bytes(chain->snapshot, "root", root_file, root_len, err);
		if (st != TUFSIGN_OK)
			tufsign_error_locate(err, "root", NULL);
	}
	if (st != TUFSIGN_OK || in->targets == NULL)
		return st;
	st = verify_file(in, in->targets, "targets", chain->snapshot, chain->root, &chain->targets,
			 err);
	if (st == TUFSIGN_OK)
		st = verify_delegations(in, chain, err);
	return st;
}

tufsign_status tufsign_verify_chain(const tufsign_chain_input *in, tufsign_chain **out,
				    tufsign_error *err)
{
	const unsigned char *root_file = NULL;
	size_t root_len = 0;
	tufsign_chain *chain;
	tufsign_status st;

	*out = NULL;
	if (in == NULL || in->gun == NULL || in->trusted_root == NULL)
		return tufsign_error_set(err, TUFSIGN_ERR_INVALID_ARGUMENT,
					 "a GUN and a trusted root are required");
	if ((in->targets == NULL && in->delegation_count > 0) ||
	    (in->snapshot == NULL && in->targets != NULL))
		return tufsign_error_set(err, TUFSIGN_ERR_INVALID_ARGUMENT,
					 "targets need the snapshot, delegations need targets");
	chain = calloc(1, sizeof(*chain));
	if (chain == NULL)
		return tufsign_error_set(err, TUFSIGN_ERR_NOMEM, "out of memory");
	st = verify_roots(in, chain, &root_file, &root_len, err);
	if (st == TUFSIGN_OK)
		st = verify_tail(in, chain, root_file, root_len, err);
	if (st != TUFSIGN_OK) {
		tufsign_chain_free(chain);
		return st;
	}
	*out = chain;
	return TUFSIGN_OK;
}
