/* The signer callback: how the metadata core obtains a signature without
 * knowing where the private key lives (a PKCS#11 token, a key file, a test
 * fake). The core never sees private key material. */
#ifndef TUFSIGN_SIGNER_H
#define TUFSIGN_SIGNER_H

#include <stddef.h>

#include "tufsign/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Family of a key pair. */
typedef enum tufsign_key_algo {
	TUFSIGN_ALGO_NONE = 0,
	TUFSIGN_ALGO_ECDSA_P256 = 1,
	TUFSIGN_ALGO_ECDSA_P384 = 2,
	TUFSIGN_ALGO_RSA = 3, /* modulus size from the public key; at least 2048 bits */
	TUFSIGN_ALGO_ED25519 = 4,
} tufsign_key_algo;

/* What the signer must produce. The message is always the full bytes to sign;
 * hashing for ECDSA and RSA happens in the signer (on the host for PKCS#11). */
typedef enum tufsign_sig_scheme {
	/* SHA-256 of the message, ECDSA; output raw r||s, each left-padded to
	 * the curve size (64 bytes on P-256, 96 on P-384): notary's "ecdsa". */
	TUFSIGN_SIG_ECDSA_SHA256 = 1,
	/* RSASSA-PSS, SHA-256, MGF1-SHA-256, salt 32: notary's "rsapss". */
	TUFSIGN_SIG_RSA_PSS_SHA256 = 2,
	/* RSASSA-PKCS1-v1_5 with SHA-256: for X.509 certificates only. */
	TUFSIGN_SIG_RSA_PKCS1_SHA256 = 3,
	/* Pure Ed25519 over the message, 64 bytes: notary's "eddsa". */
	TUFSIGN_SIG_ED25519 = 4,
} tufsign_sig_scheme;

/* Produce a signature of msg under scheme. On success *sig is a buffer from
 * malloc() that the caller frees, and *sig_len its length. On failure return
 * a status and record details in err; *sig stays NULL. */
typedef tufsign_status (*tufsign_sign_fn)(void *ctx, tufsign_sig_scheme scheme,
					  const unsigned char *msg, size_t msg_len,
					  unsigned char **sig, size_t *sig_len, tufsign_error *err);

/* A signing key as the core sees it. The struct is borrowed: whoever built it
 * keeps ctx and spki alive for as long as the signer is used. */
typedef struct tufsign_signer {
	tufsign_sign_fn sign;
	void *ctx;
	tufsign_key_algo algo;
	const unsigned char *spki; /* DER SubjectPublicKeyInfo of the public key */
	size_t spki_len;
	const char *label; /* for messages, e.g. the PKCS#11 URI; may be NULL */
} tufsign_signer;

#ifdef __cplusplus
}
#endif

#endif
