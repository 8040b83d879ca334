/* Public keys of TUF metadata: encodings, key IDs and signature checks. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/bio.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/sha.h>
#include <openssl/x509.h>

#include "pubkey_internal.h"
#include "tufsign/cert.h"

static const char *const keytype_names[] = {
	[TUFSIGN_KEYTYPE_NONE] = "",
	[TUFSIGN_KEYTYPE_ECDSA] = "ecdsa",
	[TUFSIGN_KEYTYPE_ECDSA_X509] = "ecdsa-x509",
	[TUFSIGN_KEYTYPE_RSA] = "rsa",
	[TUFSIGN_KEYTYPE_RSA_X509] = "rsa-x509",
	[TUFSIGN_KEYTYPE_ED25519] = "ed25519",
};

const char *tufsign_keytype_name(tufsign_keytype type)
{
	if ((unsigned)type >= TF_ARRAY_LEN(keytype_names))
		return "";
	return keytype_names[type];
}

tufsign_keytype tufsign_keytype_from_name(const char *name)
{
	size_t i;

	for (i = 1; name != NULL && i < TF_ARRAY_LEN(keytype_names); i++)
		if (strcmp(name, keytype_names[i]) == 0)
			return (tufsign_keytype)i;
	return TUFSIGN_KEYTYPE_NONE;
}

static int is_x509(tufsign_keytype type)
{
	return type == TUFSIGN_KEYTYPE_ECDSA_X509 || type == TUFSIGN_KEYTYPE_RSA_X509;
}

tufsign_status tufsign_pubkey_compute_id(tufsign_keytype type, const unsigned char *public,
					 size_t public_len, char id[TUFSIGN_KEYID_SIZE],
					 tufsign_error *err)
{
	unsigned char digest[SHA256_DIGEST_LENGTH];
	char *b64 = tf_base64_encode(public, public_len);
	char *text;

	id[0] = '\0';
	if (b64 == NULL)
		return tufsign_error_set(err, TUFSIGN_ERR_NOMEM, "out of memory");
	text = tf_asprintf("{\"keytype\":\"%s\",\"keyval\":{\"private\":null,\"public\":\"%s\"}}",
			   tufsign_keytype_name(type), b64);
	free(b64);
	if (text == NULL)
		return tufsign_error_set(err, TUFSIGN_ERR_NOMEM, "out of memory");
	SHA256((const unsigned char *)text, strlen(text), digest);
	free(text);
	tf_hex_encode(digest, sizeof(digest), id);
	return TUFSIGN_OK;
}

X509 *tf_cert_from_pem(const unsigned char *pem, size_t len)
{
	BIO *bio = BIO_new_mem_buf(pem, (int)len);
	X509 *cert = NULL;

	if (bio != NULL && len < 0x7fffffff)
		cert = PEM_read_bio_X509(bio, NULL, NULL, NULL);
	BIO_free(bio);
	return cert;
}

EVP_PKEY *tf_pubkey_load(const tufsign_pubkey *key, tufsign_error *err)
{
	const unsigned char *p = key->public;
	EVP_PKEY *pkey = NULL;
	X509 *cert = NULL;

	switch (key->type) {
	case TUFSIGN_KEYTYPE_ECDSA:
	case TUFSIGN_KEYTYPE_RSA:
		pkey = d2i_PUBKEY(NULL, &p, (long)key->public_len);
		break;
	case TUFSIGN_KEYTYPE_ED25519:
		if (key->public_len == 32)
			pkey = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, key->public, 32);
		break;
	case TUFSIGN_KEYTYPE_ECDSA_X509:
	case TUFSIGN_KEYTYPE_RSA_X509:
		cert = tf_cert_from_pem(key->public, key->public_len);
		if (cert != NULL)
			pkey = X509_get_pubkey(cert);
		X509_free(cert);
		break;
	default:
		break;
	}
	if (pkey == NULL) {
		tf_openssl_error(err, TUFSIGN_ERR_METADATA, "invalid %s public key",
				 tufsign_keytype_name(key->type));
		return NULL;
	}
	if ((key->type == TUFSIGN_KEYTYPE_ECDSA || key->type == TUFSIGN_KEYTYPE_ECDSA_X509) !=
		    (EVP_PKEY_base_id(pkey) == EVP_PKEY_EC) ||
	    (key->type == TUFSIGN_KEYTYPE_RSA || key->type == TUFSIGN_KEYTYPE_RSA_X509) !=
		    (EVP_PKEY_base_id(pkey) == EVP_PKEY_RSA)) {
		EVP_PKEY_free(pkey);
		tufsign_error_set(err, TUFSIGN_ERR_METADATA,
				  "public key does not match its keytype \"%s\"",
				  tufsign_keytype_name(key->type));
		return NULL;
	}
	return pkey;
}

tufsign_status tufsign_pubkey_init(tufsign_pubkey *out, tufsign_keytype type,
				   const unsigned char *public, size_t public_len,
				   tufsign_error *err)
{
	EVP_PKEY *pkey;
	tufsign_status st;

	memset(out, 0, sizeof(*out));
	if (type == TUFSIGN_KEYTYPE_NONE || (public == NULL && public_len > 0))
		return tufsign_error_set(err, TUFSIGN_ERR_INVALID_ARGUMENT, "no public key given");
	out->type = type;
	out->public = malloc(public_len ? public_len : 1);
	if (out->public == NULL)
		return tufsign_error_set(err, TUFSIGN_ERR_NOMEM, "out of memory");
	if (public_len > 0)
		memcpy(out->public, public, public_len);
	out->public_len = public_len;
	pkey = tf_pubkey_load(out, err);
	if (pkey == NULL) {
		tufsign_pubkey_release(out);
		return TUFSIGN_ERR_METADATA;
	}
	EVP_PKEY_free(pkey);
	st = tufsign_pubkey_compute_id(type, out->public, out->public_len, out->id, err);
	if (st != TUFSIGN_OK)
		tufsign_pubkey_release(out);
	return st;
}

tufsign_status tf_pubkey_from_pkey(tufsign_pubkey *out, EVP_PKEY *pkey, tufsign_error *err)
{
	unsigned char raw[32], *der = NULL;
	size_t raw_len = sizeof(raw);
	int der_len;
	tufsign_status st;

	memset(out, 0, sizeof(*out));
	switch (EVP_PKEY_base_id(pkey)) {
	case EVP_PKEY_ED25519:
		if (EVP_PKEY_get_raw_public_key(pkey, raw, &raw_len) != 1 || raw_len != 32)
			return tf_openssl_error(err, TUFSIGN_ERR_CRYPTO, "cannot read Ed25519 key");
		return tufsign_pubkey_init(out, TUFSIGN_KEYTYPE_ED25519, raw, 32, err);
	case EVP_PKEY_EC:
	case EVP_PKEY_RSA:
		der_len = i2d_PUBKEY(pkey, &der);
		if (der_len <= 0)
			return tf_openssl_error(err, TUFSIGN_ERR_CRYPTO,
						"cannot encode public key");
		st = tufsign_pubkey_init(out,
					 EVP_PKEY_base_id(pkey) == EVP_PKEY_EC
						 ? TUFSIGN_KEYTYPE_ECDSA
						 : TUFSIGN_KEYTYPE_RSA,
					 der, (size_t)der_len, err);
		OPENSSL_free(der);
		return st;
	default:
		return tufsign_error_set(err, TUFSIGN_ERR_UNSUPPORTED,
					 "unsupported public key algorithm (EC, RSA or Ed25519 "
					 "expected)");
	}
}

tufsign_status tufsign_pubkey_from_spki(tufsign_pubkey *out, const unsigned char *spki,
					size_t spki_len, tufsign_error *err)
{
	const unsigned char *p = spki;
	EVP_PKEY *pkey;
	tufsign_status st;

	memset(out, 0, sizeof(*out));
	pkey = spki ? d2i_PUBKEY(NULL, &p, (long)spki_len) : NULL;
	if (pkey == NULL || p != spki + spki_len) {
		EVP_PKEY_free(pkey);
		return tf_openssl_error(err, TUFSIGN_ERR_INVALID_ARGUMENT,
					"invalid DER SubjectPublicKeyInfo");
	}
	st = tf_pubkey_from_pkey(out, pkey, err);
	EVP_PKEY_free(pkey);
	return st;
}

tufsign_status tufsign_pubkey_from_signer(tufsign_pubkey *out, const tufsign_signer *signer,
					  tufsign_error *err)
{
	memset(out, 0, sizeof(*out));
	if (signer == NULL)
		return tufsign_error_set(err, TUFSIGN_ERR_INVALID_ARGUMENT, "no signer given");
	return tufsign_pubkey_from_spki(out, signer->spki, signer->spki_len, err);
}

tufsign_status tufsign_pubkey_from_cert_pem(tufsign_pubkey *out, const char *pem, size_t pem_len,
					    tufsign_error *err)
{
	char *norm = NULL;
	size_t norm_len = 0;
	X509 *cert;
	EVP_PKEY *pkey;
	tufsign_keytype type = TUFSIGN_KEYTYPE_NONE;
	tufsign_status st;

	memset(out, 0, sizeof(*out));
	st = tufsign_cert_normalize_pem(pem, pem_len, &norm, &norm_len, err);
	if (st != TUFSIGN_OK)
		return st;
	cert = tf_cert_from_pem((const unsigned char *)norm, norm_len);
	pkey = cert ? X509_get0_pubkey(cert) : NULL;
	if (pkey != NULL && EVP_PKEY_base_id(pkey) == EVP_PKEY_EC)
		type = TUFSIGN_KEYTYPE_ECDSA_X509;
	else if (pkey != NULL && EVP_PKEY_base_id(pkey) == EVP_PKEY_RSA)
		type = TUFSIGN_KEYTYPE_RSA_X509;
	if (type == TUFSIGN_KEYTYPE_NONE)
		st = tufsign_error_set(err, TUFSIGN_ERR_UNSUPPORTED,
				       "certificate key is neither EC nor RSA; notary supports "
				       "only ecdsa-x509 and rsa-x509");
	else
		st = tufsign_pubkey_init(out, type, (const unsigned char *)norm, norm_len, err);
	X509_free(cert);
	free(norm);
	return st;
}

tufsign_status tufsign_pubkey_spki(const tufsign_pubkey *key, unsigned char **spki,
				   size_t *spki_len, tufsign_error *err)
{
	EVP_PKEY *pkey;
	unsigned char *der = NULL;
	int n;

	*spki = NULL;
	*spki_len = 0;
	pkey = tf_pubkey_load(key, err);
	if (pkey == NULL)
		return TUFSIGN_ERR_METADATA;
	n = i2d_PUBKEY(pkey, &der);
	EVP_PKEY_free(pkey);
	if (n <= 0)
		return tf_openssl_error(err, TUFSIGN_ERR_CRYPTO, "cannot encode public key");
	*spki = malloc((size_t)n);
	if (*spki != NULL)
		memcpy(*spki, der, (size_t)n);
	OPENSSL_free(der);
	if (*spki == NULL)
		return tufsign_error_set(err, TUFSIGN_ERR_NOMEM, "out of memory");
	*spki_len = (size_t)n;
	return TUFSIGN_OK;
}

tufsign_status tufsign_pubkey_canonical_id(const tufsign_pubkey *key, char id[TUFSIGN_KEYID_SIZE],
					   tufsign_error *err)
{
	tufsign_pubkey plain;
	EVP_PKEY *pkey;
	tufsign_status st;

	id[0] = '\0';
	if (!is_x509(key->type)) {
		memcpy(id, key->id, TUFSIGN_KEYID_SIZE);
		return TUFSIGN_OK;
	}
	pkey = tf_pubkey_load(key, err);
	if (pkey == NULL)
		return TUFSIGN_ERR_METADATA;
	st = tf_pubkey_from_pkey(&plain, pkey, err);
	EVP_PKEY_free(pkey);
	if (st == TUFSIGN_OK)
		memcpy(id, plain.id, TUFSIGN_KEYID_SIZE);
	tufsign_pubkey_release(&plain);
	return st;
}

tufsign_status tufsign_pubkey_copy(tufsign_pubkey *dst, const tufsign_pubkey *src,
				   tufsign_error *err)
{
	*dst = *src;
	dst->public = malloc(src->public_len ? src->public_len : 1);
	if (dst->public == NULL) {
		memset(dst, 0, sizeof(*dst));
		return tufsign_error_set(err, TUFSIGN_ERR_NOMEM, "out of memory");
	}
	if (src->public_len > 0)
		memcpy(dst->public, src->public, src->public_len);
	return TUFSIGN_OK;
}

void tufsign_pubkey_release(tufsign_pubkey *key)
{
	if (key == NULL)
		return;
	free(key->public);
	memset(key, 0, sizeof(*key));
}

const char *tufsign_sig_scheme_method(tufsign_sig_scheme scheme)
{
	switch (scheme) {
	case TUFSIGN_SIG_ECDSA_SHA256:
		return "ecdsa";
	case TUFSIGN_SIG_RSA_PSS_SHA256:
		return "rsapss";
	case TUFSIGN_SIG_ED25519:
		return "eddsa";
	default:
		return NULL;
	}
}

tufsign_sig_scheme tufsign_sig_scheme_for_algo(tufsign_key_algo algo)
{
	switch (algo) {
	case TUFSIGN_ALGO_ECDSA_P256:
	case TUFSIGN_ALGO_ECDSA_P384:
		return TUFSIGN_SIG_ECDSA_SHA256;
	case TUFSIGN_ALGO_RSA:
		return TUFSIGN_SIG_RSA_PSS_SHA256;
	case TUFSIGN_ALGO_ED25519:
		return TUFSIGN_SIG_ED25519;
	default:
		return (tufsign_sig_scheme)0;
	}
}
