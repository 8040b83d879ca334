/* Internals of the Notary client: the libcurl transport, authentication and
 * the decoding of server error bodies. */
#ifndef TF_NET_H
#define TF_NET_H

#include <stddef.h>

#include <curl/curl.h>

#include "cache/names.h"
#include "internal.h"
#include "tufsign/notary.h"

/* Transport settings copied from the client configuration. */
typedef struct tf_http {
	CURL *curl;
	char *ca_file;
	char *client_cert;
	char *client_key;
	char *user_agent;
	int allow_plain_http;
	long connect_timeout_ms;
	long timeout_ms;
	unsigned retries;
	long retry_delay_ms;
	long retry_delay_max_ms;
} tf_http;

/* One piece of a request body sent from the caller's memory. */
typedef struct tf_http_part {
	const unsigned char *data;
	size_t len;
} tf_http_part;

typedef struct tf_http_request {
	const char *method; /* "GET", "POST" or "DELETE" */
	const char *url;
	const char *content_type; /* of body, or NULL */
	const unsigned char *body;
	size_t body_len;
	/* Alternatively, a body sent piece by piece without copying; used
	 * when parts is not NULL. */
	const tf_http_part *parts;
	size_t nparts;
	/* Value of the Authorization header, or NULL. A secret: it is never
	 * logged and the copy handed to libcurl is wiped after the request. */
	const char *authorization;
	size_t max_len; /* cap of the response body */
	int retry;      /* 1: repeat after connection failures and 5xx */
} tf_http_request;

typedef struct tf_http_response {
	long status;
	unsigned char *body; /* NUL-terminated; len excludes the terminator */
	size_t len;
	char *www_authenticate; /* first WWW-Authenticate header, or NULL */
} tf_http_response;

tufsign_status tf_http_init(tf_http *http, const tufsign_notary_config *cfg, tufsign_error *err);
void tf_http_release(tf_http *http);
void tf_http_response_release(tf_http_response *resp);

/* Perform req, with the retries it allows. Any HTTP status is a success
 * here: resp->status is what the server returned. Transport
 * failures give TUFSIGN_ERR_NETWORK, TUFSIGN_ERR_TLS or TUFSIGN_ERR_TOO_LARGE. */
tufsign_status tf_http_perform(tf_http *http, const tf_http_request *req, tf_http_response *resp,
			       tufsign_error *err);

/* Record in err the failure the server reported with status and body: the
 * decoded code, message and detail, mapped to TUFSIGN_ERR_CONFLICT,
 * TUFSIGN_ERR_AUTH, TUFSIGN_ERR_NOT_FOUND or TUFSIGN_ERR_SERVER. what names
 * the request, e.g. "GET 'targets.json' of 'example.com/app'". */
tufsign_status tf_server_error(tufsign_error *err, const char *what, long status,
			       const unsigned char *body, size_t len);

/* Parsed WWW-Authenticate challenge. */
typedef struct tf_challenge {
	int bearer; /* 1: Bearer, 0: Basic */
	char *realm;
	char *service;
	char *scope;
	char *error; /* "invalid_token", "insufficient_scope", or NULL */
} tf_challenge;

/* Parse a WWW-Authenticate value. TUFSIGN_ERR_UNSUPPORTED for schemes
 * other than Basic and Bearer, TUFSIGN_ERR_AUTH when malformed. */
tufsign_status tf_challenge_parse(const char *header, tf_challenge *out, tufsign_error *err);
void tf_challenge_release(tf_challenge *c);

/* The user name with which the docker CLI and its credential helpers mark
 * a stored secret as an identity token. */
#define IDENTITY_TOKEN_USERNAME "<token>"

/* Credentials for a registry host; the secrets are wiped on release. */
typedef struct tf_credentials {
	char *username; /* NULL: anonymous */
	char *password;
	/* An identity token (OAuth2 refresh token) that docker login stored,
	 * or NULL. With it, username is "<token>" and password NULL, and a
	 * token request sends it in the refresh grant instead of Basic
	 * credentials. A secret. */
	char *identity_token;
	char source[320];       /* where they came from, for messages */
	int from_helper;        /* 1: a docker credential helper returned them */
	int from_docker_config; /* 1: a docker config file gave them, or its helper */
	/* With username NULL: a clause for messages that names the helper or
	 * docker config file without an entry for the host. It is "" when
	 * nothing was asked. */
	char missing[384];
} tf_credentials;

void tf_credentials_release(tf_credentials *cred);

/* Registry host part of gun as docker names it in its config file: the
 * first path segment when it looks like a host (contains '.' or ':', or
 * is "localhost"), else "docker.io". malloc'd. */
char *tf_registry_host(const char *gun);

/* Look up credentials for the registry host of gun: NOTARY_AUTH, then the
 * docker config file (path NULL: $DOCKER_CONFIG/config.json or
 * ~/.docker/config.json). In that file, the credential helper of
 * "credHelpers" for the host, else that of "credsStore", else the "auths"
 * entry of the host gives them, its "identitytoken" before "auth" and
 * "username". Finding none is a success with username NULL. */
tufsign_status tf_credentials_lookup(const char *gun, const char *docker_config,
				     tf_credentials *out, tufsign_error *err);

/* One "get" request to a docker credential helper. */
typedef struct tf_helper_request {
	const char *helper;  /* NAME of the program docker-credential-NAME on PATH */
	const char *server;  /* server URL written to its stdin, e.g. "host:5000" */
	const char *setting; /* where NAME came from, for messages */
	long timeout_ms;     /* the helper is killed after this */
} tf_helper_request;

/* Run "docker-credential-NAME get" without a shell, with tufsign's secret
 * variables removed from its environment. A helper that stores nothing for
 * the server (an empty Username, or exit status 1 with "credentials not found
 * in native keychain") gives a success with out->username NULL. A Username
 * "<token>" marks Secret as an identity token, which goes to
 * out->identity_token. A missing program, another failure, a timeout, or
 * invalid or oversized output give TUFSIGN_ERR_AUTH; a name containing '/'
 * gives TUFSIGN_ERR_INVALID_ARGUMENT. */
tufsign_status tf_credential_helper_get(const tf_helper_request *req, tf_credentials *out,
					tufsign_error *err);

/* Fill out with a copy of identity_token, user name "<token>" and source.
 * TUFSIGN_ERR_NOMEM leaves out released. */
tufsign_status tf_credentials_set_identity_token(tf_credentials *out, const char *identity_token,
						 const char *source, tufsign_error *err);

/* Decode base64 "user:password" into cred. */
tufsign_status tf_credentials_from_auth(const char *b64, const char *source, tf_credentials *out,
					tufsign_error *err);

/* "Basic base64(user:password)", malloc'd; a secret. */
char *tf_basic_authorization(const tf_credentials *cred);

/* Write "user 'NAME'" to buf for a denial message, followed by " from
 * SOURCE" when a docker config file or its helper gave the user, or "user
 * 'anonymous'" without a user name. */
void tf_credentials_describe(const tf_credentials *cred, char *buf, size_t size);

/* Write to buf the fix for a denial of anonymous access: why no
 * credentials were sent, when cred->missing names a cause, and how to give
 * them. */
void tf_credentials_advise_anonymous(const tf_credentials *cred, char *buf, size_t size);

/* Request a token for scope from the realm of challenge c: with
 * cred->identity_token the OAuth2 refresh grant (POST), else a GET with
 * Basic authentication when cred has a username. *token is a malloc'd
 * secret; *lifetime is in seconds. A rejected identity token gives
 * TUFSIGN_ERR_AUTH with a message that names its source. */
tufsign_status tf_token_fetch(tf_http *http, const tf_challenge *c, const char *scope,
			      const tf_credentials *cred, char **token, long *lifetime,
			      tufsign_error *err);

#endif
