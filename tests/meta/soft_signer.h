/* A deterministic software signer for unit tests: OpenSSL keys derived from
 * a seed string, behind the same callback a token engine provides. */
#ifndef TUFSIGN_TEST_SOFT_SIGNER_H
#define TUFSIGN_TEST_SOFT_SIGNER_H

#include <openssl/evp.h>

#include "tufsign/signer.h"

typedef struct soft_key {
	EVP_PKEY *pkey;
	unsigned char *spki;
	size_t spki_len;
	tufsign_signer signer;
	int fail; /* 1: sign() fails; 2: sign() returns a corrupted signature */
} soft_key;

/* P-256 or P-384 key whose scalar is SHA-256(seed) (SHA-384 for P-384)
 * reduced modulo the group order. */
int soft_key_ec(soft_key *k, const char *seed, int p384);
/* Ed25519 key whose seed is SHA-256(seed). */
int soft_key_ed25519(soft_key *k, const char *seed);
/* A freshly generated RSA key of bits bits. */
int soft_key_rsa(soft_key *k, int bits);
void soft_key_release(soft_key *k);

#endif
