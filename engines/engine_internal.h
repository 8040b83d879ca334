/* Helpers shared by the signing engines: describing a public key and checking
 * a signature against it before an engine returns it. */
#ifndef TF_ENGINE_INTERNAL_H
#define TF_ENGINE_INTERNAL_H

#include <stddef.h>

#include <openssl/evp.h>

#include "internal.h"
#include "tufsign/key.h"

/* Family and size of pub; TUFSIGN_ERR_UNSUPPORTED for other curves and for
 * RSA below 2048 bits. */
tufsign_status tf_engine_describe(const EVP_PKEY *pub, tufsign_key_algo *algo, unsigned *bits,
				  tufsign_error *err);
/* DER SubjectPublicKeyInfo of pub, malloc'd. */
tufsign_status tf_engine_spki(EVP_PKEY *pub, unsigned char **spki, size_t *len, tufsign_error *err);
/* Return 0 when scheme fits a key of family algo. */
int tf_engine_scheme_fits(tufsign_key_algo algo, tufsign_sig_scheme scheme);
/* Verify sig (in the encoding the scheme names) over msg with pub. */
tufsign_status tf_engine_verify(EVP_PKEY *pub, tufsign_sig_scheme scheme, const unsigned char *msg,
				size_t msg_len, const unsigned char *sig, size_t sig_len,
				tufsign_error *err);
/* Verify an ECDSA signature in r||s form over a digest, with ctx set up by
 * EVP_PKEY_verify_init for the public key. */
tufsign_status tf_engine_verify_ecdsa_digest(EVP_PKEY_CTX *ctx, const unsigned char *digest,
					     size_t digest_len, const unsigned char *sig,
					     size_t sig_len, tufsign_error *err);
/* Convert a DER ECDSA-Sig-Value to r||s, each left-padded to field_len. */
tufsign_status tf_engine_ecdsa_der_to_raw(const unsigned char *der, size_t der_len,
					  size_t field_len, unsigned char **raw, size_t *raw_len,
					  tufsign_error *err);
/* Lower-case hex TUF key ID of the plain public key into keyid[65]. */
tufsign_status tf_engine_keyid(const unsigned char *spki, size_t spki_len, tufsign_key_algo algo,
			       char keyid[65], tufsign_error *err);

#endif
