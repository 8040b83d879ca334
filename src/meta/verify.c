/* Signature thresholds, root trust and root rotation. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cert_internal.h"
#include "json_scan.h"
#include "meta_internal.h"
#include "tufsign/json.h"
#include "tufsign/verify.h"
#include "verify_internal.h"

/* Find the raw "signed" value: the envelope is decoded as notary decodes it,
 * so member names match case-insensitively and the last duplicate wins. */
static tufsign_status find_signed(tf_json *j, const unsigned char **start,
				  const unsigned char **end)
{
	tf_buf key;
	unsigned flags = 0;
	tufsign_status st = tf_json_expect(j, '{');
	int more = 1;

	*start = *end = NULL;
	tf_buf_init(&key);
	if (st == TUFSIGN_OK && tf_json_peek(j) == '}') {
		j->p++;
		more = 0;
	}
	while (st == TUFSIGN_OK && more == 1) {
		key.len = 0;
		st = tf_json_string(j, &key, &flags);
		if (st == TUFSIGN_OK)
			st = tf_json_expect(j, ':');
		if (st != TUFSIGN_OK)
			break;
		tf_json_peek(j);
		if (key.len == 6 && strncasecmp((const char *)key.data, "signed", 6) == 0)
			*start = j->p;
		st = tf_json_skip(j);
		if (st == TUFSIGN_OK && key.len == 6 &&
		    strncasecmp((const char *)key.data, "signed", 6) == 0)
			*end = j->p;
		if (st == TUFSIGN_OK) {
			more = tf_json_next(j, '}');
			if (more < 0)
				st = TUFSIGN_ERR_JSON;
		}
	}
	if (st == TUFSIGN_OK)
		st = tf_json_end(j);
	tf_buf_release(&key, 0);
	if (st == TUFSIGN_OK && *start == NULL)
		st = tf_json_fail(j, TUFSIGN_ERR_METADATA, "the file has no \"signed\" member");
	return st;
}

tufsign_status tufsign_verify_message(const unsigned char *file, size_t file_len, char **msg,
				      size_t *msg_len, tufsign_error *err)
{
	const unsigned char *start = NULL, *end = NULL;
	tf_json j;
	tufsign_status st;

	*msg = NULL;
	if (msg_len != NULL)
		*msg_len = 0;
	tf_json_init(&j, file, file_len, err);
	st = find_signed(&j, &start, &end);
	if (st != TUFSIGN_OK)
		return st;
	st = tufsign_json_canonicalize((const char *)start, (size_t)(end - start),
				       TUFSIGN_CANON_VERIFIER, msg, msg_len, err);
	if (st != TUFSIGN_OK)
		tufsign_error_locate(err, NULL, "signed");
	return st;
}

static const tufsign_pubkey *find_in(const tufsign_pubkey *keys, size_t n, const char *id)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(keys[i].id, id) == 0)
			return &keys[i];
	return NULL;
}

static int role_lists(const tufsign_role *role, const char *id)
{
	size_t i;

	for (i = 0; i < role->keyid_count; i++)
		if (strcmp(role->keyids[i], id) == 0)
			return 1;
	return 0;
}

/* Verify one signature; 1 when it is valid. A listed key whose content does
 * not hash to its ID aborts the whole check, as in notary. */
static int check_signature(const tufsign_signature *s, const tufsign_pubkey *key, const char *msg,
			   size_t msg_len, tufsign_status *abort_st, tufsign_error *err)
{
	char id[TUFSIGN_KEYID_SIZE];
	tufsign_error ignored;

	tufsign_error_clear(&ignored);
	if (tufsign_pubkey_compute_id(key->type, key->public, key->public_len, id, &ignored) !=
		    TUFSIGN_OK ||
	    strcmp(id, s->keyid) != 0) {
		*abort_st = tufsign_error_set(err, TUFSIGN_ERR_SIGNATURE,
					      "key listed as %s has key ID %s", s->keyid, id);
		return 0;
	}
	return tufsign_pubkey_verify(key, s->method, (const unsigned char *)msg, msg_len, s->sig,
				     s->sig_len, &ignored) == TUFSIGN_OK;
}

tufsign_status tufsign_verify_threshold(const tufsign_meta *doc, const char *msg, size_t msg_len,
					const tufsign_pubkey *keys, size_t key_count,
					const tufsign_role *role, size_t *valid, tufsign_error *err)
{
	char *own = NULL;
	const char **counted = NULL;
	size_t n = 0, i, k;
	tufsign_status st = TUFSIGN_OK, abort_st = TUFSIGN_OK;
	const tufsign_pubkey *key;

	if (valid != NULL)
		*valid = 0;
	if (role == NULL || role->threshold < 1)
		return tufsign_error_set(err, TUFSIGN_ERR_METADATA,
					 "role of '%s' has no threshold of at least 1", doc->role);
	if (doc->signature_count == 0)
		return tufsign_error_set(err, TUFSIGN_ERR_SIGNATURE, "'%s' has no signatures",
					 doc->role);
	if (msg == NULL) {
		st = tufsign_meta_canonical(doc, &own, &msg_len, err);
		if (st != TUFSIGN_OK)
			return st;
		msg = own;
	}
	counted = calloc(doc->signature_count, sizeof(*counted));
	if (counted == NULL) {
		free(own);
		return tufsign_error_set(err, TUFSIGN_ERR_NOMEM, "out of memory");
	}
	for (i = 0; i < doc->signature_count && abort_st == TUFSIGN_OK; i++) {
		const tufsign_signature *s = &doc->signatures[i];

		key = role_lists(role, s->keyid) ? find_in(keys, key_count, s->keyid) : NULL;
		if (key == NULL)
			continue;
		for (k = 0; k < n && strcmp(counted[k], s->keyid) != 0; k++)
			;
		if (k < n)
			continue;
		if (check_signature(s, key, msg, msg_len, &abort_st, err))
			counted[n++] = s->keyid;
	}
	free(counted);
	free(own);
	if (abort_st != TUFSIGN_OK)
		return abort_st;
	if (valid != NULL)
		*valid = n;
	if ((int64_t)n < role->threshold)
		return tufsign_error_set(err, TUFSIGN_ERR_SIGNATURE,
					 "valid signatures did not meet threshold for '%s': %zu "
					 "of %lld",
					 doc->role, n, (long long)role->threshold);
	return TUFSIGN_OK;
}

tufsign_status tf_verify_expiry(const tufsign_meta *doc, time_t now, tufsign_error *err)
{
	char when[TUFSIGN_TIME_SIZE];
	tufsign_error ignored;

	if (now == 0 || doc->expires.seconds >= (int64_t)now)
		return TUFSIGN_OK;
	tufsign_error_clear(&ignored);
	tufsign_time_format(&doc->expires, when, &ignored);
	tufsign_error_set(err, TUFSIGN_ERR_EXPIRED, "'%s' expired at %s", doc->role, when);
	tufsign_error_locate(err, doc->role, "signed.expires");
	return TUFSIGN_ERR_EXPIRED;
}

tufsign_status tufsign_verify_role(const tufsign_meta *doc, const char *msg, size_t msg_len,
				   const tufsign_meta *delegator, time_t now, tufsign_error *err)
{
	const tufsign_role *role;
	tufsign_status st;
	int delegated = strncmp(doc->role, "targets/", 8) == 0;
	size_t parent_len = delegated ? (size_t)(strrchr(doc->role, '/') - doc->role) : 0;

	if (delegator == NULL || (!delegated && delegator->type != TUFSIGN_ROLE_ROOT) ||
	    (delegated &&
	     (delegator->type != TUFSIGN_ROLE_TARGETS || strlen(delegator->role) != parent_len ||
	      strncmp(delegator->role, doc->role, parent_len) != 0)))
		return tufsign_error_set(err, TUFSIGN_ERR_INVALID_ARGUMENT,
					 "'%s' is not delegated by '%s'", doc->role,
					 delegator ? delegator->role : "");
	role = tufsign_meta_find_role(delegator, doc->role);
	if (role == NULL)
		return tufsign_error_set(err, TUFSIGN_ERR_UNTRUSTED, "'%s' does not list role '%s'",
					 delegator->role, doc->role);
	st = tufsign_verify_threshold(doc, msg, msg_len, delegator->keys, delegator->key_count,
				      role, NULL, err);
	if (st == TUFSIGN_OK)
		st = tf_verify_expiry(doc, now, err);
	if (st != TUFSIGN_OK)
		tufsign_error_locate(err, doc->role, NULL);
	return st;
}

void tf_root_keys_release(tf_root_keys *rk)
{
	size_t i;

	for (i = 0; i < rk->count; i++)
		tufsign_pubkey_release(&rk->keys[i]);
	free(rk->keys);
	free(rk->ids);
	memset(rk, 0, sizeof(*rk));
}

/* Rebuild one root key from its valid certificates as notary does. */
static tufsign_status rebuild_key(const tufsign_pubkey *key, const char *gun, time_t now,
				  int check_expiry, tufsign_pubkey *out, tufsign_error *err)
{
	tf_cert_list valid;
	char *pem = NULL;
	size_t pem_len = 0;
	tufsign_status st;

	memset(out, 0, sizeof(*out));
	if (key->type != TUFSIGN_KEYTYPE_ECDSA_X509 && key->type != TUFSIGN_KEYTYPE_RSA_X509)
		return tufsign_error_set(err, TUFSIGN_ERR_UNTRUSTED,
					 "root key %s is not a certificate", key->id);
	st = tf_cert_root_chain((const char *)key->public, key->public_len, gun, now, check_expiry,
				&valid, err);
	if (st == TUFSIGN_OK)
		st = tf_cert_list_pem(valid.certs, valid.count, &pem, &pem_len, err);
	if (st == TUFSIGN_OK)
		st = tufsign_pubkey_init(out, key->type, (const unsigned char *)pem, pem_len, err);
	free(pem);
	tf_cert_list_free(&valid);
	return st;
}

tufsign_status tf_root_keys_build(const tufsign_meta *root, const char *gun, time_t now,
				  int check_expiry, tf_root_keys *rk, tufsign_error *err)
{
	const tufsign_role *role = tufsign_meta_find_role(root, "root");
	tufsign_error first;
	const tufsign_pubkey *key;
	size_t i;

	memset(rk, 0, sizeof(*rk));
	tufsign_error_clear(&first);
	if (role == NULL)
		return tufsign_error_set(err, TUFSIGN_ERR_METADATA, "root lists no root role");
	rk->keys = calloc(role->keyid_count + 1, sizeof(*rk->keys));
	rk->ids = calloc(role->keyid_count + 1, sizeof(*rk->ids));
	if (rk->keys == NULL || rk->ids == NULL) {
		tf_root_keys_release(rk);
		return tufsign_error_set(err, TUFSIGN_ERR_NOMEM, "out of memory");
	}
	for (i = 0; i < role->keyid_count; i++) {
		key = tufsign_meta_find_key(root, role->keyids[i]);
		/* A key failing the checks does not count, as in notary. */
		if (key == NULL || rebuild_key(key, gun, now, check_expiry, &rk->keys[rk->count],
					       &first) != TUFSIGN_OK)
			continue;
		rk->ids[rk->count] = rk->keys[rk->count].id;
		rk->count++;
	}
	rk->role.name = (char *)"root";
	rk->role.keyids = rk->ids;
	rk->role.keyid_count = rk->count;
	rk->role.threshold = role->threshold;
	if (rk->count == 0) {
		tufsign_error_set(err, first.status ? first.status : TUFSIGN_ERR_UNTRUSTED,
				  "no valid root certificate for '%s': %s", gun,
				  first.message[0] ? first.message : "root lists no keys");
		tf_root_keys_release(rk);
		return TUFSIGN_ERR_UNTRUSTED;
	}
	return TUFSIGN_OK;
}

tufsign_status tf_verify_root_self(const tufsign_meta *root, const char *msg, size_t msg_len,
				   const char *gun, time_t now, int check_expiry,
				   tufsign_error *err)
{
	tf_root_keys rk;
	tufsign_status st;

	if (root->type != TUFSIGN_ROLE_ROOT || gun == NULL)
		return tufsign_error_set(err, TUFSIGN_ERR_INVALID_ARGUMENT,
					 "a root document and a GUN are required");
	st = tf_root_keys_build(root, gun, now, check_expiry, &rk, err);
	if (st == TUFSIGN_OK) {
		st = tufsign_verify_threshold(root, msg, msg_len, rk.keys, rk.count, &rk.role, NULL,
					      err);
		tf_root_keys_release(&rk);
	}
	if (st == TUFSIGN_OK && check_expiry)
		st = tf_verify_expiry(root, now, err);
	if (st != TUFSIGN_OK)
		tufsign_error_locate(err, "root", NULL);
	return st;
}

tufsign_status tufsign_verify_root(const tufsign_meta *root, const char *msg, size_t msg_len,
				   const char *gun, time_t now, tufsign_error *err)
{
	return tf_verify_root_self(root, msg, msg_len, gun, now, 1, err);
}

tufsign_status tufsign_verify_root_rotation(const tufsign_meta *trusted_root,
					    const tufsign_meta *new_root, const char *msg,
					    size_t msg_len, const char *gun, time_t now,
					    tufsign_error *err)
{
	tf_root_keys rk;
	tufsign_status st;

	if (new_root->version != trusted_root->version + 1) {
		tufsign_error_set(err, TUFSIGN_ERR_ROLLBACK,
				  "new root has version %lld; the trusted root has %lld and a "
				  "new root must be exactly one version above it",
				  (long long)new_root->version, (long long)trusted_root->version);
		tufsign_error_locate(err, "root", "signed.version");
		return TUFSIGN_ERR_ROLLBACK;
	}
	st = tf_root_keys_build(trusted_root, gun, now, 0, &rk, err);
	if (st == TUFSIGN_OK) {
		st = tufsign_verify_threshold(new_root, msg, msg_len, rk.keys, rk.count, &rk.role,
					      NULL, err);
		tf_root_keys_release(&rk);
		if (st != TUFSIGN_OK)
			tufsign_error_prefix(err, "new root is not signed by the trusted root's "
						  "keys: ");
	}
	if (st == TUFSIGN_OK)
		st = tf_verify_root_self(new_root, msg, msg_len, gun, now, 1, err);
	if (st != TUFSIGN_OK)
		tufsign_error_locate(err, "root", NULL);
	return st;
}
