/* Token-level operations of the PKCS#11 engine for the command line, without
 * PKCS#11 types: list tokens, make a key pair on a token, store a certificate
 * beside a key. Keys themselves are opened with tufsign_key_open().
 *
 * The engine keeps process-wide state (loaded modules, one session and one
 * login per token) and is not thread-safe: call it from one thread. */
#ifndef TUFSIGN_PKCS11_H
#define TUFSIGN_PKCS11_H

#include <stddef.h>

#include "tufsign/error.h"
#include "tufsign/key.h"

#ifdef __cplusplus
extern "C" {
#endif

/* One token, as tufsign_pkcs11_token_list() reports it. Strings are owned by
 * the array. */
typedef struct tufsign_pkcs11_token_info {
	char *label;
	char *serial;
	char *model;
	char *manufacturer;
	char *uri; /* pkcs11: URI that selects exactly this token */
	unsigned long slot_id;
	int login_required;      /* CKF_LOGIN_REQUIRED */
	int protected_auth_path; /* CKF_PROTECTED_AUTHENTICATION_PATH: PIN pad */
	int initialized;         /* CKF_TOKEN_INITIALIZED */
	int has_ecdsa;           /* offers CKM_ECDSA for signing */
	int has_rsa_pss;         /* offers CKM_RSA_PKCS_PSS for signing */
	int has_eddsa;           /* offers CKM_EDDSA for signing */
} tufsign_pkcs11_token_info;

/* List the tokens of the module named by uri_or_null's module-path or
 * module-name, else opts->module_path, else of every module p11-kit's proxy
 * offers. With a URI, only matching tokens are listed. No login is made.
 * On success *tokens is an array of *count entries that the caller frees
 * with tufsign_pkcs11_token_info_free(). */
TUFSIGN_API tufsign_status tufsign_pkcs11_token_list(const char *uri_or_null,
						     const tufsign_key_options *opts,
						     tufsign_pkcs11_token_info **tokens,
						     size_t *count, tufsign_error *err);
TUFSIGN_API void tufsign_pkcs11_token_info_free(tufsign_pkcs11_token_info *tokens, size_t count);

/* Key types for tufsign_pkcs11_key_generate(). */
typedef enum tufsign_pkcs11_key_type {
	TUFSIGN_PKCS11_ECDSA_P256 = 1,
	TUFSIGN_PKCS11_ECDSA_P384 = 2,
	TUFSIGN_PKCS11_RSA_2048 = 3,
	TUFSIGN_PKCS11_RSA_3072 = 4,
	TUFSIGN_PKCS11_RSA_4096 = 5,
	TUFSIGN_PKCS11_ED25519 = 6,
} tufsign_pkcs11_key_type;

/* Parse "ecdsa-p256", "ecdsa-p384", "rsa-2048", "rsa-3072", "rsa-4096" or
 * "ed25519". Returns 0 and sets *type, or -1 for any other name. */
TUFSIGN_API int tufsign_pkcs11_key_type_parse(const char *name, tufsign_pkcs11_key_type *type);

/* Generate a key pair on the token selected by uri, labelled with the URI's
 * object attribute (required) and a random 16-byte CKA_ID. The private key is
 * CKA_TOKEN, CKA_PRIVATE, CKA_SENSITIVE, not CKA_EXTRACTABLE and may only
 * sign. Fails with TUFSIGN_ERR_KEY_EXISTS when a key or certificate already
 * carries that label. On success *info describes the new key (caller frees
 * it with tufsign_key_info_free(info, 1)). */
TUFSIGN_API tufsign_status tufsign_pkcs11_key_generate(const char *uri,
						       tufsign_pkcs11_key_type type,
						       const tufsign_key_options *opts,
						       tufsign_key_info **info, tufsign_error *err);

/* Store the first certificate of the PEM text cert_pem on the token beside
 * the private key named by key_uri, with the key's CKA_ID and CKA_LABEL.
 * Fails with TUFSIGN_ERR_CRYPTO when the certificate's public key is not the
 * key's, and with TUFSIGN_ERR_KEY_EXISTS when a certificate with that CKA_ID
 * is already stored. */
TUFSIGN_API tufsign_status tufsign_pkcs11_cert_store(const char *key_uri,
						     const tufsign_key_options *opts,
						     const char *cert_pem, size_t cert_pem_len,
						     tufsign_error *err);

/* Close every session and unload every module this process opened. Keys
 * opened on a token keep one shared login until this call, so a run that
 * signs with several keys of one token logs in once. Call it once at the
 * end, after tufsign_key_free() of every key. */
TUFSIGN_API void tufsign_pkcs11_shutdown(void);

#ifdef __cplusplus
}
#endif

#endif
