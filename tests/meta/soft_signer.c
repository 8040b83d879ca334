/* Software signer for the metadata tests. */
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/param_build.h>
#include <openssl/rsa.h>
#include <openssl/sha.h>
#include <openssl/x509.h>

#include "soft_signer.h"

static tufsign_status soft_sign(void *ctx, tufsign_sig_scheme scheme, const unsigned char *msg,
				size_t msg_len, unsigned char **sig, size_t *sig_len,
				tufsign_error *err)
{
	soft_key *k = ctx;
	EVP_MD_CTX *md = NULL;
	EVP_PKEY_CTX *pctx = NULL;
	unsigned char *der = NULL;
	size_t der_len = 0, width;
	const EVP_MD *digest = scheme == TUFSIGN_SIG_ED25519 ? NULL : EVP_sha256();
	int ok;

	*sig = NULL;
	*sig_len = 0;
	if (k->fail == 1)
		return tufsign_error_set(err, TUFSIGN_ERR_TOKEN, "soft signer told to fail");
	md = EVP_MD_CTX_new();
	ok = md != NULL && EVP_DigestSignInit(md, &pctx, digest, NULL, k->pkey) == 1;
	if (ok && scheme == TUFSIGN_SIG_RSA_PSS_SHA256)
		ok = EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) == 1 &&
		     EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, 32) == 1 &&
		     EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, EVP_sha256()) == 1;
	if (ok)
		ok = EVP_DigestSign(md, NULL, &der_len, msg, msg_len) == 1 &&
		     (der = malloc(der_len)) != NULL &&
		     EVP_DigestSign(md, der, &der_len, msg, msg_len) == 1;
	EVP_MD_CTX_free(md);
	if (!ok) {
		free(der);
		return tufsign_error_set(err, TUFSIGN_ERR_CRYPTO, "soft signer failed");
	}
	if (scheme == TUFSIGN_SIG_ECDSA_SHA256) {
		const unsigned char *p = der;
		ECDSA_SIG *es = d2i_ECDSA_SIG(NULL, &p, (long)der_len);
		const BIGNUM *r = NULL, *s = NULL;

		width = ((size_t)EVP_PKEY_get_bits(k->pkey) + 7) / 8;
		*sig = malloc(2 * width);
		ECDSA_SIG_get0(es, &r, &s);
		BN_bn2binpad(r, *sig, (int)width);
		BN_bn2binpad(s, *sig + width, (int)width);
		*sig_len = 2 * width;
		ECDSA_SIG_free(es);
		free(der);
	} else {
		*sig = der;
		*sig_len = der_len;
	}
	if (k->fail == 2)
		(*sig)[0] ^= 0x01;
	return TUFSIGN_OK;
}

static int finish(soft_key *k, tufsign_key_algo algo)
{
	unsigned char *der = NULL;
	int n = i2d_PUBKEY(k->pkey, &der);

	if (n <= 0)
		return -1;
	k->spki = malloc((size_t)n);
	memcpy(k->spki, der, (size_t)n);
	k->spki_len = (size_t)n;
	OPENSSL_free(der);
	k->signer.sign = soft_sign;
	k->signer.ctx = k;
	k->signer.algo = algo;
	k->signer.spki = k->spki;
	k->signer.spki_len = k->spki_len;
	k->signer.label = "soft";
	return 0;
}

int soft_key_ec(soft_key *k, const char *seed, int p384)
{
	const char *curve = p384 ? "P-384" : "P-256";
	unsigned char digest[SHA384_DIGEST_LENGTH], pub[200];
	size_t digest_len = p384 ? SHA384_DIGEST_LENGTH : SHA256_DIGEST_LENGTH, pub_len;
	EC_GROUP *group = EC_GROUP_new_by_curve_name(p384 ? NID_secp384r1 : NID_X9_62_prime256v1);
	BIGNUM *priv = NULL;
	BN_CTX *bn = BN_CTX_new();
	EC_POINT *point = NULL;
	OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
	OSSL_PARAM *params = NULL;
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
	int rc = -1;

	memset(k, 0, sizeof(*k));
	if (p384)
		SHA384((const unsigned char *)seed, strlen(seed), digest);
	else
		SHA256((const unsigned char *)seed, strlen(seed), digest);
	priv = BN_bin2bn(digest, (int)digest_len, NULL);
	BN_mod(priv, priv, EC_GROUP_get0_order(group), bn);
	point = EC_POINT_new(group);
	EC_POINT_mul(group, point, priv, NULL, NULL, bn);
	pub_len = EC_POINT_point2oct(group, point, POINT_CONVERSION_UNCOMPRESSED, pub, sizeof(pub),
				     bn);
	OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, curve, 0);
	OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY, priv);
	OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, pub, pub_len);
	params = OSSL_PARAM_BLD_to_param(bld);
	if (params != NULL && EVP_PKEY_fromdata_init(ctx) == 1 &&
	    EVP_PKEY_fromdata(ctx, &k->pkey, EVP_PKEY_KEYPAIR, params) == 1)
		rc = finish(k, p384 ? TUFSIGN_ALGO_ECDSA_P384 : TUFSIGN_ALGO_ECDSA_P256);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	EVP_PKEY_CTX_free(ctx);
	EC_POINT_free(point);
	BN_free(priv);
	BN_CTX_free(bn);
	EC_GROUP_free(group);
	return rc;
}

int soft_key_ed25519(soft_key *k, const char *seed)
{
	unsigned char digest[SHA256_DIGEST_LENGTH];

	memset(k, 0, sizeof(*k));
	SHA256((const unsigned char *)seed, strlen(seed), digest);
	k->pkey = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, digest, sizeof(digest));
	return k->pkey ? finish(k, TUFSIGN_ALGO_ED25519) : -1;
}

int soft_key_rsa(soft_key *k, int bits)
{
	memset(k, 0, sizeof(*k));
	k->pkey = EVP_RSA_gen((unsigned)bits);
	return k->pkey ? finish(k, TUFSIGN_ALGO_RSA) : -1;
}

void soft_key_release(soft_key *k)
{
	EVP_PKEY_free(k->pkey);
	free(k->spki);
	memset(k, 0, sizeof(*k));
}
