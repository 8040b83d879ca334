/* Self-signed certificates with notary's profile, signed through a signer
 * callback so the private key can stay on a token. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "cert_internal.h"
#include "pubkey_internal.h"
#include "tufsign/cert.h"

#define DEFAULT_DAYS 3650
#define SERIAL_BYTES 16

static int set_serial(X509 *cert, const tufsign_cert_options *opts)
{
	unsigned char random[SERIAL_BYTES];
	const unsigned char *bytes = random;
	size_t len = sizeof(random);
	BIGNUM *bn;
	int ok = 0;

	if (opts != NULL && opts->serial != NULL) {
		bytes = opts->serial;
		len = opts->serial_len;
	} else {
		if (RAND_bytes(random, sizeof(random)) != 1)
			return 0;
		random[0] &= 0x7f; /* a positive 128-bit serial below 2^127 */
		random[0] |= 0x01; /* and never zero */
	}
	bn = BN_bin2bn(bytes, (int)len, NULL);
	if (bn != NULL && !BN_is_zero(bn))
		ok = BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert)) != NULL;
	BN_free(bn);
	return ok;
}

static int add_ext(X509 *cert, int nid, const char *value)
{
	X509_EXTENSION *ext = X509V3_EXT_conf_nid(NULL, NULL, nid, value);
	int ok = ext != NULL && X509_add_ext(cert, ext, -1) == 1;

	X509_EXTENSION_free(ext);
	return ok;
}

/* Fill every field but the signature. */
static tufsign_status build_tbs(X509 *cert, EVP_PKEY *pkey, const char *cn, int sig_nid,
				const tufsign_cert_options *opts, tufsign_error *err)
{
	time_t start = opts && opts->not_before ? opts->not_before : time(NULL);
	unsigned days = opts && opts->days ? opts->days : DEFAULT_DAYS;
	X509_NAME *name = X509_NAME_new();
	int ok;

	ok = name != NULL && X509_set_version(cert, 2) == 1 && set_serial(cert, opts) &&
	     X509_NAME_add_entry_by_NID(name, NID_commonName, MBSTRING_UTF8,
					(const unsigned char *)cn, -1, -1, 0) == 1 &&
	     X509_set_subject_name(cert, name) == 1 && X509_set_issuer_name(cert, name) == 1 &&
	     X509_time_adj_ex(X509_getm_notBefore(cert), 0, 0, &start) != NULL &&
	     X509_time_adj_ex(X509_getm_notAfter(cert), (int)days, 0, &start) != NULL &&
	     X509_set_pubkey(cert, pkey) == 1 &&
	     add_ext(cert, NID_key_usage, "critical,digitalSignature,keyEncipherment") &&
	     add_ext(cert, NID_ext_key_usage, "codeSigning") &&
	     add_ext(cert, NID_basic_constraints, "critical,CA:FALSE");
	if (ok) {
		/* OpenSSL has no setter for the signature algorithms of an X509
		 * signed outside its EVP_PKEY machinery; both live in the
		 * certificate object and are updated in place. */
		X509_ALGOR *tbs_alg = (X509_ALGOR *)X509_get0_tbs_sigalg(cert);
		const X509_ALGOR *outer = NULL;
		const ASN1_BIT_STRING *sig = NULL;
		int ptype = sig_nid == NID_sha256WithRSAEncryption ? V_ASN1_NULL : V_ASN1_UNDEF;

		X509_get0_signature(&sig, &outer, cert);
		ok = X509_ALGOR_set0(tbs_alg, OBJ_nid2obj(sig_nid), ptype, NULL) == 1 &&
		     X509_ALGOR_set0((X509_ALGOR *)outer, OBJ_nid2obj(sig_nid), ptype, NULL) == 1;
	}
	X509_NAME_free(name);
	if (!ok)
		return tf_openssl_error(err, TUFSIGN_ERR_CRYPTO,
					"cannot build certificate for '%s'", cn);
	return TUFSIGN_OK;
}

/* A signature is a whole number of bytes: mark the BIT STRING as having no
 * unused bits, or OpenSSL would drop trailing zero bits when encoding. */
static void set_no_unused_bits(ASN1_BIT_STRING *bits)
{
	bits->flags &= ~(long)0x07;
	bits->flags |= ASN1_STRING_FLAG_BITS_LEFT;
}

/* Sign the encoded TBS part and store the signature in cert. */
static tufsign_status sign_tbs(X509 *cert, const tufsign_signer *signer, tufsign_sig_scheme scheme,
			       tufsign_error *err)
{
	unsigned char *tbs = NULL, *sig = NULL, *der = NULL;
	size_t sig_len = 0, der_len = 0;
	const ASN1_BIT_STRING *bits = NULL;
	const X509_ALGOR *alg = NULL;
	int tbs_len;
	tufsign_status st;

	tbs_len = i2d_re_X509_tbs(cert, &tbs);
	if (tbs_len <= 0)
		return tf_openssl_error(err, TUFSIGN_ERR_CRYPTO, "cannot encode certificate");
	st = signer->sign(signer->ctx, scheme, tbs, (size_t)tbs_len, &sig, &sig_len, err);
	if (st == TUFSIGN_OK && scheme == TUFSIGN_SIG_ECDSA_SHA256)
		st = tf_ecdsa_raw_to_der(sig, sig_len, &der, &der_len, err);
	if (st == TUFSIGN_OK) {
		X509_get0_signature(&bits, &alg, cert);
		if (der == NULL) {
			der = sig;
			der_len = sig_len;
			sig = NULL;
		}
		if (ASN1_BIT_STRING_set((ASN1_BIT_STRING *)bits, der, (int)der_len) != 1)
			st = tf_openssl_error(err, TUFSIGN_ERR_CRYPTO, "cannot store signature");
		else
			set_no_unused_bits((ASN1_BIT_STRING *)bits);
	}
	OPENSSL_free(tbs);
	free(sig);
	free(der);
	return st;
}

static tufsign_status check_signer(const tufsign_signer *signer, EVP_PKEY **pkey, int *sig_nid,
				   tufsign_sig_scheme *scheme, tufsign_error *err)
{
	const unsigned char *p;

	*pkey = NULL;
	if (signer == NULL || signer->sign == NULL || signer->spki == NULL)
		return tufsign_error_set(err, TUFSIGN_ERR_INVALID_ARGUMENT, "no signer given");
	p = signer->spki;
	*pkey = d2i_PUBKEY(NULL, &p, (long)signer->spki_len);
	if (*pkey == NULL)
		return tf_openssl_error(err, TUFSIGN_ERR_INVALID_ARGUMENT,
					"signer '%s' has an invalid public key",
					signer->label ? signer->label : "");
	switch (EVP_PKEY_base_id(*pkey)) {
	case EVP_PKEY_EC:
		*sig_nid = NID_ecdsa_with_SHA256;
		*scheme = TUFSIGN_SIG_ECDSA_SHA256;
		return TUFSIGN_OK;
	case EVP_PKEY_RSA:
		*sig_nid = NID_sha256WithRSAEncryption;
		*scheme = TUFSIGN_SIG_RSA_PKCS1_SHA256;
		return TUFSIGN_OK;
	default:
		EVP_PKEY_free(*pkey);
		*pkey = NULL;
		return tufsign_error_set(err, TUFSIGN_ERR_UNSUPPORTED,
					 "notary root certificates need an ECDSA or RSA key; "
					 "signer '%s' has neither",
					 signer->label ? signer->label : "");
	}
}

tufsign_status tufsign_cert_create(const tufsign_signer *signer, const char *common_name,
				   const tufsign_cert_options *opts, char **pem, size_t *pem_len,
				   tufsign_error *err)
{
	tufsign_sig_scheme scheme = 0;
	EVP_PKEY *pkey = NULL;
	X509 *cert = NULL;
	size_t len = 0;
	int sig_nid = 0;
	tufsign_status st;

	*pem = NULL;
	if (pem_len != NULL)
		*pem_len = 0;
	if (common_name == NULL || *common_name == '\0')
		return tufsign_error_set(err, TUFSIGN_ERR_INVALID_ARGUMENT, "no common name given");
	st = check_signer(signer, &pkey, &sig_nid, &scheme, err);
	if (st != TUFSIGN_OK)
		return st;
	cert = X509_new();
	if (cert == NULL) {
		st = tufsign_error_set(err, TUFSIGN_ERR_NOMEM, "out of memory");
		goto out;
	}
	st = build_tbs(cert, pkey, common_name, sig_nid, opts, err);
	if (st == TUFSIGN_OK)
		st = sign_tbs(cert, signer, scheme, err);
	if (st == TUFSIGN_OK && X509_verify(cert, pkey) != 1)
		st = tf_openssl_error(err, TUFSIGN_ERR_SIGNATURE,
				      "the certificate signature from signer '%s' does not verify",
				      signer->label ? signer->label : "");
	if (st == TUFSIGN_OK)
		st = tf_cert_list_pem(&cert, 1, pem, &len, err);
	if (st == TUFSIGN_OK && pem_len != NULL)
		*pem_len = len;
out:
	X509_free(cert);
	EVP_PKEY_free(pkey);
	return st;
}
