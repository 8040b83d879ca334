/* Client for the HTTP API of a Notary v1 server (notary-server 0.7): metadata
 * downloads by role, checksum and version, the server-held timestamp and
 * snapshot keys, the multipart upload, and token authentication in the
 * Docker registry protocol.
 *
 * Downloads are untrusted bytes: this module caps their size and maps HTTP
 * failures to status codes, but verifying them is the caller's job.
 *
 * A client is not thread-safe; use one per thread. */
#ifndef TUFSIGN_NOTARY_H
#define TUFSIGN_NOTARY_H

#include <stddef.h>
#include <stdint.h>

#include "tufsign/error.h"
#include "tufsign/export.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Size caps of downloads, in bytes. notary's own client uses the same values
 * for timestamp.json and root.json. */
#define TUFSIGN_NOTARY_MAX_TIMESTAMP ((size_t)1 << 20)   /* 1 MiB */
#define TUFSIGN_NOTARY_MAX_ROOT      ((size_t)100 << 20) /* 100 MiB */
/* Cap for any other download whose length is not known in advance. */
#define TUFSIGN_NOTARY_MAX_DEFAULT ((size_t)100 << 20)

/* Settings of a client. Fill with tufsign_notary_config_init(), then set what
 * differs. Strings are borrowed: they must stay valid until
 * tufsign_notary_new() returns, which copies them. */
typedef struct tufsign_notary_config {
	/* Base URL of the server, e.g. "https://notary.example:4443". A path
	 * prefix is allowed; a trailing slash is ignored. "https://" is
	 * required unless insecure_plain_http is set. */
	const char *url;
	int insecure_plain_http; /* 1: accept "http://" (no TLS at all) */

	const char *ca_file;     /* PEM CA bundle replacing the system store; NULL: system */
	const char *client_cert; /* PEM client certificate for mutual TLS, or NULL */
	const char *client_key;  /* PEM key of client_cert (may be the same file), or NULL */

	/* Credentials for the token service (or a Basic challenge). When
	 * username is NULL and use_environment is 1, the client looks them up
	 * per GUN: NOTARY_AUTH (base64 "user:password"), then the docker
	 * config file (see docker_config below). A NULL password with a
	 * username set means an empty password. */
	const char *username;
	const char *password; /* secret: the client keeps a copy and wipes it on free */
	int use_environment;  /* 1 (default): read NOTARY_AUTH and the docker config */
	/* Docker config file to read credentials from; NULL means
	 * "$DOCKER_CONFIG/config.json", else "~/.docker/config.json". As in
	 * the docker CLI, the credential helper that credHelpers names for the
	 * registry host of the GUN wins, else the one credsStore names, else
	 * the auths entry of the host with "auth" (base64 "user:password") or
	 * "username" and "password". A helper is run as
	 * "docker-credential-NAME get", killed after
	 * TUFSIGN_CREDENTIAL_HELPER_TIMEOUT seconds (default 30); its failure
	 * is TUFSIGN_ERR_AUTH. */
	const char *docker_config;

	long connect_timeout_ms; /* default 10000 */
	long timeout_ms;         /* whole request, default 120000 */
	/* Extra attempts after a connection failure or a 5xx response to a read
	 * (GET). Uploads are never repeated automatically. Default 3. */
	unsigned retries;
	long retry_delay_ms;     /* first backoff delay, doubled per attempt; default 250 */
	long retry_delay_max_ms; /* backoff ceiling; default 4000 */

	const char *user_agent; /* NULL: "tufsign/<version>" */
} tufsign_notary_config;

typedef struct tufsign_notary tufsign_notary;

/* One role file of an upload. Borrowed for the call. */
typedef struct tufsign_notary_file {
	const char *role;          /* "root", "targets", "snapshot", "targets/releases", ... */
	const unsigned char *data; /* exact file bytes, sent unchanged */
	size_t len;
} tufsign_notary_file;

/* Public key the server holds for its timestamp or snapshot role, from
 * GET <gun>/_trust/tuf/<role>.key. All members owned by the struct;
 * release with tufsign_notary_key_release(). */
typedef struct tufsign_notary_key {
	char *keytype;             /* "ecdsa", "ed25519", "rsa" as the server wrote it */
	char *public_b64;          /* keyval.public exactly as sent (standard base64) */
	unsigned char *public_key; /* keyval.public decoded */
	size_t public_len;
} tufsign_notary_key;

/* Fill cfg with the defaults above; url stays NULL. */
TUFSIGN_API void tufsign_notary_config_init(tufsign_notary_config *cfg);

/* Create a client. No network traffic happens here. *out is cleared on entry
 * and set on success; free it with tufsign_notary_free().
 * TUFSIGN_ERR_URI: malformed URL, or "http://" without insecure_plain_http. */
TUFSIGN_API tufsign_status tufsign_notary_new(const tufsign_notary_config *cfg,
					      tufsign_notary **out, tufsign_error *err);

/* Free the client and wipe its credentials and tokens. NULL is accepted. */
TUFSIGN_API void tufsign_notary_free(tufsign_notary *client);

/* GET /v2/: check that the server responds and collect its authentication
 * challenge. The other calls ping on their own when needed, so calling this
 * is optional. */
TUFSIGN_API tufsign_status tufsign_notary_ping(tufsign_notary *client, tufsign_error *err);

/* Check, before anything is signed, that the client's credentials may push
 * to gun. With token authentication this requests the push,pull token that
 * an upload uses (and keeps it for that upload). When the token is a JWT
 * with an "access" claim, as Docker distribution's token servers issue,
 * and that claim lists gun without "push", this fails with
 * TUFSIGN_ERR_AUTH. A server without token authentication, or a token
 * tufsign cannot read, passes: a denied upload is reported then. */
TUFSIGN_API tufsign_status tufsign_notary_check_push(tufsign_notary *client, const char *gun,
						     tufsign_error *err);

/* GET <gun>/_trust/tuf/<role>.json, the current version. max_len caps the
 * body; 0 picks TUFSIGN_NOTARY_MAX_TIMESTAMP for "timestamp",
 * TUFSIGN_NOTARY_MAX_ROOT for "root" and TUFSIGN_NOTARY_MAX_DEFAULT otherwise.
 * On success *data is malloc'd (NUL-terminated, not counted in *len) and the
 * caller frees it; both out-parameters are cleared on entry.
 * Errors: TUFSIGN_ERR_NOT_FOUND (404), TUFSIGN_ERR_TOO_LARGE, and the
 * transport statuses listed at the end of this header. */
TUFSIGN_API tufsign_status tufsign_notary_get_role(tufsign_notary *client, const char *gun,
						   const char *role, size_t max_len,
						   unsigned char **data, size_t *len,
						   tufsign_error *err);

/* GET <gun>/_trust/tuf/<role>.<sha256_hex>.json. length is the expected
 * size from the snapshot or timestamp and is the cap: a longer body is
 * TUFSIGN_ERR_TOO_LARGE. The hash is not checked here. Ownership as for
 * tufsign_notary_get_role(). */
TUFSIGN_API tufsign_status tufsign_notary_get_by_hash(tufsign_notary *client, const char *gun,
						      const char *role, const char *sha256_hex,
						      size_t length, unsigned char **data,
						      size_t *len, tufsign_error *err);

/* GET <gun>/_trust/tuf/<version>.<role>.json, used to walk root rotations.
 * max_len as for tufsign_notary_get_role(). Ownership likewise. */
TUFSIGN_API tufsign_status tufsign_notary_get_by_version(tufsign_notary *client, const char *gun,
							 const char *role, uint64_t version,
							 size_t max_len, unsigned char **data,
							 size_t *len, tufsign_error *err);

/* GET <gun>/_trust/tuf/<role>.key for role "timestamp" or "snapshot".
 * While the GUN has no root yet, every call makes the server create a new
 * key, so call it once per role and keep the result. Requests push access.
 * *key is zeroed on entry; release it with tufsign_notary_key_release(),
 * also after a failure. TUFSIGN_ERR_JSON for a malformed response. */
TUFSIGN_API tufsign_status tufsign_notary_get_key(tufsign_notary *client, const char *gun,
						  const char *role, tufsign_notary_key *key,
						  tufsign_error *err);

/* POST <gun>/_trust/tuf/<role>.key for role "timestamp" or "snapshot": the
 * server creates a new key for the role and returns its public key. GET
 * keeps returning the old key until a root listing the new one is
 * published. Each call creates another key, so it is never retried.
 * Requests the "*" action with token auth. *key as for
 * tufsign_notary_get_key(). */
TUFSIGN_API tufsign_status tufsign_notary_rotate_key(tufsign_notary *client, const char *gun,
						     const char *role, tufsign_notary_key *key,
						     tufsign_error *err);

/* Free the members of key and zero it. NULL is accepted. */
TUFSIGN_API void tufsign_notary_key_release(tufsign_notary_key *key);

/* POST <gun>/_trust/tuf/ with one multipart/form-data part per file, the
 * bytes sent unchanged. The server applies all files or none. Never
 * retried automatically: after TUFSIGN_ERR_NETWORK the upload may or may
 * not have been applied, so re-fetch before trying again.
 * TUFSIGN_ERR_CONFLICT: the server reported a version that is not newer
 * than its own (another publisher won): re-fetch, re-apply, retry.
 * TUFSIGN_ERR_SERVER: any other rejection; the message carries the
 * server's code, message and validation detail. */
TUFSIGN_API tufsign_status tufsign_notary_publish(tufsign_notary *client, const char *gun,
						  const tufsign_notary_file *files, size_t nfiles,
						  tufsign_error *err);

/* DELETE <gun>/_trust/tuf/: removes all metadata of the GUN on the server.
 * Needs the "*" action with token auth. Meant for tests and cleanup. */
TUFSIGN_API tufsign_status tufsign_notary_delete(tufsign_notary *client, const char *gun,
						 tufsign_error *err);

/* Transport statuses every call above may return:
 *   TUFSIGN_ERR_NETWORK  connection refused or reset, DNS failure, timeout
 *                        (after the retries for reads)
 *   TUFSIGN_ERR_TLS      handshake or certificate verification failed
 *   TUFSIGN_ERR_AUTH     401/403, or the token service rejected the
 *                        credentials; the message names user and realm
 *   TUFSIGN_ERR_SERVER   another 4xx or 5xx (after the retries for reads)
 *   TUFSIGN_ERR_NOMEM
 * Invalid gun or role arguments give TUFSIGN_ERR_INVALID_ARGUMENT. */

#ifdef __cplusplus
}
#endif

#endif
