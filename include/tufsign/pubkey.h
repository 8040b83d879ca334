/* Public keys as TUF metadata lists them, their key IDs, and signature
 * verification by notary's signature methods.
 *
 * keyval.public holds, by keytype:
 *   ecdsa, rsa            DER SubjectPublicKeyInfo
 *   ed25519               the raw 32-byte public key
 *   ecdsa-x509, rsa-x509  PEM text of the certificate (leaf first, then any
 *                         CA intermediates), exactly as Go's PEM encoder
 *                         writes it
 * The key ID is the lower-case hex SHA-256 of
 * {"keytype":"<t>","keyval":{"private":null,"public":"<base64 of public>"}}. */
#ifndef TUFSIGN_PUBKEY_H
#define TUFSIGN_PUBKEY_H

#include <stddef.h>

#include "tufsign/error.h"
#include "tufsign/export.h"
#include "tufsign/signer.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Length of a key ID in hex digits, and the buffer size that holds one. */
#define TUFSIGN_KEYID_HEX_LEN 64
#define TUFSIGN_KEYID_SIZE    65

typedef enum tufsign_keytype {
	TUFSIGN_KEYTYPE_NONE = 0,
	TUFSIGN_KEYTYPE_ECDSA = 1,      /* "ecdsa" */
	TUFSIGN_KEYTYPE_ECDSA_X509 = 2, /* "ecdsa-x509" */
	TUFSIGN_KEYTYPE_RSA = 3,        /* "rsa" */
	TUFSIGN_KEYTYPE_RSA_X509 = 4,   /* "rsa-x509" */
	TUFSIGN_KEYTYPE_ED25519 = 5,    /* "ed25519" */
} tufsign_keytype;

/* A public key as listed in root "keys" or targets "delegations.keys".
 * The struct is a value: copy it with tufsign_pubkey_copy() and release it
 * with tufsign_pubkey_release(), which frees public. */
typedef struct tufsign_pubkey {
	tufsign_keytype type;
	unsigned char *public; /* keyval.public, decoded from base64; malloc'd */
	size_t public_len;
	char id[TUFSIGN_KEYID_SIZE]; /* key ID of (type, public), lower-case hex */
} tufsign_pubkey;

/* Return "ecdsa", "ecdsa-x509", "rsa", "rsa-x509", "ed25519", or "" for NONE. */
TUFSIGN_API const char *tufsign_keytype_name(tufsign_keytype type);

/* Return the keytype named name (case-sensitive), or TUFSIGN_KEYTYPE_NONE. */
TUFSIGN_API tufsign_keytype tufsign_keytype_from_name(const char *name);

/* Fill *out with a copy of public and compute its key ID. public is copied;
 * the caller releases *out. Checks that public parses for the keytype:
 * an EC or RSA SPKI, 32 bytes for ed25519, a certificate PEM for x509 types. */
TUFSIGN_API tufsign_status tufsign_pubkey_init(tufsign_pubkey *out, tufsign_keytype type,
					       const unsigned char *public, size_t public_len,
					       tufsign_error *err);

/* Build the plain key ("ecdsa", "rsa" or "ed25519") of a DER SPKI. An
 * Ed25519 SPKI becomes the raw 32-byte key. The caller releases *out. */
TUFSIGN_API tufsign_status tufsign_pubkey_from_spki(tufsign_pubkey *out, const unsigned char *spki,
						    size_t spki_len, tufsign_error *err);

/* Build the plain key of a signer's public key (signer->spki). */
TUFSIGN_API tufsign_status tufsign_pubkey_from_signer(tufsign_pubkey *out,
						      const tufsign_signer *signer,
						      tufsign_error *err);

/* Build "ecdsa-x509" or "rsa-x509" from certificate PEM text. The PEM is
 * re-encoded the way Go writes it (64-column base64, LF, final newline, no
 * headers), keeping every CERTIFICATE block in order, so the key ID is the
 * one notary computes. The caller releases *out. */
TUFSIGN_API tufsign_status tufsign_pubkey_from_cert_pem(tufsign_pubkey *out, const char *pem,
							size_t pem_len, tufsign_error *err);

/* Compute the canonical key ID: for x509 types, the ID of the plain key of
 * the leaf certificate's SPKI; for the other types, key->id. id receives
 * TUFSIGN_KEYID_SIZE bytes. */
TUFSIGN_API tufsign_status tufsign_pubkey_canonical_id(const tufsign_pubkey *key,
						       char id[TUFSIGN_KEYID_SIZE],
						       tufsign_error *err);

/* Return the DER SPKI of the key (of the leaf certificate for x509 types) in
 * a malloc'd buffer the caller frees. */
TUFSIGN_API tufsign_status tufsign_pubkey_spki(const tufsign_pubkey *key, unsigned char **spki,
					       size_t *spki_len, tufsign_error *err);

/* Compute the key ID of (type, public) into id. */
TUFSIGN_API tufsign_status tufsign_pubkey_compute_id(tufsign_keytype type,
						     const unsigned char *public, size_t public_len,
						     char id[TUFSIGN_KEYID_SIZE],
						     tufsign_error *err);

/* Deep-copy src into *dst; the caller releases *dst. */
TUFSIGN_API tufsign_status tufsign_pubkey_copy(tufsign_pubkey *dst, const tufsign_pubkey *src,
					       tufsign_error *err);

/* Free the members of key and zero it. key may be NULL. */
TUFSIGN_API void tufsign_pubkey_release(tufsign_pubkey *key);

/* Verify sig over msg (the canonical bytes) with key under notary's method
 * name: "ecdsa" (raw r||s over SHA-256, exact curve width), "rsapss"
 * (PSS, SHA-256, MGF1-SHA-256, salt 32), "rsapkcs1v15" (SHA-256),
 * "eddsa" (pure Ed25519), "pycrypto-pkcs#1 pss" (legacy, keyval a PEM public
 * key). method is matched case-insensitively, as notary's decoder does. RSA
 * moduli below 2048 bits are rejected. Returns TUFSIGN_OK when the signature
 * is valid, TUFSIGN_ERR_SIGNATURE when it is not or the method does not fit
 * the keytype, TUFSIGN_ERR_UNSUPPORTED for an unknown method. */
TUFSIGN_API tufsign_status tufsign_pubkey_verify(const tufsign_pubkey *key, const char *method,
						 const unsigned char *msg, size_t msg_len,
						 const unsigned char *sig, size_t sig_len,
						 tufsign_error *err);

/* Return notary's method name for a signature scheme: "ecdsa", "rsapss",
 * "eddsa"; NULL for schemes notary metadata does not use. */
TUFSIGN_API const char *tufsign_sig_scheme_method(tufsign_sig_scheme scheme);

/* Return the scheme a signer of algo uses for metadata signatures:
 * ECDSA_SHA256, RSA_PSS_SHA256 or ED25519; 0 for TUFSIGN_ALGO_NONE. */
TUFSIGN_API tufsign_sig_scheme tufsign_sig_scheme_for_algo(tufsign_key_algo algo);

#ifdef __cplusplus
}
#endif

#endif
