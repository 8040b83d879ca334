/* Public-key helpers of the engines. Every signature an engine produces is
 * checked here against the key's public half before it leaves the engine,
 * so a faulty token or a wrong key never reaches the metadata. */
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/ecdsa.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "engine_internal.h"

static tufsign_status describe_ec(const EVP_PKEY *pub, tufsign_key_algo *algo, tufsign_error *err)
{
	char curve[64] = "";

	if (!EVP_PKEY_get_utf8_string_param(pub, OSSL_PKEY_PARAM_GROUP_NAME, curve, sizeof(curve),
					    NULL))
		return tf_openssl_error(err, TUFSIGN_ERR_CRYPTO,
					"cannot read the curve of an EC key");
	if (strcmp(curve, "prime256v1") == 0 || strcmp(curve, "P-256") == 0)
		*algo = TUFSIGN_ALGO_ECDSA_P256;
	else if (strcmp(curve, "secp384r1") == 0 || strcmp(curve, "P-384") == 0)
		*algo = TUFSIGN_ALGO_ECDSA_P384;
	else
		return tufsign_error_set(err, TUFSIGN_ERR_UNSUPPORTED,
					 "EC curve '%s' is not supported; use P-256 or P-384",
					 curve);
	return TUFSIGN_OK;
}

tufsign_status tf_engine_describe(const EVP_PKEY *pub, tufsign_key_algo *algo, unsigned *bits,
				  tufsign_error *err)
{
	*algo = TUFSIGN_ALGO_NONE;
	*bits = (unsigned)EVP_PKEY_get_bits(pub);
	switch (EVP_PKEY_get_base_id(pub)) {
	case EVP_PKEY_EC:
		return describe_ec(pub, algo, err);
	case EVP_PKEY_RSA:
		if (*bits < 2048)
			return tufsign_error_set(err, TUFSIGN_ERR_UNSUPPORTED,
						 "RSA key of %u bits is too small; notary needs at "
						 "least 2048",
						 *bits);
		*algo = TUFSIGN_ALGO_RSA;
		return TUFSIGN_OK;
	case EVP_PKEY_ED25519:
		*algo = TUFSIGN_ALGO_ED25519;
		return TUFSIGN_OK;
	default:
		return tufsign_error_set(
			err, TUFSIGN_ERR_UNSUPPORTED,
			"key type '%s' is not supported; use ECDSA, RSA or Ed25519",
			EVP_PKEY_get0_type_name(pub));
	}
}

tufsign_status tf_engine_spki(EVP_PKEY *pub, unsigned char **spki, size_t *len, tufsign_error *err)
{
	unsigned char *der = NULL;
	int n = i2d_PUBKEY(pub, &der);

	*spki = NULL;
	*len = 0;
	if (n <= 0)
		return tf_openssl_error(err, TUFSIGN_ERR_CRYPTO, "cannot encode a public key");
	*spki = malloc((size_t)n);
	if (*spki == NULL) {
		OPENSSL_free(der);
		return tufsign_error_set(err, TUFSIGN_ERR_NOMEM, "out of memory");
	}
	memcpy(*spki, der, (size_t)n);
	*len = (size_t)n;
	OPENSSL_free(der);
	return TUFSIGN_OK;
}

int tf_engine_scheme_fits(tufsign_key_algo algo, tufsign_sig_scheme scheme)
{
	switch (scheme) {
	case TUFSIGN_SIG_ECDSA_SHA256:
		return algo == TUFSIGN_ALGO_ECDSA_P256 || algo == TUFSIGN_ALGO_ECDSA_P384;
	case TUFSIGN_SIG_RSA_PSS_SHA256:
	case TUFSIGN_SIG_RSA_PKCS1_SHA256:
		return algo == TUFSIGN_ALGO_RSA;
	case TUFSIGN_SIG_ED25519:
		return algo == TUFSIGN_ALGO_ED25519;
	}
	return 0;
}

/* r||s back to DER, the form OpenSSL verifies. */
static tufsign_status ecdsa_raw_to_der(const unsigned char *raw, size_t raw_len,
				       unsigned char **der, int *der_len, tufsign_error *err)
{
	ECDSA_SIG *s = ECDSA_SIG_new();
	BIGNUM *r = BN_bin2bn(raw, (int)(raw_len / 2), NULL);
	BIGNUM *sv = BN_bin2bn(raw + raw_len / 2, (int)(raw_len / 2), NULL);
	tufsign_status st = TUFSIGN_OK;

	*der = NULL;
	if (s == NULL || r == NULL || sv == NULL || !ECDSA_SIG_set0(s, r, sv)) {
		BN_free(r);
		BN_free(sv);
		st = tf_openssl_error(err, TUFSIGN_ERR_CRYPTO, "cannot decode an ECDSA signature");
	} else if ((*der_len = i2d_ECDSA_SIG(s, der)) <= 0) {
		st = tf_openssl_error(err, TUFSIGN_ERR_CRYPTO, "cannot encode an ECDSA signature");
	}
	ECDSA_SIG_free(s);
	return st;
}

static int set_pss(EVP_PKEY_CTX *pctx)
{
	return EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) > 0 &&
	       EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, 32) > 0 &&
	       EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, EVP_sha256()) > 0;
}

tufsign_status tf_engine_verify(EVP_PKEY *pub, tufsign_sig_scheme scheme, const unsigned char *msg,
				size_t msg_len, const unsigned char *sig, size_t sig_len,
				tufsign_error *err)
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	EVP_PKEY_CTX *pctx = NULL;
	unsigned char *der = NULL;
	int der_len = 0, ok = 0;
	tufsign_status st = TUFSIGN_OK;
	const EVP_MD *digest = scheme == TUFSIGN_SIG_ED25519 ? NULL : EVP_sha256();

	if (md == NULL)
		return tufsign_error_set(err, TUFSIGN_ERR_NOMEM, "out of memory");
	if (scheme == TUFSIGN_SIG_ECDSA_SHA256) {
		st = ecdsa_raw_to_der(sig, sig_len, &der, &der_len, err);
		sig = der;
		sig_len = (size_t)der_len;
	}
	if (st == TUFSIGN_OK && EVP_DigestVerifyInit(md, &pctx, digest, NULL, pub) == 1 &&
	    (scheme != TUFSIGN_SIG_RSA_PSS_SHA256 || set_pss(pctx)))
		ok = EVP_DigestVerify(md, sig, sig_len, msg, msg_len) == 1;
	if (st == TUFSIGN_OK && !ok)
		st = tf_openssl_error(err, TUFSIGN_ERR_SIGNATURE,
				      "the signature the key produced does not verify with its "
				      "public key");
	OPENSSL_free(der);
	EVP_MD_CTX_free(md);
	return st;
}

tufsign_status tf_engine_verify_ecdsa_digest(EVP_PKEY_CTX *ctx, const unsigned char *digest,
					     size_t digest_len, const unsigned char *sig,
					     size_t sig_len, tufsign_error *err)
{
	unsigned char *der = NULL;
	int der_len = 0;
	tufsign_status st = ecdsa_raw_to_der(sig, sig_len, &der, &der_len, err);

	if (st == TUFSIGN_OK && EVP_PKEY_verify(ctx, der, (size_t)der_len, digest, digest_len) != 1)
		st = tf_openssl_error(err, TUFSIGN_ERR_SIGNATURE,
				      "the signature the key produced does not verify with its "
				      "public key");
	OPENSSL_free(der);
	return st;
}

tufsign_status tf_engine_ecdsa_der_to_raw(const unsigned char *der, size_t der_len,
					  size_t field_len, unsigned char **raw, size_t *raw_len,
					  tufsign_error *err)
{
	const unsigned char *p = der;
	ECDSA_SIG *s = d2i_ECDSA_SIG(NULL, &p, (long)der_len);
	const BIGNUM *r = NULL, *sv = NULL;

	*raw = NULL;
	*raw_len = 0;
	if (s == NULL)
		return tf_openssl_error(err, TUFSIGN_ERR_CRYPTO,
					"cannot decode an ECDSA signature");
	ECDSA_SIG_get0(s, &r, &sv);
	*raw = malloc(2 * field_len);
	if (*raw == NULL) {
		ECDSA_SIG_free(s);
		return tufsign_error_set(err, TUFSIGN_ERR_NOMEM, "out of memory");
	}
	if (BN_bn2binpad(r, *raw, (int)field_len) < 0 ||
	    BN_bn2binpad(sv, *raw + field_len, (int)field_len) < 0) {
		ECDSA_SIG_free(s);
		free(*raw);
		*raw = NULL;
		return tufsign_error_set(err, TUFSIGN_ERR_CRYPTO,
					 "ECDSA signature value longer than the curve size");
	}
	ECDSA_SIG_free(s);
	*raw_len = 2 * field_len;
	return TUFSIGN_OK;
}
