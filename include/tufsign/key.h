/* Signing keys behind engines. A key reference is a PKCS#11 URI
 * ("pkcs11:token=ci;object=targets") or a key file ("file:/path/key.pem", or a
 * plain path). Each engine is a const table of operations; tufsign_key_open()
 * picks the engine from the reference. */
#ifndef TUFSIGN_KEY_H
#define TUFSIGN_KEY_H

#include <stddef.h>

#include "tufsign/error.h"
#include "tufsign/signer.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Where secrets and modules come from. Strings are borrowed for the call. */
typedef struct tufsign_key_options {
	const char *module_path; /* --module: PKCS#11 module, NULL for the URI or p11-kit proxy */
	const char *pin_file;    /* --pin-file: first line is the PIN */
	const char *passphrase_file; /* --passphrase-file for encrypted key files */
	int allow_prompt;            /* 1: may prompt on the controlling terminal */
} tufsign_key_options;

/* Description of one key an engine can reach; all strings owned by the array. */
typedef struct tufsign_key_info {
	char *label;  /* CKA_LABEL or file name */
	char *id_hex; /* CKA_ID in lower-case hex, "" when absent */
	char *uri;    /* reference that opens exactly this key */
	tufsign_key_algo algo;
	unsigned bits;  /* key size in bits */
	char keyid[65]; /* TUF key ID of the plain public key, lower-case hex */
	int has_cert;   /* a certificate with the same CKA_ID is stored */
	/* Key ID of that certificate, as a root.json holding it lists it; ""
	 * without a certificate or for one notary cannot list (Ed25519). */
	char cert_keyid[65];
} tufsign_key_info;

typedef struct tufsign_key tufsign_key;

/* The operations every engine implements. handle is the engine's own state. */
typedef struct tufsign_engine_ops {
	const char *name; /* "pkcs11", "file" */
	/* Return 1 when ref is for this engine. */
	int (*accepts)(const char *ref);
	tufsign_status (*open)(const char *ref, const tufsign_key_options *opts, void **handle,
			       tufsign_error *err);
	/* List the keys reachable from ref (a token URI or a directory). */
	tufsign_status (*list_keys)(const char *ref, const tufsign_key_options *opts,
				    tufsign_key_info **keys, size_t *count, tufsign_error *err);
	/* DER SubjectPublicKeyInfo; the buffer belongs to handle. */
	tufsign_status (*public_key)(void *handle, const unsigned char **spki, size_t *spki_len,
				     tufsign_key_algo *algo, tufsign_error *err);
	tufsign_sign_fn sign; /* called with handle as ctx */
	void (*close)(void *handle);
} tufsign_engine_ops;

TUFSIGN_API extern const tufsign_engine_ops tufsign_engine_pkcs11;
TUFSIGN_API extern const tufsign_engine_ops tufsign_engine_file;

/* Open the key named by ref with the engine that accepts it. */
TUFSIGN_API tufsign_status tufsign_key_open(const char *ref, const tufsign_key_options *opts,
					    tufsign_key **out, tufsign_error *err);

/* Fill a signer that borrows key; valid until tufsign_key_free(key). */
TUFSIGN_API tufsign_status tufsign_key_signer(tufsign_key *key, tufsign_signer *out,
					      tufsign_error *err);

/* Reference the key was opened from; owned by key. */
TUFSIGN_API const char *tufsign_key_ref(const tufsign_key *key);

/* Close the key; NULL is accepted. */
TUFSIGN_API void tufsign_key_free(tufsign_key *key);

/* List keys reachable from ref with the engine that accepts it. */
TUFSIGN_API tufsign_status tufsign_key_list(const char *ref, const tufsign_key_options *opts,
					    tufsign_key_info **keys, size_t *count,
					    tufsign_error *err);
TUFSIGN_API void tufsign_key_info_free(tufsign_key_info *keys, size_t count);

/* Return "ecdsa-p256", "ecdsa-p384", "rsa", "ed25519" or "none". */
TUFSIGN_API const char *tufsign_key_algo_name(tufsign_key_algo algo);

#ifdef __cplusplus
}
#endif

#endif
