/* Matching signing keys and pins against the keys a root lists, and the
 * small helpers every repository operation shares. */
#include <stdio.h>
#include <string.h>

#include "internal.h"
#include "repo_internal.h"

tufsign_status tf_repo_check_call(const tufsign_repo_context *ctx, const char *gun,
				  tufsign_error *err)
{
	if (ctx == NULL || ctx->client == NULL || ctx->cache == NULL)
		return tufsign_error_set(err, TUFSIGN_ERR_INVALID_ARGUMENT,
					 "repository operations need a Notary client and a "
					 "trust cache");
	return tufsign_repo_check_gun(gun, err);
}

tufsign_status tf_repo_begin(const tufsign_repo_context *ctx, const char *gun,
			     tufsign_trust_txn **txn, tufsign_error *err)
{
	long timeout =
		ctx->lock_timeout_ms > 0 ? ctx->lock_timeout_ms : TUFSIGN_TRUST_LOCK_TIMEOUT_MS;

	return tufsign_trust_cache_begin(ctx->cache, gun, timeout, txn, err);
}

tufsign_time tf_repo_expiry(time_t now, int years)
{
	struct tm tm;

	gmtime_r(&now, &tm);
	tm.tm_year += years;
	return tufsign_time_from_unix(timegm(&tm));
}

tufsign_status tf_repo_snapshot_hint(tufsign_status st, int had_snapshot, tufsign_error *err)
{
	if (st == TUFSIGN_ERR_SERVER && !had_snapshot && strstr(err->message, "snapshot") != NULL)
		tufsign_error_prefix(err, "the server rejected the upload (if the repository's "
					  "snapshot key is not held by the server, pass "
					  "--snapshot-key): ");
	return st;
}

void tf_repo_note_expiring(const tufsign_repo_context *ctx, const tufsign_chain *chain,
			   tufsign_publish_result *result)
{
	int days =
		ctx->expiry_warning_days ? ctx->expiry_warning_days : TUFSIGN_EXPIRY_WARNING_DAYS;

	result->expiring_count = 0;
	if (days > 0)
		result->expiring_count =
			tufsign_chain_expiring(chain, (int64_t)time(NULL) + (int64_t)days * 86400,
					       result->expiring, TUFSIGN_MAX_EXPIRING);
}

tufsign_status tf_repo_signer_id(const tufsign_signer *signer, char id[TUFSIGN_KEYID_SIZE],
				 tufsign_error *err)
{
	tufsign_pubkey key;
	tufsign_status st;

	memset(&key, 0, sizeof(key));
	id[0] = '\0';
	st = tufsign_pubkey_from_signer(&key, signer, err);
	if (st == TUFSIGN_OK)
		memcpy(id, key.id, TUFSIGN_KEYID_SIZE);
	tufsign_pubkey_release(&key);
	return st;
}

/* Return 1 when key has ID id, either as listed or as its canonical ID (the
 * plain key inside a certificate). */
static int key_has_id(const tufsign_pubkey *key, const char *id)
{
	char canonical[TUFSIGN_KEYID_SIZE];
	tufsign_error ignored;

	if (strcmp(key->id, id) == 0)
		return 1;
	tufsign_error_clear(&ignored);
	if (tufsign_pubkey_canonical_id(key, canonical, &ignored) != TUFSIGN_OK)
		return 0;
	return strcmp(canonical, id) == 0;
}

/* Find the key of role in root whose ID (listed or canonical) is id. */
static const tufsign_pubkey *find_role_key(const tufsign_meta *root, const tufsign_role *role,
					   const char *id)
{
	size_t i;

	for (i = 0; role != NULL && i < role->keyid_count; i++) {
		const tufsign_pubkey *key = tufsign_meta_find_key(root, role->keyids[i]);

		if (key != NULL && key_has_id(key, id))
			return key;
	}
	return NULL;
}

void tf_repo_describe_keys(const tufsign_meta *doc, const tufsign_role *role, char *buf,
			   size_t size)
{
	size_t i, used = 0;

	buf[0] = '\0';
	for (i = 0; role != NULL && i < role->keyid_count && used + 1 < size; i++) {
		const tufsign_pubkey *key = tufsign_meta_find_key(doc, role->keyids[i]);
		char canonical[TUFSIGN_KEYID_SIZE] = "";
		tufsign_error ignored;
		int n;

		tufsign_error_clear(&ignored);
		if (key != NULL)
			tufsign_pubkey_canonical_id(key, canonical, &ignored);
		n = snprintf(buf + used, size - used, "%s%s", i ? ", " : "", role->keyids[i]);
		if (n > 0 && (size_t)n < size - used && canonical[0] != '\0' &&
		    strcmp(canonical, role->keyids[i]) != 0)
			n += snprintf(buf + used + (size_t)n, size - used - (size_t)n,
				      " (canonical %s)", canonical);
		if (n < 0 || (size_t)n >= size - used)
			break;
		used += (size_t)n;
	}
	if (buf[0] == '\0')
		snprintf(buf, size, "none");
}

tufsign_status tf_repo_match_key(const tufsign_meta *root, const char *gun, const char *role,
				 const tufsign_signer *signer, const tufsign_pubkey **listed,
				 tufsign_error *err)
{
	const tufsign_role *entry = tufsign_meta_find_role(root, role);
	char id[TUFSIGN_KEYID_SIZE], ids[400];
	tufsign_status st;

	*listed = NULL;
	st = tf_repo_signer_id(signer, id, err);
	if (st != TUFSIGN_OK)
		return st;
	*listed = find_role_key(root, entry, id);
	if (*listed != NULL)
		return TUFSIGN_OK;
	tf_repo_describe_keys(root, entry, ids, sizeof(ids));
	st = tufsign_error_set(err, TUFSIGN_ERR_KEY_NOT_FOUND,
			       "key '%s' (key ID %s) is not the %s key of '%s': root version "
			       "%lld lists %s key ID %s; use that key%s",
			       signer->label ? signer->label : "(unnamed)", id, role, gun,
			       (long long)root->version, role, ids,
			       strcmp(role, "snapshot") == 0
				       ? ", or leave out --snapshot-key if the server holds it"
				       : "");
	tufsign_error_locate(err, role, NULL);
	return st;
}

static tufsign_status cert_pin_id(const tufsign_repo_pin *pin, char id[TUFSIGN_KEYID_SIZE],
				  tufsign_error *err)
{
	tufsign_pubkey key;
	tufsign_status st;

	memset(&key, 0, sizeof(key));
	st = tufsign_pubkey_from_cert_pem(&key, pin->root_cert_pem, pin->root_cert_len, err);
	if (st == TUFSIGN_OK)
		memcpy(id, key.id, TUFSIGN_KEYID_SIZE);
	else
		tufsign_error_prefix(err, "cannot read the pinned root certificate: ");
	tufsign_pubkey_release(&key);
	return st;
}

tufsign_status tf_repo_check_pin(const tufsign_meta *root, const tufsign_repo_pin *pin,
				 tufsign_error *err)
{
	const tufsign_role *entry = tufsign_meta_find_role(root, "root");
	char id[TUFSIGN_KEYID_SIZE], ids[400];
	const char *wanted = pin->root_key_id;

	if (pin->root_cert_pem != NULL) {
		tufsign_status st = cert_pin_id(pin, id, err);

		if (st != TUFSIGN_OK)
			return st;
		wanted = id;
	}
	if (wanted == NULL || find_role_key(root, entry, wanted) != NULL)
		return TUFSIGN_OK;
	tf_repo_describe_keys(root, entry, ids, sizeof(ids));
	return tufsign_error_set(err, TUFSIGN_ERR_UNTRUSTED,
				 "the server's root (version %lld) does not list %s %s; its root "
				 "key IDs are %s; if the root key was rotated (tufsign key "
				 "rotate), pin the new root key ID",
				 (long long)root->version,
				 pin->root_cert_pem != NULL
					 ? "the key ID of the given root certificate (--root-cert),"
					 : "the root key ID given with --root-key-id,",
				 wanted, ids);
}

void tf_repo_first_root_key(const tufsign_meta *root, char id[TUFSIGN_KEYID_SIZE])
{
	const tufsign_role *role = tufsign_meta_find_role(root, "root");

	id[0] = '\0';
	if (role != NULL && role->keyid_count > 0)
		snprintf(id, TUFSIGN_KEYID_SIZE, "%s", role->keyids[0]);
}
