/* Internal interface of the PKCS#11 engine. Everything here talks to the
 * module through the function list that p11-kit loaded; nothing outside
 * engines/pkcs11 includes this header.
 *
 * libp11 0.4.12 is not used: it loads its own instance of the module and
 * exposes neither its session nor its function list, so keys found through
 * it could not share one C_Login with the direct calls that signing needs
 * (CKM_ECDSA raw output, CKM_EDDSA, PSS parameters, context logins). */
#ifndef TF_P11_H
#define TF_P11_H

#include <stddef.h>

#include <openssl/evp.h>
#include <p11-kit/p11-kit.h>
#include <p11-kit/uri.h>

#include "internal.h"
#include "tufsign/key.h"

/* One loaded module: a path given on the command line or in the URI, a
 * module registered with p11-kit under a name, or every module p11-kit's
 * proxy would offer. Loaded once per process and kept until shutdown. */
typedef struct tf_p11_modules {
	char *key;                /* "path:/x.so", "name:softhsm2" or "proxy" */
	CK_FUNCTION_LIST **funcs; /* the modules to search, NULL-terminated; borrowed from all */
	CK_FUNCTION_LIST **all;   /* owned: what p11-kit loaded, NULL-terminated */
	int from_registry;        /* all came from p11_kit_modules_load_and_initialize */
	struct tf_p11_modules *next;
} tf_p11_modules;

/* Size of the text that names where a PIN came from. */
#define TF_P11_PIN_ORIGIN_SIZE 512

/* A token the process has opened: one session and at most one C_Login,
 * shared by every key opened on it until tf_p11_shutdown(). */
typedef struct tf_p11_token {
	CK_FUNCTION_LIST *f;
	CK_SLOT_ID slot;
	CK_TOKEN_INFO info;
	char label[33]; /* CKA_LABEL of the token without the padding */
	CK_SESSION_HANDLE session;
	int logged_in;
	/* Kept only while a key needing CKA_ALWAYS_AUTHENTICATE is open. */
	char *pin;
	int pin_users; /* open keys that need pin */
	/* Where the PIN came from, e.g. "the PIN in TUFSIGN_PIN", for login
	 * failures. Never the PIN itself. */
	char pin_origin[TF_P11_PIN_ORIGIN_SIZE];
	struct tf_p11_token *next;
} tf_p11_token;

/* A parsed key or token URI with the parts tufsign acts on. */
typedef struct tf_p11_uri {
	P11KitUri *uri;
	const char *text;        /* the URI as given, borrowed */
	const char *module_path; /* query attribute, or NULL */
	const char *module_name;
	const char *pin_source;
	CK_SLOT_ID slot_id; /* (CK_SLOT_ID)-1 when absent */
} tf_p11_uri;

/* A private key located on a token. */
typedef struct tf_p11_object {
	tf_p11_token *token;
	CK_OBJECT_HANDLE handle;
	CK_KEY_TYPE key_type;
	unsigned char id[256];
	size_t id_len;
	char label[256];
	int always_authenticate;
	int has_cert;        /* a certificate with the same CKA_ID is stored */
	char cert_keyid[65]; /* key ID of that certificate, "" when unknown */
	EVP_PKEY *pub;       /* public half, read from the token */
	unsigned char *spki; /* DER SubjectPublicKeyInfo of pub */
	size_t spki_len;
	tufsign_key_algo algo;
	unsigned bits;
	/* Verifies the ECDSA signatures of pub; made on first use. */
	EVP_PKEY_CTX *verify_ctx;
} tf_p11_object;

/* rv.c: the one CK_RV translation table. */
const char *tf_p11_rv_name(CK_RV rv);
const char *tf_p11_mech_name(CK_MECHANISM_TYPE mech);
/* Record a failed PKCS#11 call: "<what>: CKR_NAME". Returns status. */
tufsign_status tf_p11_error(tufsign_error *err, tufsign_status status, CK_RV rv, const char *fmt,
			    ...) __attribute__((format(printf, 4, 5)));
/* Map a C_Login result to its status. */
tufsign_status tf_p11_login_status(CK_RV rv);

/* uri.c */
tufsign_status tf_p11_uri_parse(const char *text, int for_object, tf_p11_uri *out,
				tufsign_error *err);
void tf_p11_uri_release(tf_p11_uri *u);
/* uri_check.c: reject a parsed URI that names an attribute p11-kit does not
 * know, has a query attribute in its path part, or (when unrecognized is
 * set, as p11-kit reports it) a value no token can have. shown is the text
 * for messages. */
tufsign_status tf_p11_uri_check_attributes(const char *text, const char *shown, int unrecognized,
					   tufsign_error *err);
/* URI of a token, or of a private key on it; malloc'd, NULL on failure. */
char *tf_p11_token_uri(const CK_TOKEN_INFO *info);
char *tf_p11_key_uri(const CK_TOKEN_INFO *info, const char *label, const unsigned char *id,
		     size_t id_len);
/* Copy a blank-padded PKCS#11 string into out (size n), trimmed. */
void tf_p11_trim(const unsigned char *in, size_t in_len, char *out, size_t n);

/* module.c */
tufsign_status tf_p11_modules_get(const tf_p11_uri *u, const char *option_path,
				  tf_p11_modules **out, tufsign_error *err);

/* Finalize and release the modules of m and free m, so that the next
 * tf_p11_modules_get() loads and initializes them again. The caller makes
 * sure that no open session or other pointer refers to them. */
void tf_p11_modules_unload(tf_p11_modules *m);

/* Finalize and release every module loaded so far. */
void tf_p11_modules_release_all(void);

/* pin.c */
/* Read the PIN of a token from the first source that is set: the URI's
 * pin_source, opts->pin_file, TUFSIGN_PIN, else a prompt on the terminal.
 * origin receives a phrase naming the source used, such as "the PIN in
 * TUFSIGN_PIN", for the message of a failed login. */
tufsign_status tf_p11_pin_read(const char *pin_source, const tufsign_key_options *opts,
			       const char *token_label, char **pin,
			       char origin[TF_P11_PIN_ORIGIN_SIZE], tufsign_error *err);

/* session.c */
/* Whether a failed C_GetSlotList may succeed once the module is
 * initialized again: CKR_GENERAL_ERROR, the result of SoftHSM2 2.6.1
 * calls that read a token file while another process rewrites it, and
 * CKR_DEVICE_ERROR. */
int tf_p11_slot_list_rv_transient(CK_RV rv);

/* One search of a loaded module set for tokens, with its own state in ctx.
 * It sets *transient when its failure may pass once the modules are
 * initialized again, such as a token that was not listed. */
typedef tufsign_status (*tf_p11_search_fn)(const tf_p11_modules *mods, void *ctx, int *transient,
					   tufsign_error *err);

/* Load the modules for u and option_path (see tf_p11_modules_get) and run
 * search on them. After a transient failure search runs again, up to 4
 * times in all, 50 to 150 ms apart. Before each new search the modules
 * are finalized, loaded and initialized again, unless the process has a
 * session or a failed login on a token. A search must only read, because
 * it may run more than once. err gets the failure of the last search. */
tufsign_status tf_p11_modules_search(const tf_p11_uri *u, const char *option_path,
				     tf_p11_search_fn search, void *ctx, tufsign_error *err);

/* Open (or reuse) the session on the token selected by u, logging in once. */
tufsign_status tf_p11_token_open(const tf_p11_uri *u, const tufsign_key_options *opts,
				 tf_p11_token **out, tufsign_error *err);
/* Wipe the PIN unless an open key needs it for context-specific logins. */
void tf_p11_token_drop_pin(tf_p11_token *t);
/* Count an open key that needs the PIN, or release one (then wipe at zero). */
void tf_p11_token_hold_pin(tf_p11_token *t);
void tf_p11_token_release_pin(tf_p11_token *t);
/* Context-specific login for a CKA_ALWAYS_AUTHENTICATE key after C_SignInit. */
tufsign_status tf_p11_context_login(tf_p11_token *t, tufsign_error *err);
int tf_p11_token_has_mechanism(tf_p11_token *t, CK_MECHANISM_TYPE mech);

/* object.c */
tufsign_status tf_p11_key_find(tf_p11_token *t, const tf_p11_uri *u, tf_p11_object **out,
			       tufsign_error *err);
tufsign_status tf_p11_key_load(tf_p11_token *t, CK_OBJECT_HANDLE h, tf_p11_object **out,
			       tufsign_error *err);
void tf_p11_object_free(tf_p11_object *o);
/* Find objects of class cls matching the URI's object/id attributes. */
tufsign_status tf_p11_find_objects(tf_p11_token *t, const tf_p11_uri *u, CK_OBJECT_CLASS cls,
				   const char *label, CK_OBJECT_HANDLE **handles, size_t *count,
				   tufsign_error *err);
/* Read one attribute into a malloc'd buffer. */
CK_RV tf_p11_get_attribute(tf_p11_token *t, CK_OBJECT_HANDLE h, CK_ATTRIBUTE_TYPE type,
			   unsigned char **value, size_t *len);
/* Build the public key from EC/EdDSA parameters and point, or RSA n and e. */
tufsign_status tf_p11_public_from_attrs(CK_KEY_TYPE kt, const unsigned char *params,
					size_t params_len, const unsigned char *point,
					size_t point_len, EVP_PKEY **out, tufsign_error *err);

/* Fill info (owned strings) from a loaded key. */
tufsign_status tf_p11_key_info(const tf_p11_object *o, tufsign_key_info *info, tufsign_error *err);

/* sign.c */
tufsign_status tf_p11_sign(tf_p11_object *o, tufsign_sig_scheme scheme, const unsigned char *msg,
			   size_t msg_len, unsigned char **sig, size_t *sig_len,
			   tufsign_error *err);

#endif
