/* Keys behind engines: the reference picks the engine, and everything else
 * goes through that engine's operations table. */
#include <stdlib.h>
#include <string.h>

#include "engine_internal.h"
#include "tufsign/pubkey.h"

struct tufsign_key {
	const tufsign_engine_ops *ops;
	void *handle;
	char *ref;
	tufsign_key_algo algo;
	const unsigned char *spki; /* owned by handle */
	size_t spki_len;
};

/* The file engine takes what no other engine claims, so it comes last. */
static const tufsign_engine_ops *const engines[] = {&tufsign_engine_pkcs11, &tufsign_engine_file};

static const tufsign_engine_ops *engine_for(const char *ref)
{
	size_t i;

	for (i = 0; i < TF_ARRAY_LEN(engines); i++)
		if (engines[i]->accepts(ref))
			return engines[i];
	return NULL;
}

static tufsign_status no_engine(const char *ref, tufsign_error *err)
{
	return tufsign_error_set(err, TUFSIGN_ERR_INVALID_ARGUMENT,
				 "'%s' is neither a PKCS#11 URI (pkcs11:...) nor a key file",
				 ref ? ref : "(null)");
}

tufsign_status tufsign_key_open(const char *ref, const tufsign_key_options *opts, tufsign_key **out,
				tufsign_error *err)
{
	const tufsign_engine_ops *ops = engine_for(ref);
	tufsign_key *key = NULL;
	tufsign_status st;

	*out = NULL;
	if (ops == NULL)
		return no_engine(ref, err);
	key = calloc(1, sizeof(*key));
	if (key == NULL || (key->ref = tf_strdup(ref)) == NULL) {
		free(key);
		return tufsign_error_set(err, TUFSIGN_ERR_NOMEM, "out of memory");
	}
	key->ops = ops;
	st = ops->open(ref, opts, &key->handle, err);
	if (st == TUFSIGN_OK)
		st = ops->public_key(key->handle, &key->spki, &key->spki_len, &key->algo, err);
	if (st != TUFSIGN_OK) {
		tufsign_key_free(key);
		return st;
	}
	*out = key;
	return TUFSIGN_OK;
}

tufsign_status tufsign_key_signer(tufsign_key *key, tufsign_signer *out, tufsign_error *err)
{
	memset(out, 0, sizeof(*out));
	if (key == NULL)
		return tufsign_error_set(err, TUFSIGN_ERR_INVALID_ARGUMENT, "no key given");
	out->sign = key->ops->sign;
	out->ctx = key->handle;
	out->algo = key->algo;
	out->spki = key->spki;
	out->spki_len = key->spki_len;
	out->label = key->ref;
	return TUFSIGN_OK;
}

const char *tufsign_key_ref(const tufsign_key *key)
{
	return key ? key->ref : NULL;
}

void tufsign_key_free(tufsign_key *key)
{
	if (key == NULL)
		return;
	if (key->handle != NULL)
		key->ops->close(key->handle);
	free(key->ref);
	free(key);
}

tufsign_status tufsign_key_list(const char *ref, const tufsign_key_options *opts,
				tufsign_key_info **keys, size_t *count, tufsign_error *err)
{
	const tufsign_engine_ops *ops = engine_for(ref);

	*keys = NULL;
	*count = 0;
	if (ops == NULL)
		return no_engine(ref, err);
	return ops->list_keys(ref, opts, keys, count, err);
}

void tufsign_key_info_free(tufsign_key_info *keys, size_t count)
{
	size_t i;

	if (keys == NULL)
		return;
	for (i = 0; i < count; i++) {
		free(keys[i].label);
		free(keys[i].id_hex);
		free(keys[i].uri);
	}
	free(keys);
}

const char *tufsign_key_algo_name(tufsign_key_algo algo)
{
	switch (algo) {
	case TUFSIGN_ALGO_ECDSA_P256:
		return "ecdsa-p256";
	case TUFSIGN_ALGO_ECDSA_P384:
		return "ecdsa-p384";
	case TUFSIGN_ALGO_RSA:
		return "rsa";
	case TUFSIGN_ALGO_ED25519:
		return "ed25519";
	default:
		return "none";
	}
}

tufsign_status tf_engine_keyid(const unsigned char *spki, size_t spki_len, tufsign_key_algo algo,
			       char keyid[65], tufsign_error *err)
{
	tufsign_pubkey key;
	tufsign_status st;

	(void)algo;
	keyid[0] = '\0';
	st = tufsign_pubkey_from_spki(&key, spki, spki_len, err);
	if (st == TUFSIGN_OK)
		memcpy(keyid, key.id, TUFSIGN_KEYID_SIZE);
	tufsign_pubkey_release(&key);
	return st;
}
