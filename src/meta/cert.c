/* notary's root certificates: building them through a signer, re-encoding
 * PEM the way Go writes it, and the checks notary applies to root keys. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "cert_internal.h"
#include "pubkey_internal.h"
#include "tufsign/cert.h"

#define DAY_SECONDS  86400
#define DEFAULT_DAYS 3650

/* Append DER as a CERTIFICATE block in Go's PEM layout. */
static int put_pem_block(tf_buf *out, const unsigned char *der, size_t len)
{
	unsigned char line[65];
	size_t i, n;

	tf_buf_append_str(out, "-----BEGIN CERTIFICATE-----\n");
	for (i = 0; i < len; i += 48) {
		n = len - i < 48 ? len - i : 48;
		EVP_EncodeBlock(line, der + i, (int)n);
		tf_buf_append_str(out, (const char *)line);
		tf_buf_append_byte(out, '\n');
	}
	return tf_buf_append_str(out, "-----END CERTIFICATE-----\n");
}

void tf_cert_list_free(tf_cert_list *list)
{
	size_t i;

	for (i = 0; i < list->count; i++)
		X509_free(list->certs[i]);
	free(list->certs);
	memset(list, 0, sizeof(*list));
}

tufsign_status tf_cert_list_parse(const char *pem, size_t pem_len, tf_cert_list *list,
				  tufsign_error *err)
{
	BIO *bio = BIO_new_mem_buf(pem, pem_len < 0x7fffffff ? (int)pem_len : 0);
	char *name = NULL, *header = NULL;
	unsigned char *data = NULL;
	const unsigned char *p;
	long len = 0;
	X509 *cert, **grown;
	tufsign_status st = TUFSIGN_OK;

	memset(list, 0, sizeof(*list));
	if (bio == NULL)
		return tufsign_error_set(err, TUFSIGN_ERR_NOMEM, "out of memory");
	while (st == TUFSIGN_OK && PEM_read_bio(bio, &name, &header, &data, &len) == 1) {
		p = data;
		cert = strcmp(name, "CERTIFICATE") == 0 ? d2i_X509(NULL, &p, len) : NULL;
		if (cert == NULL || p != data + len)
			st = tufsign_error_set(err, TUFSIGN_ERR_METADATA,
					       "invalid certificate PEM: block \"%s\" is not a "
					       "certificate",
					       name);
		grown = st == TUFSIGN_OK ? realloc(list->certs, (list->count + 1) * sizeof(X509 *))
					 : NULL;
		if (grown != NULL) {
			list->certs = grown;
			list->certs[list->count++] = cert;
			cert = NULL;
		} else if (st == TUFSIGN_OK) {
			st = tufsign_error_set(err, TUFSIGN_ERR_NOMEM, "out of memory");
		}
		X509_free(cert);
		OPENSSL_free(name);
		OPENSSL_free(header);
		OPENSSL_free(data);
		name = header = NULL;
		data = NULL;
	}
	ERR_clear_error();
	BIO_free(bio);
	if (st == TUFSIGN_OK && list->count == 0)
		st = tufsign_error_set(err, TUFSIGN_ERR_METADATA, "no certificate in PEM text");
	if (st != TUFSIGN_OK)
		tf_cert_list_free(list);
	return st;
}

tufsign_status tf_cert_list_pem(X509 *const *certs, size_t count, char **out, size_t *out_len,
				tufsign_error *err)
{
	unsigned char *der = NULL;
	tf_buf b;
	size_t i;
	int n;

	*out = NULL;
	*out_len = 0;
	tf_buf_init(&b);
	for (i = 0; i < count; i++) {
		n = i2d_X509(certs[i], &der);
		if (n <= 0) {
			tf_buf_release(&b, 0);
			return tf_openssl_error(err, TUFSIGN_ERR_CRYPTO,
						"cannot encode certificate");
		}
		put_pem_block(&b, der, (size_t)n);
		OPENSSL_free(der);
		der = NULL;
	}
	*out = (char *)tf_buf_steal(&b, out_len);
	return *out ? TUFSIGN_OK : tufsign_error_set(err, TUFSIGN_ERR_NOMEM, "out of memory");
}

tufsign_status tufsign_cert_normalize_pem(const char *pem, size_t pem_len, char **out,
					  size_t *out_len, tufsign_error *err)
{
	tf_cert_list list;
	tufsign_status st;

	*out = NULL;
	if (out_len != NULL)
		*out_len = 0;
	st = tf_cert_list_parse(pem, pem_len, &list, err);
	if (st != TUFSIGN_OK)
		return st;
	{
		size_t len = 0;

		st = tf_cert_list_pem(list.certs, list.count, out, &len, err);
		if (out_len != NULL)
			*out_len = len;
	}
	tf_cert_list_free(&list);
	return st;
}

int tf_cert_is_ca(X509 *cert)
{
	BASIC_CONSTRAINTS *bc = X509_get_ext_d2i(cert, NID_basic_constraints, NULL, NULL);
	int ca = bc != NULL && bc->ca;

	BASIC_CONSTRAINTS_free(bc);
	return ca;
}

static int asn1_time_unix(const ASN1_TIME *t, int64_t *out)
{
	struct tm tm;

	memset(&tm, 0, sizeof(tm));
	if (ASN1_TIME_to_tm(t, &tm) != 1)
		return -1;
	*out = (int64_t)timegm(&tm);
	return 0;
}

/* Check the validity period and algorithms of one certificate. */
tufsign_status tf_cert_check_times(X509 *cert, time_t now, int check_expiry, tufsign_error *err)
{
	int64_t nb = 0, na = 0;
	int nid = X509_get_signature_nid(cert);
	EVP_PKEY *pkey = X509_get0_pubkey(cert);

	if (asn1_time_unix(X509_get0_notBefore(cert), &nb) ||
	    asn1_time_unix(X509_get0_notAfter(cert), &na))
		return tufsign_error_set(err, TUFSIGN_ERR_UNTRUSTED,
					 "certificate has invalid dates");
	if (nb > na)
		return tufsign_error_set(err, TUFSIGN_ERR_UNTRUSTED,
					 "certificate notBefore is after its notAfter");
	if ((int64_t)now + DAY_SECONDS < nb)
		return tufsign_error_set(err, TUFSIGN_ERR_UNTRUSTED,
					 "certificate is not valid until %lld, more than a day "
					 "from now",
					 (long long)nb);
	if (check_expiry && (int64_t)now > na)
		return tufsign_error_set(err, TUFSIGN_ERR_EXPIRED, "certificate expired at %lld",
					 (long long)na);
	if (nid == NID_sha1WithRSAEncryption || nid == NID_dsaWithSHA1 ||
	    nid == NID_ecdsa_with_SHA1)
		return tufsign_error_set(err, TUFSIGN_ERR_UNTRUSTED,
					 "certificate is signed with SHA-1, which notary rejects");
	if (pkey != NULL && EVP_PKEY_base_id(pkey) == EVP_PKEY_RSA &&
	    EVP_PKEY_get_bits(pkey) < 2048)
		return tufsign_error_set(err, TUFSIGN_ERR_UNTRUSTED,
					 "certificate RSA key has %d bits; notary needs 2048",
					 EVP_PKEY_get_bits(pkey));
	return TUFSIGN_OK;
}

static tufsign_status check_common_name(X509 *cert, const char *gun, tufsign_error *err)
{
	char cn[1024];
	int n = X509_NAME_get_text_by_NID(X509_get_subject_name(cert), NID_commonName, cn,
					  (int)sizeof(cn));
	size_t len;

	if (n < 0)
		return tufsign_error_set(err, TUFSIGN_ERR_UNTRUSTED,
					 "certificate has no common name");
	len = strlen(cn);
	if (strcmp(cn, gun) == 0)
		return TUFSIGN_OK;
	if (len > 0 && cn[len - 1] == '*' && strncmp(gun, cn, len - 1) == 0)
		return TUFSIGN_OK;
	return tufsign_error_set(err, TUFSIGN_ERR_UNTRUSTED,
				 "certificate common name \"%s\" does not match GUN \"%s\"", cn,
				 gun);
}

tufsign_status tf_cert_root_chain(const char *pem, size_t pem_len, const char *gun, time_t now,
				  int check_expiry, tf_cert_list *valid, tufsign_error *err)
{
	tf_cert_list list;
	tufsign_status st;
	tufsign_error ignored;
	size_t i;

	memset(valid, 0, sizeof(*valid));
	st = tf_cert_list_parse(pem, pem_len, &list, err);
	if (st != TUFSIGN_OK)
		return st;
	if (tf_cert_is_ca(list.certs[0]))
		st = tufsign_error_set(err, TUFSIGN_ERR_UNTRUSTED,
				       "root certificate is a CA (CA:TRUE); notary needs a leaf "
				       "certificate first");
	for (i = 1; st == TUFSIGN_OK && i < list.count; i++)
		if (!tf_cert_is_ca(list.certs[i]))
			st = tufsign_error_set(err, TUFSIGN_ERR_UNTRUSTED,
					       "certificate chain has more than one leaf");
	if (st == TUFSIGN_OK)
		st = check_common_name(list.certs[0], gun, err);
	if (st == TUFSIGN_OK)
		st = tf_cert_check_times(list.certs[0], now, check_expiry, err);
	if (st != TUFSIGN_OK) {
		tf_cert_list_free(&list);
		return st;
	}
	/* Keep the leaf and the intermediates that are still valid. */
	*valid = list;
	for (i = 1; i < valid->count;) {
		tufsign_error_clear(&ignored);
		if (tf_cert_check_times(valid->certs[i], now, 1, &ignored) == TUFSIGN_OK) {
			i++;
			continue;
		}
		X509_free(valid->certs[i]);
		memmove(&valid->certs[i], &valid->certs[i + 1],
			(valid->count - i - 1) * sizeof(X509 *));
		valid->count--;
	}
	return TUFSIGN_OK;
}

tufsign_status tufsign_cert_check_root(const char *pem, size_t pem_len, const char *gun, time_t now,
				       int check_expiry, tufsign_error *err)
{
	tf_cert_list valid;
	tufsign_status st;

	if (pem == NULL || gun == NULL)
		return tufsign_error_set(err, TUFSIGN_ERR_INVALID_ARGUMENT, "no PEM or GUN given");
	st = tf_cert_root_chain(pem, pem_len, gun, now, check_expiry, &valid, err);
	tf_cert_list_free(&valid);
	return st;
}
