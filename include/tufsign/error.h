/* Status codes and the caller-owned error object of libtufsign.
 *
 * Every fallible library function returns a tufsign_status and, when given a
 * non-NULL tufsign_error, records the details of the first failure there.
 * The numbers are stable: a retired code is never reused. */
#ifndef TUFSIGN_ERROR_H
#define TUFSIGN_ERROR_H

#include <stdarg.h>
#include <stddef.h>

#include "tufsign/export.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum tufsign_status {
	TUFSIGN_OK = 0,
	TUFSIGN_ERR_NOMEM = 1,            /* an allocation failed */
	TUFSIGN_ERR_INVALID_ARGUMENT = 2, /* a caller passed a value the API rejects */
	TUFSIGN_ERR_IO = 3,               /* a local file could not be read or written */
	TUFSIGN_ERR_JSON = 4,             /* input is not JSON the notary decoder accepts */
	TUFSIGN_ERR_METADATA = 5,         /* well-formed JSON that is not valid TUF metadata */
	TUFSIGN_ERR_CRYPTO = 6,           /* an OpenSSL operation failed */
	TUFSIGN_ERR_SIGNATURE = 7,        /* signatures missing, invalid or below threshold */
	TUFSIGN_ERR_EXPIRED = 8,          /* metadata or certificate past its expiry */
	TUFSIGN_ERR_ROLLBACK = 9,         /* a version older than the trusted one */
	TUFSIGN_ERR_HASH_MISMATCH = 10,   /* downloaded bytes differ from their hash or length */
	TUFSIGN_ERR_UNSUPPORTED = 11,     /* a key type, method or feature tufsign lacks */
	TUFSIGN_ERR_PIN_REQUIRED = 12,    /* no PIN source and no terminal to prompt on */
	TUFSIGN_ERR_PIN_INCORRECT = 13,   /* CKR_PIN_INCORRECT, or a wrong passphrase */
	TUFSIGN_ERR_PIN_LOCKED = 14,      /* CKR_PIN_LOCKED */
	TUFSIGN_ERR_PIN_INVALID = 15,     /* CKR_PIN_LEN_RANGE, CKR_PIN_INVALID */
	TUFSIGN_ERR_MODULE = 16,          /* the PKCS#11 module could not be loaded */
	TUFSIGN_ERR_TOKEN = 17,           /* a token operation failed or the token is gone */
	TUFSIGN_ERR_TOKEN_NOT_FOUND = 18, /* no token matches the URI */
	TUFSIGN_ERR_KEY_NOT_FOUND = 19,   /* no key matches the URI or file name */
	TUFSIGN_ERR_AMBIGUOUS = 20,       /* more than one token or key matches */
	TUFSIGN_ERR_MECHANISM = 21,       /* the token lacks the mechanism a signature needs */
	TUFSIGN_ERR_KEY_EXISTS = 22,      /* key generation would duplicate a label */
	TUFSIGN_ERR_URI = 23,             /* a PKCS#11 URI or server URL is malformed */
	TUFSIGN_ERR_NETWORK = 24,         /* connection refused, reset, DNS or timeout */
	TUFSIGN_ERR_TLS = 25,             /* TLS handshake or certificate verification failed */
	TUFSIGN_ERR_AUTH = 26,            /* the server or its token service rejected credentials */
	TUFSIGN_ERR_SERVER = 27,          /* the server answered with an error status */
	TUFSIGN_ERR_NOT_FOUND = 28,       /* the server has no such metadata or repository */
	TUFSIGN_ERR_TOO_LARGE = 29,       /* a download exceeded its size cap */
	TUFSIGN_ERR_CONFLICT = 30,        /* another publisher changed the repository first */
	TUFSIGN_ERR_LOCKED = 31,          /* the trust cache of this GUN is locked */
	TUFSIGN_ERR_UNTRUSTED = 32,       /* data does not chain to the pinned root */
	TUFSIGN_ERR_EXISTS = 33,          /* the repository already exists */
	TUFSIGN_ERR_TAG_NOT_FOUND = 34,   /* the tag is not in the targets metadata */
	TUFSIGN_ERR_INTERNAL = 35,        /* a broken invariant inside tufsign: a bug */
	TUFSIGN_ERR_CANCELLED = 36,       /* the user interrupted a prompt */
	TUFSIGN_ERR_PIN_EXPIRED = 37,     /* CKR_PIN_EXPIRED: the token wants a new PIN */
	TUFSIGN_ERR_REPO_NOT_FOUND = 38,  /* the server has no repository of that GUN */
} tufsign_status;

/* Highest status value in use; for tables indexed by status. */
#define TUFSIGN_STATUS_MAX TUFSIGN_ERR_REPO_NOT_FOUND

/* Details of a failure. The caller owns it, usually on its stack.
 * The first failure recorded wins: later calls on a set error leave it as is,
 * so the message names the root cause, not a consequence. */
typedef struct tufsign_error {
	tufsign_status status;
	char role[64];     /* TUF role involved, e.g. "targets/releases", or "" */
	char path[256];    /* JSON path or file name involved, e.g. "signed.targets.latest" */
	char message[768]; /* human-readable, complete sentence fragment without final period */
} tufsign_error;

/* Return a static, never NULL, English description of status. */
TUFSIGN_API const char *tufsign_strerror(tufsign_status status);

/* Return the stable identifier of status, e.g. "TUFSIGN_ERR_PIN_LOCKED". */
TUFSIGN_API const char *tufsign_status_name(tufsign_status status);

/* Reset err to TUFSIGN_OK with empty strings. err may be NULL. */
TUFSIGN_API void tufsign_error_clear(tufsign_error *err);

/* Record a failure in err unless one is already recorded, and return status.
 * err may be NULL, in which case only status is returned. */
TUFSIGN_API tufsign_status tufsign_error_set(tufsign_error *err, tufsign_status status,
					     const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
TUFSIGN_API tufsign_status tufsign_error_vset(tufsign_error *err, tufsign_status status,
					      const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));

/* Fill in role and path of a recorded error when they are still empty. Either
 * may be NULL. Useful for callers that know the context a callee lacks. */
TUFSIGN_API void tufsign_error_locate(tufsign_error *err, const char *role, const char *path);

/* Force-replace the message of a recorded error with a prefix and the old
 * message, e.g. "cannot publish 'targets': " + old. Status is kept. */
TUFSIGN_API void tufsign_error_prefix(tufsign_error *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#ifdef __cplusplus
}
#endif

#endif
