/* The Notary client: URLs of the server API, authentication around each
 * request, and the public tufsign_notary_* calls. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <jansson.h>

#include "net/client.h"

#define COMPONENT "http"
/* Tokens kept per client; a run uses one or two scopes. */
#define TOKEN_SLOTS 8

typedef struct token_slot {
	char *scope;
	char *token;    /* secret */
	time_t expires; /* CLOCK_MONOTONIC seconds */
} token_slot;

struct tufsign_notary {
	tf_http http;
	char *base_url;         /* without trailing '/' */
	int answered;           /* the server has responded to a request */
	tf_challenge challenge; /* from the ping or the last 401 */
	int have_challenge;
	int use_environment;
	char *docker_config;
	tf_credentials given; /* from the configuration */
	tf_credentials found; /* looked up for found_host */
	char *found_host;
	token_slot tokens[TOKEN_SLOTS];
};

void tufsign_notary_config_init(tufsign_notary_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->use_environment = 1;
	cfg->connect_timeout_ms = 10000;
	cfg->timeout_ms = 120000;
	cfg->retries = 3;
	cfg->retry_delay_ms = 250;
	cfg->retry_delay_max_ms = 4000;
}

static time_t monotonic_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
}

static void token_slot_release(token_slot *slot)
{
	free(slot->scope);
	tf_free_secret(slot->token);
	memset(slot, 0, sizeof(*slot));
}

void tufsign_notary_free(tufsign_notary *client)
{
	size_t i;

	if (client == NULL)
		return;
	tf_http_release(&client->http);
	free(client->base_url);
	tf_challenge_release(&client->challenge);
	free(client->docker_config);
	tf_credentials_release(&client->given);
	tf_credentials_release(&client->found);
	free(client->found_host);
	for (i = 0; i < TOKEN_SLOTS; i++)
		token_slot_release(&client->tokens[i]);
	free(client);
}

/* Return 1 when the authority part of url has a "user[:password]@". */
static int has_userinfo(const char *url)
{
	const char *authority = strstr(url, "://");

	if (authority == NULL)
		return 0;
	authority += 3;
	return memchr(authority, '@', strcspn(authority, "/?#")) != NULL;
}

static tufsign_status check_url(const tufsign_notary_config *cfg, tufsign_error *err)
{
	const char *url = cfg->url;
	const char *host;

	if (url == NULL || url[0] == '\0')
		return tufsign_error_set(err, TUFSIGN_ERR_URI,
					 "no Notary server URL given; use -s URL or "
					 "TUFSIGN_SERVER");
	/* URLs appear in logs and error messages, so this one is not repeated. */
	if (has_userinfo(url))
		return tufsign_error_set(err, TUFSIGN_ERR_URI,
					 "the server URL contains a user name or password, which "
					 "would show in logs and error messages; give the user "
					 "with --username and the password with --password-file "
					 "or TUFSIGN_PASSWORD");
	if (strncasecmp(url, "https://", 8) == 0) {
		host = url + 8;
	} else if (strncasecmp(url, "http://", 7) == 0) {
		if (!cfg->insecure_plain_http)
			return tufsign_error_set(
				err, TUFSIGN_ERR_URI,
				"the server URL '%s' uses plain http, which sends "
				"everything unencrypted and unauthenticated; use "
				"https, or --insecure-plain-http for a test server",
				url);
		host = url + 7;
	} else {
		return tufsign_error_set(err, TUFSIGN_ERR_URI,
					 "invalid server URL '%s': expected https://HOST[:PORT]",
					 url);
	}
	if (host[0] == '\0' || host[0] == '/' || strpbrk(url, " \t\r\n?#") != NULL)
		return tufsign_error_set(err, TUFSIGN_ERR_URI,
					 "invalid server URL '%s': expected https://HOST[:PORT]",
					 url);
	return TUFSIGN_OK;
}

static tufsign_status copy_given_credentials(tufsign_notary *client,
					     const tufsign_notary_config *cfg, tufsign_error *err)
{
	if (cfg->username == NULL)
		return TUFSIGN_OK;
	client->given.username = tf_strdup(cfg->username);
	client->given.password = tf_strdup(cfg->password ? cfg->password : "");
	snprintf(client->given.source, sizeof(client->given.source), "the command line");
	if (client->given.username == NULL || client->given.password == NULL)
		return tufsign_error_set(err, TUFSIGN_ERR_NOMEM,
					 "out of memory creating the client");
	return TUFSIGN_OK;
}

tufsign_status tufsign_notary_new(const tufsign_notary_config *cfg, tufsign_notary **out,
				  tufsign_error *err)
{
	tufsign_status st;
	tufsign_notary *client = NULL;
	size_t len;

	*out = NULL;
	st = check_url(cfg, err);
	if (st != TUFSIGN_OK)
		return st;
	client = calloc(1, sizeof(*client));
	if (client == NULL)
		return tufsign_error_set(err, TUFSIGN_ERR_NOMEM,
					 "out of memory creating the client");
	st = tf_http_init(&client->http, cfg, err);
	if (st != TUFSIGN_OK)
		goto out;
	client->base_url = tf_strdup(cfg->url);
	client->docker_config = cfg->docker_config ? tf_strdup(cfg->docker_config) : NULL;
	client->use_environment = cfg->use_environment;
	if (client->base_url == NULL || (cfg->docker_config != NULL && !client->docker_config)) {
		st = tufsign_error_set(err, TUFSIGN_ERR_NOMEM, "out of memory creating the client");
		goto out;
	}
	len = strlen(client->base_url);
	while (len > 0 && client->base_url[len - 1] == '/')
		client->base_url[--len] = '\0';
	st = copy_given_credentials(client, cfg, err);
out:
	if (st != TUFSIGN_OK)
		tufsign_notary_free(client);
	else
		*out = client;
	return st;
}

/* Credentials for gun: the configured ones, else those found in the
 * environment for its registry host (looked up once per host). */
static tufsign_status credentials_for(tufsign_notary *client, const char *gun,
				      const tf_credentials **cred, tufsign_error *err)
{
	tufsign_status st;
	char *host;

	*cred = &client->given;
	if (client->given.username != NULL || !client->use_environment)
		return TUFSIGN_OK;
	host = tf_registry_host(gun);
	if (host == NULL)
		return tufsign_error_set(err, TUFSIGN_ERR_NOMEM,
					 "out of memory reading credentials");
	if (client->found_host != NULL && strcmp(client->found_host, host) == 0) {
		free(host);
		*cred = &client->found;
		return TUFSIGN_OK;
	}
	tf_credentials_release(&client->found);
	free(client->found_host);
	client->found_host = host;
	st = tf_credentials_lookup(gun, client->docker_config, &client->found, err);
	*cred = &client->found;
	if (st != TUFSIGN_OK) {
		/* Look up again next time rather than go on without credentials. */
		free(client->found_host);
		client->found_host = NULL;
	}
	return st;
}

static token_slot *find_token(tufsign_notary *client, const char *scope)
{
	size_t i;
	time_t now = monotonic_seconds();

	for (i = 0; i < TOKEN_SLOTS; i++) {
		token_slot *slot = &client->tokens[i];

		if (slot->scope != NULL && strcmp(slot->scope, scope) == 0) {
			if (slot->expires > now)
				return slot;
			token_slot_release(slot);
		}
	}
	return NULL;
}

static void forget_token(tufsign_notary *client, const char *scope)
{
	token_slot *slot = find_token(client, scope);

	if (slot != NULL)
		token_slot_release(slot);
}

/* Store a token, replacing the slot that expires first when all are used. */
static void keep_token(tufsign_notary *client, const char *scope, char *token, long lifetime)
{
	token_slot *slot = &client->tokens[0];
	size_t i;

	for (i = 0; i < TOKEN_SLOTS; i++) {
		if (client->tokens[i].scope == NULL) {
			slot = &client->tokens[i];
			break;
		}
		if (client->tokens[i].expires < slot->expires)
			slot = &client->tokens[i];
	}
	token_slot_release(slot);
	slot->scope = tf_strdup(scope);
	slot->token = token;
	/* Renew a little early so a token does not expire in flight. */
	slot->expires = monotonic_seconds() + lifetime - 10;
	if (slot->scope == NULL)
		token_slot_release(slot);
}

static tufsign_status bearer_token(tufsign_notary *client, const char *gun, const char *scope,
				   char **authorization, tufsign_error *err)
{
	tufsign_status st;
	const tf_credentials *cred = NULL;
	token_slot *slot = find_token(client, scope);
	char *token = NULL;
	long lifetime = 0;

	if (slot == NULL) {
		st = credentials_for(client, gun, &cred, err);
		if (st != TUFSIGN_OK)
			return st;
		st = tf_token_fetch(&client->http, &client->challenge, scope, cred, &token,
				    &lifetime, err);
		if (st != TUFSIGN_OK)
			return st;
		*authorization = tf_asprintf("Bearer %s", token);
		keep_token(client, scope, token, lifetime);
	} else {
		*authorization = tf_asprintf("Bearer %s", slot->token);
	}
	if (*authorization == NULL)
		return tufsign_error_set(err, TUFSIGN_ERR_NOMEM, "out of memory adding a token");
	return TUFSIGN_OK;
}

/* Authorization header for a call under the current challenge, or NULL
 * when the server asked for none. */
static tufsign_status authorization_for(tufsign_notary *client, const tf_api_call *call,
					const char *scope, char **authorization, tufsign_error *err)
{
	tufsign_status st;
	const tf_credentials *cred = NULL;

	*authorization = NULL;
	if (!client->have_challenge)
		return TUFSIGN_OK;
	if (client->challenge.bearer)
		return bearer_token(client, call->gun, scope, authorization, err);
	st = credentials_for(client, call->gun, &cred, err);
	if (st != TUFSIGN_OK || cred->username == NULL)
		return st;
	/* The docker CLI sends an identity token to token services only. */
	if (cred->identity_token != NULL)
		return tufsign_error_set(err, TUFSIGN_ERR_AUTH,
					 "the server '%s' requests Basic authentication, which "
					 "the identity token from %s cannot give; give a user "
					 "name and password with --username or NOTARY_AUTH",
					 client->base_url, cred->source);
	*authorization = tf_basic_authorization(cred);
	if (*authorization == NULL)
		return tufsign_error_set(err, TUFSIGN_ERR_NOMEM,
					 "out of memory adding credentials");
	return TUFSIGN_OK;
}

/* Remember the challenge of a 401 response. Returns 1 when it is usable. */
static int take_challenge(tufsign_notary *client, const char *header)
{
	tf_challenge parsed;
	tufsign_error ignored;

	if (header == NULL || tf_challenge_parse(header, &parsed, &ignored) != TUFSIGN_OK) {
		TF_DEBUG(COMPONENT, "unusable challenge '%s'", header ? header : "(none)");
		return 0;
	}
	tf_challenge_release(&client->challenge);
	client->challenge = parsed;
	client->have_challenge = 1;
	return 1;
}

static tufsign_status ping(tufsign_notary *client, tufsign_error *err)
{
	tufsign_status st;
	tf_http_response resp = {0};
	char *url = tf_asprintf("%s/v2/", client->base_url);
	tf_http_request req = {.method = "GET", .url = url, .max_len = 65536, .retry = 1};

	if (url == NULL)
		return tufsign_error_set(err, TUFSIGN_ERR_NOMEM, "out of memory building a URL");
	st = tf_http_perform(&client->http, &req, &resp, err);
	if (st == TUFSIGN_OK) {
		client->answered = 1;
		if (resp.status == 401)
			take_challenge(client, resp.www_authenticate);
		else if (resp.status >= 500)
			st = tf_server_error(err, "GET /v2/", resp.status, resp.body, resp.len);
		TF_DEBUG(COMPONENT, "ping: HTTP %ld, %s", resp.status,
			 client->have_challenge
				 ? (client->challenge.bearer ? "token auth" : "basic auth")
				 : "no auth");
	}
	tf_http_response_release(&resp);
	free(url);
	return st;
}

tufsign_status tufsign_notary_ping(tufsign_notary *client, tufsign_error *err)
{
	return ping(client, err);
}

/* Decode the payload of a JWT (header.payload.signature, base64url without
 * padding) as JSON. Returns NULL when token is not such a JWT. */
static json_t *jwt_claims(const char *token)
{
	const char *start = strchr(token, '.'), *end = start ? strchr(start + 1, '.') : NULL;
	size_t len = end ? (size_t)(end - start - 1) : 0, i, out_len = 0;
	char *text = end ? malloc(len + 4) : NULL;
	unsigned char *raw = NULL;
	json_t *claims = NULL;
	int bad = 0;

	if (text == NULL)
		return NULL;
	/* base64url uses '-' and '_' where standard base64 has '+' and '/'. */
	for (i = 0; i < len; i++) {
		char c = start[1 + i];

		if (c == '-')
			c = '+';
		else if (c == '_')
			c = '/';
		text[i] = c;
	}
	while (i % 4 != 0)
		text[i++] = '=';
	raw = tf_base64_decode(text, i, &out_len, &bad);
	if (raw != NULL)
		claims = json_loadb((const char *)raw, out_len, 0, NULL);
	free(raw);
	free(text);
	return claims;
}

/* Return 1 when the token's "access" claim names the repository gun
 * without the push action, 0 when it grants push or cannot be read. */
static int token_denies_push(const char *token, const char *gun)
{
	json_t *claims = jwt_claims(token), *entry, *action;
	int listed = 0, push = 0;
	size_t i, k;

	json_array_foreach(json_object_get(claims, "access"), i, entry)
	{
		const char *type = json_string_value(json_object_get(entry, "type"));
		const char *name = json_string_value(json_object_get(entry, "name"));

		if (type == NULL || name == NULL || strcmp(type, "repository") != 0 ||
		    strcmp(name, gun) != 0)
			continue;
		listed = 1;
		json_array_foreach(json_object_get(entry, "actions"), k, action)
		{
			const char *a = json_string_value(action);

			push |= a != NULL && (strcmp(a, "push") == 0 || strcmp(a, "*") == 0);
		}
	}
	json_decref(claims);
	return listed && !push;
}

static tufsign_status report_no_push(tufsign_notary *client, const char *gun, tufsign_error *err)
{
	const tf_credentials *cred = NULL;
	tufsign_error ignored;
	char user[sizeof(cred->source) + 128];
	char advice[sizeof(cred->missing) + 128];

	tufsign_error_clear(&ignored);
	credentials_for(client, gun, &cred, &ignored);
	tf_credentials_describe(cred, user, sizeof(user));
	tf_credentials_advise_anonymous(cred, advice, sizeof(advice));
	return tufsign_error_set(err, TUFSIGN_ERR_AUTH,
				 "the token service '%s' grants %s no push access to '%s', so "
				 "nothing was signed; %s",
				 client->challenge.realm, user, gun,
				 cred && cred->username ? "use the credentials of a user who may "
							  "push to this repository"
							: advice);
}

tufsign_status tufsign_notary_check_push(tufsign_notary *client, const char *gun,
					 tufsign_error *err)
{
	tufsign_status st = TUFSIGN_OK;
	char *scope = NULL, *authorization = NULL;
	token_slot *slot;

	if (!client->answered)
		st = ping(client, err);
	if (st != TUFSIGN_OK || !client->have_challenge || !client->challenge.bearer)
		return st;
	scope = tf_asprintf("repository:%s:push,pull", gun);
	if (scope == NULL)
		return tufsign_error_set(err, TUFSIGN_ERR_NOMEM, "out of memory building a scope");
	st = bearer_token(client, gun, scope, &authorization, err);
	tf_free_secret(authorization);
	slot = st == TUFSIGN_OK ? find_token(client, scope) : NULL;
	if (slot != NULL && slot->token != NULL && token_denies_push(slot->token, gun))
		st = report_no_push(client, gun, err);
	free(scope);
	return st;
}

static tufsign_status report_denied(tufsign_notary *client, const tf_api_call *call,
				    const char *scope, long status, tufsign_error *err)
{
	const tf_credentials *cred = NULL;
	tufsign_error ignored;
	char user[sizeof(cred->source) + 128];
	char advice[sizeof(cred->missing) + 128];

	tufsign_error_clear(&ignored);
	credentials_for(client, call->gun, &cred, &ignored);
	tf_credentials_describe(cred, user, sizeof(user));
	tf_credentials_advise_anonymous(cred, advice, sizeof(advice));
	if (client->have_challenge && client->challenge.bearer)
		return tufsign_error_set(err, TUFSIGN_ERR_AUTH,
					 "%s failed: HTTP %ld%s%s: the token for '%s' from '%s' "
					 "(%s) does not grant access; %s",
					 call->what, status, client->challenge.error ? " " : "",
					 client->challenge.error ? client->challenge.error : "",
					 scope, client->challenge.realm, user,
					 cred && cred->username
						 ? "check that the user may use this "
						   "repository"
						 : advice);
	return tufsign_error_set(err, TUFSIGN_ERR_AUTH,
				 "%s failed: HTTP %ld: access denied for %s%s%s", call->what,
				 status, user, client->challenge.realm ? " at realm " : "",
				 client->challenge.realm ? client->challenge.realm : "");
}

tufsign_status tf_notary_call(tufsign_notary *client, tf_api_call *call, tf_http_response *resp,
			      tufsign_error *err)
{
	tufsign_status st = TUFSIGN_OK;
	char *scope = NULL, *authorization = NULL;
	int attempt;

	/* A request that may be repeated goes out without a ping. A server that
	 * wants credentials returns 401 with its challenge, and the loop below
	 * sends the request again with them. This saves a round trip when the
	 * server wants none. An upload or a delete must carry its credentials
	 * the first time, so it waits for the ping when it comes first. */
	if (!client->answered && !call->req.retry)
		st = ping(client, err);
	scope = tf_asprintf("repository:%s:%s", call->gun, call->actions);
	if (st == TUFSIGN_OK && scope == NULL)
		st = tufsign_error_set(err, TUFSIGN_ERR_NOMEM, "out of memory building a scope");
	for (attempt = 0; st == TUFSIGN_OK && attempt < 2; attempt++) {
		st = authorization_for(client, call, scope, &authorization, err);
		if (st != TUFSIGN_OK)
			break;
		call->req.authorization = authorization;
		st = tf_http_perform(&client->http, &call->req, resp, err);
		call->req.authorization = NULL;
		client->answered |= st == TUFSIGN_OK;
		tf_free_secret(authorization);
		authorization = NULL;
		if (st != TUFSIGN_OK || resp->status != 401)
			break;
		/* The challenge of the last 401 is kept even when no retry
		 * follows, because its error field explains the denial. */
		forget_token(client, scope);
		if (!take_challenge(client, resp->www_authenticate) || attempt == 1)
			break;
		tf_http_response_release(resp);
	}
	if (st == TUFSIGN_OK && (resp->status == 401 || resp->status == 403)) {
		st = report_denied(client, call, scope, resp->status, err);
		tf_http_response_release(resp);
	}
	free(scope);
	return st;
}

char *tf_notary_tuf_url(const tufsign_notary *client, const char *gun, const char *file)
{
	return tf_asprintf("%s/v2/%s/_trust/tuf/%s", client->base_url, gun, file);
}

const char *tf_notary_base_url(const tufsign_notary *client)
{
	return client->base_url;
}
