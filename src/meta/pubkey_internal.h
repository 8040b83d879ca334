/* OpenSSL-level helpers of the key, certificate and signature code. */
#ifndef TF_PUBKEY_INTERNAL_H
#define TF_PUBKEY_INTERNAL_H

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "internal.h"
#include "tufsign/pubkey.h"

/* Parse the first certificate of PEM text; NULL when there is none. */
X509 *tf_cert_from_pem(const unsigned char *pem, size_t len);
/* Load the verification key of key (the leaf's key for x509 types). */
EVP_PKEY *tf_pubkey_load(const tufsign_pubkey *key, tufsign_error *err);
/* Build the plain key of pkey. */
tufsign_status tf_pubkey_from_pkey(tufsign_pubkey *out, EVP_PKEY *pkey, tufsign_error *err);

/* Convert a raw r||s ECDSA signature into DER, or DER into r||s padded to
 * width bytes per integer. Results are malloc'd. */
tufsign_status tf_ecdsa_raw_to_der(const unsigned char *raw, size_t raw_len, unsigned char **der,
				   size_t *der_len, tufsign_error *err);
tufsign_status tf_ecdsa_der_to_raw(const unsigned char *der, size_t der_len, size_t width,
				   unsigned char **raw, size_t *raw_len, tufsign_error *err);
/* Bytes per integer of an ECDSA signature for pkey's curve. */
size_t tf_ecdsa_width(EVP_PKEY *pkey);

#endif
