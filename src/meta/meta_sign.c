/* Signing role documents through signer callbacks. */
#include <stdlib.h>
#include <string.h>

#include "meta_internal.h"
#include "pubkey_internal.h"

/* Check that the signer holds the private half of key. */
static tufsign_status match_signer(const tufsign_signer *signer, const tufsign_pubkey *key,
				   tufsign_error *err)
{
	unsigned char *spki = NULL;
	size_t spki_len = 0;
	tufsign_pubkey plain, listed;
	tufsign_status st;
	int same;

	memset(&plain, 0, sizeof(plain));
	memset(&listed, 0, sizeof(listed));
	st = tufsign_pubkey_from_signer(&plain, signer, err);
	if (st == TUFSIGN_OK)
		st = tufsign_pubkey_spki(key, &spki, &spki_len, err);
	if (st == TUFSIGN_OK)
		st = tufsign_pubkey_from_spki(&listed, spki, spki_len, err);
	if (st == TUFSIGN_OK) {
		same = strcmp(plain.id, listed.id) == 0;
		if (!same)
			st = tufsign_error_set(err, TUFSIGN_ERR_SIGNATURE,
					       "signer '%s' does not hold the key %s",
					       signer->label ? signer->label : "", key->id);
	}
	free(spki);
	tufsign_pubkey_release(&plain);
	tufsign_pubkey_release(&listed);
	return st;
}

/* Sign msg with one key and check the result before keeping it. */
static tufsign_status sign_one(const tufsign_signing_key *k, const char *msg, size_t msg_len,
			       tufsign_meta *out, tufsign_error *err)
{
	tufsign_pubkey plain;
	const tufsign_pubkey *key = k->key;
	tufsign_sig_scheme scheme;
	const char *method;
	unsigned char *sig = NULL;
	size_t sig_len = 0;
	tufsign_status st;

	memset(&plain, 0, sizeof(plain));
	if (k->signer == NULL || k->signer->sign == NULL)
		return tufsign_error_set(err, TUFSIGN_ERR_INVALID_ARGUMENT, "no signer given");
	scheme = tufsign_sig_scheme_for_algo(k->signer->algo);
	method = tufsign_sig_scheme_method(scheme);
	if (method == NULL)
		return tufsign_error_set(err, TUFSIGN_ERR_UNSUPPORTED,
					 "signer '%s' has no supported key algorithm",
					 k->signer->label ? k->signer->label : "");
	if (key == NULL) {
		st = tufsign_pubkey_from_signer(&plain, k->signer, err);
		key = &plain;
	} else {
		st = match_signer(k->signer, key, err);
	}
	if (st == TUFSIGN_OK)
		st = k->signer->sign(k->signer->ctx, scheme, (const unsigned char *)msg, msg_len,
				     &sig, &sig_len, err);
	if (st == TUFSIGN_OK) {
		st = tufsign_pubkey_verify(key, method, (const unsigned char *)msg, msg_len, sig,
					   sig_len, err);
		if (st != TUFSIGN_OK)
			tufsign_error_prefix(err, "signer '%s' returned a bad signature: ",
					     k->signer->label ? k->signer->label : "");
	}
	if (st == TUFSIGN_OK) {
		st = tf_meta_push_signature(out, key->id, method, sig, sig_len, err);
		sig = NULL;
	}
	free(sig);
	tufsign_pubkey_release(&plain);
	return st;
}

tufsign_status tufsign_meta_sign(tufsign_meta *doc, const tufsign_signing_key *keys,
				 size_t key_count, char **file, size_t *file_len,
				 tufsign_digest *digest, tufsign_error *err)
{
	tufsign_meta *scratch = NULL;
	char *msg = NULL, *bytes = NULL;
	size_t msg_len = 0, bytes_len = 0, i;
	tufsign_signature *swap;
	size_t swap_count, swap_cap;
	tufsign_status st;

	if (file != NULL)
		*file = NULL;
	if (file_len != NULL)
		*file_len = 0;
	if (digest != NULL)
		memset(digest, 0, sizeof(*digest));
	if (key_count == 0)
		return tufsign_error_set(err, TUFSIGN_ERR_INVALID_ARGUMENT,
					 "no key given to sign '%s'", doc->role);
	st = tufsign_meta_validate(doc, err);
	if (st == TUFSIGN_OK)
		st = tufsign_meta_canonical(doc, &msg, &msg_len, err);
	/* The new signatures collect in a scratch document so a failure
	 * leaves doc's signatures untouched. */
	if (st == TUFSIGN_OK)
		st = tufsign_meta_new(doc->role, &scratch, err);
	for (i = 0; st == TUFSIGN_OK && i < key_count; i++)
		st = sign_one(&keys[i], msg, msg_len, scratch, err);
	if (st == TUFSIGN_OK) {
		swap = doc->signatures;
		swap_count = doc->signature_count;
		swap_cap = doc->store->signature_cap;
		doc->signatures = scratch->signatures;
		doc->signature_count = scratch->signature_count;
		doc->store->signature_cap = scratch->store->signature_cap;
		scratch->signatures = swap;
		scratch->signature_count = swap_count;
		scratch->store->signature_cap = swap_cap;
	}
	if (st == TUFSIGN_OK && (file != NULL || digest != NULL))
		st = tufsign_meta_file_bytes(doc, &bytes, &bytes_len, err);
	if (st == TUFSIGN_OK && digest != NULL)
		st = tufsign_digest_compute((const unsigned char *)bytes, bytes_len, digest, err);
	if (st == TUFSIGN_OK && file != NULL) {
		*file = bytes;
		bytes = NULL;
		if (file_len != NULL)
			*file_len = bytes_len;
	}
	if (st != TUFSIGN_OK)
		tufsign_error_locate(err, doc->role, NULL);
	free(bytes);
	free(msg);
	tufsign_meta_free(scratch);
	return st;
}
