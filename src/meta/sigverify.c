/* Signature checks for every method notary reads. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/sha.h>

#include "pubkey_internal.h"

/* notary rejects RSA keys below this size. */
#define MIN_RSA_BITS 2048

size_t tf_ecdsa_width(EVP_PKEY *pkey)
{
	return ((size_t)EVP_PKEY_get_bits(pkey) + 7) / 8;
}

tufsign_status tf_ecdsa_raw_to_der(const unsigned char *raw, size_t raw_len, unsigned char **der,
				   size_t *der_len, tufsign_error *err)
{
	ECDSA_SIG *sig = ECDSA_SIG_new();
	BIGNUM *r = NULL, *s = NULL;
	unsigned char *out = NULL;
	int n = 0;

	*der = NULL;
	*der_len = 0;
	if (sig != NULL && raw_len > 0 && raw_len % 2 == 0) {
		r = BN_bin2bn(raw, (int)(raw_len / 2), NULL);
		s = BN_bin2bn(raw + raw_len / 2, (int)(raw_len / 2), NULL);
	}
	if (r != NULL && s != NULL && ECDSA_SIG_set0(sig, r, s) == 1) {
		r = s = NULL;
		n = i2d_ECDSA_SIG(sig, &out);
	}
	BN_free(r);
	BN_free(s);
	ECDSA_SIG_free(sig);
	if (n <= 0)
		return tf_openssl_error(err, TUFSIGN_ERR_SIGNATURE,
					"cannot convert a %zu-byte ECDSA signature", raw_len);
	*der = malloc((size_t)n);
	if (*der != NULL)
		memcpy(*der, out, (size_t)n);
	OPENSSL_free(out);
	if (*der == NULL)
		return tufsign_error_set(err, TUFSIGN_ERR_NOMEM, "out of memory");
	*der_len = (size_t)n;
	return TUFSIGN_OK;
}

tufsign_status tf_ecdsa_der_to_raw(const unsigned char *der, size_t der_len, size_t width,
				   unsigned char **raw, size_t *raw_len, tufsign_error *err)
{
	const unsigned char *p = der;
	ECDSA_SIG *sig = d2i_ECDSA_SIG(NULL, &p, (long)der_len);
	const BIGNUM *r = NULL, *s = NULL;
	unsigned char *out = NULL;
	int ok = 0;

	*raw = NULL;
	*raw_len = 0;
	if (sig != NULL) {
		ECDSA_SIG_get0(sig, &r, &s);
		out = malloc(2 * width);
		ok = out != NULL && BN_bn2binpad(r, out, (int)width) == (int)width &&
		     BN_bn2binpad(s, out + width, (int)width) == (int)width;
	}
	ECDSA_SIG_free(sig);
	if (!ok) {
		free(out);
		return tf_openssl_error(err, TUFSIGN_ERR_SIGNATURE, "invalid DER ECDSA signature");
	}
	*raw = out;
	*raw_len = 2 * width;
	return TUFSIGN_OK;
}

static tufsign_status bad(tufsign_error *err, const char *method, const char *why)
{
	return tufsign_error_set(err, TUFSIGN_ERR_SIGNATURE, "%s signature is invalid: %s", method,
				 why);
}

static tufsign_status verify_ecdsa(EVP_PKEY *pkey, const unsigned char *msg, size_t msg_len,
				   const unsigned char *sig, size_t sig_len, tufsign_error *err)
{
	unsigned char digest[SHA256_DIGEST_LENGTH], *der = NULL;
	size_t der_len = 0;
	EVP_PKEY_CTX *ctx = NULL;
	tufsign_status st;
	int ok = 0;

	if (EVP_PKEY_base_id(pkey) != EVP_PKEY_EC)
		return bad(err, "ecdsa", "the key is not an EC key");
	if (sig_len != 2 * tf_ecdsa_width(pkey))
		return bad(err, "ecdsa", "wrong length for the curve (raw r||s expected)");
	st = tf_ecdsa_raw_to_der(sig, sig_len, &der, &der_len, err);
	if (st != TUFSIGN_OK)
		return st;
	SHA256(msg, msg_len, digest);
	ctx = EVP_PKEY_CTX_new(pkey, NULL);
	if (ctx != NULL && EVP_PKEY_verify_init(ctx) == 1)
		ok = EVP_PKEY_verify(ctx, der, der_len, digest, sizeof(digest)) == 1;
	EVP_PKEY_CTX_free(ctx);
	free(der);
	return ok ? TUFSIGN_OK : bad(err, "ecdsa", "verification failed");
}

static tufsign_status verify_digest(EVP_PKEY *pkey, const char *method, const EVP_MD *md,
				    int padding, int salt, const unsigned char *msg, size_t msg_len,
				    const unsigned char *sig, size_t sig_len, tufsign_error *err)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	EVP_PKEY_CTX *pctx = NULL;
	int ok = 0;

	if (ctx != NULL && EVP_DigestVerifyInit(ctx, &pctx, md, NULL, pkey) == 1) {
		ok = 1;
		if (padding != 0)
			ok = EVP_PKEY_CTX_set_rsa_padding(pctx, padding) == 1;
		if (ok && padding == RSA_PKCS1_PSS_PADDING)
			ok = EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, salt) == 1 &&
			     EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, EVP_sha256()) == 1;
		if (ok)
			ok = EVP_DigestVerify(ctx, sig, sig_len, msg, msg_len) == 1;
	}
	EVP_MD_CTX_free(ctx);
	return ok ? TUFSIGN_OK : bad(err, method, "verification failed");
}

static tufsign_status verify_rsa(EVP_PKEY *pkey, const char *method, int padding, int salt,
				 const unsigned char *msg, size_t msg_len, const unsigned char *sig,
				 size_t sig_len, tufsign_error *err)
{
	if (EVP_PKEY_base_id(pkey) != EVP_PKEY_RSA)
		return bad(err, method, "the key is not an RSA key");
	if (EVP_PKEY_get_bits(pkey) < MIN_RSA_BITS)
		return bad(err, method, "RSA keys below 2048 bits are rejected");
	return verify_digest(pkey, method, EVP_sha256(), padding, salt, msg, msg_len, sig, sig_len,
			     err);
}

/* The legacy PyCrypto method keeps a PEM public key in keyval.public. */
static EVP_PKEY *load_pem_public(const tufsign_pubkey *key)
{
	BIO *bio = BIO_new_mem_buf(key->public, (int)key->public_len);
	EVP_PKEY *pkey = bio ? PEM_read_bio_PUBKEY(bio, NULL, NULL, NULL) : NULL;

	BIO_free(bio);
	return pkey;
}

tufsign_status tufsign_pubkey_verify(const tufsign_pubkey *key, const char *method,
				     const unsigned char *msg, size_t msg_len,
				     const unsigned char *sig, size_t sig_len, tufsign_error *err)
{
	tufsign_error ignored;
	EVP_PKEY *pkey = NULL;
	tufsign_status st;

	if (method == NULL || key == NULL)
		return tufsign_error_set(err, TUFSIGN_ERR_INVALID_ARGUMENT, "no key or method");
	if (strcasecmp(method, "pycrypto-pkcs#1 pss") == 0) {
		pkey = load_pem_public(key);
		if (pkey == NULL)
			return bad(err, method, "the key is not a PEM public key");
		st = verify_rsa(pkey, method, RSA_PKCS1_PSS_PADDING, RSA_PSS_SALTLEN_AUTO, msg,
				msg_len, sig, sig_len, err);
		EVP_PKEY_free(pkey);
		return st;
	}
	if (strcasecmp(method, "ecdsa") != 0 && strcasecmp(method, "rsapss") != 0 &&
	    strcasecmp(method, "rsapkcs1v15") != 0 && strcasecmp(method, "eddsa") != 0)
		return tufsign_error_set(err, TUFSIGN_ERR_UNSUPPORTED,
					 "unknown signature method \"%s\"", method);
	tufsign_error_clear(&ignored);
	pkey = tf_pubkey_load(key, &ignored);
	if (pkey == NULL)
		return bad(err, method, ignored.message);
	if (strcasecmp(method, "ecdsa") == 0)
		st = verify_ecdsa(pkey, msg, msg_len, sig, sig_len, err);
	else if (strcasecmp(method, "rsapss") == 0)
		st = verify_rsa(pkey, method, RSA_PKCS1_PSS_PADDING, 32, msg, msg_len, sig, sig_len,
				err);
	else if (strcasecmp(method, "rsapkcs1v15") == 0)
		st = verify_rsa(pkey, method, RSA_PKCS1_PADDING, 0, msg, msg_len, sig, sig_len,
				err);
	else if (key->type != TUFSIGN_KEYTYPE_ED25519)
		st = bad(err, method, "the key is not an ed25519 key");
	else
		st = verify_digest(pkey, method, NULL, 0, 0, msg, msg_len, sig, sig_len, err);
	EVP_PKEY_free(pkey);
	return st;
}
