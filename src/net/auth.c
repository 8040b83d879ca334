/* WWW-Authenticate challenges (RFC 7235) and the Docker registry token
 * request: GET <realm>?service=..&scope=..[&account=user], with Basic
 * authentication when credentials exist. An identity token goes in the
 * OAuth2 refresh grant instead: POST <realm> grant_type=refresh_token&... */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "net/net.h"

/* Token responses are small; a larger one is not a token. */
#define TOKEN_RESPONSE_MAX ((size_t)1 << 20)
/* Docker clients raise shorter token lifetimes to 60 seconds. */
#define TOKEN_MIN_LIFETIME 60
/* The client_id the docker CLI and dockerd send with a refresh grant (the
 * AuthClientID constant of the moby registry package). Token services such
 * as the distribution token server reject a POST without a client_id. */
#define OAUTH_CLIENT_ID "docker"

void tf_challenge_release(tf_challenge *c)
{
	if (c == NULL)
		return;
	free(c->realm);
	free(c->service);
	free(c->scope);
	free(c->error);
	memset(c, 0, sizeof(*c));
}

static const char *skip_space(const char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

/* Read a quoted-string or token at *p into a malloc'd value. */
static char *read_param_value(const char **p)
{
	tf_buf b;
	const char *s = *p;

	tf_buf_init(&b);
	if (*s == '"') {
		for (s++; *s != '\0' && *s != '"'; s++) {
			if (*s == '\\' && s[1] != '\0')
				s++;
			tf_buf_append_byte(&b, (unsigned char)*s);
		}
		if (*s != '"') {
			tf_buf_release(&b, 0);
			return NULL;
		}
		s++;
	} else {
		while (*s != '\0' && *s != ',' && *s != ' ' && *s != '\t')
			tf_buf_append_byte(&b, (unsigned char)*s++);
	}
	*p = s;
	return (char *)tf_buf_steal(&b, NULL);
}

static void store_param(tf_challenge *c, const char *name, size_t name_len, char *value)
{
	char **slot = NULL;

	if (name_len == 5 && strncasecmp(name, "realm", 5) == 0)
		slot = &c->realm;
	else if (name_len == 7 && strncasecmp(name, "service", 7) == 0)
		slot = &c->service;
	else if (name_len == 5 && strncasecmp(name, "scope", 5) == 0)
		slot = &c->scope;
	else if (name_len == 5 && strncasecmp(name, "error", 5) == 0)
		slot = &c->error;
	if (slot == NULL || *slot != NULL) {
		free(value);
		return;
	}
	*slot = value;
}

static int parse_params(const char *p, tf_challenge *c)
{
	for (;;) {
		const char *name;
		size_t name_len;
		char *value;

		p = skip_space(p);
		while (*p == ',')
			p = skip_space(p + 1);
		if (*p == '\0')
			return 0;
		name = p;
		while (*p != '\0' && *p != '=' && *p != ' ' && *p != ',')
			p++;
		name_len = (size_t)(p - name);
		p = skip_space(p);
		if (*p != '=' || name_len == 0)
			return -1;
		p = skip_space(p + 1);
		value = read_param_value(&p);
		if (value == NULL)
			return -1;
		store_param(c, name, name_len, value);
	}
}

tufsign_status tf_challenge_parse(const char *header, tf_challenge *out, tufsign_error *err)
{
	const char *p = skip_space(header);
	size_t scheme_len = strcspn(p, " \t");

	memset(out, 0, sizeof(*out));
	if (scheme_len == 6 && strncasecmp(p, "Bearer", 6) == 0)
		out->bearer = 1;
	else if (!(scheme_len == 5 && strncasecmp(p, "Basic", 5) == 0))
		return tufsign_error_set(err, TUFSIGN_ERR_UNSUPPORTED,
					 "unsupported authentication scheme in '%.200s': "
					 "expected Bearer or Basic",
					 header);
	if (parse_params(p + scheme_len, out) != 0 || (out->bearer && out->realm == NULL)) {
		tf_challenge_release(out);
		return tufsign_error_set(err, TUFSIGN_ERR_AUTH,
					 "malformed authentication challenge '%.200s'", header);
	}
	return TUFSIGN_OK;
}

static int append_query(tf_buf *b, CURL *curl, const char *name, const char *value)
{
	char *esc = curl_easy_escape(curl, value, 0);
	int rc;

	if (esc == NULL)
		return -1;
	rc = tf_buf_printf(b, "%c%s=%s", strchr((char *)b->data, '?') ? '&' : '?', name, esc);
	curl_free(esc);
	return rc;
}

static char *token_url(tf_http *http, const tf_challenge *c, const char *scope,
		       const tf_credentials *cred)
{
	tf_buf b;

	tf_buf_init(&b);
	tf_buf_append_str(&b, c->realm);
	if (c->service != NULL)
		append_query(&b, http->curl, "service", c->service);
	append_query(&b, http->curl, "scope", scope);
	if (cred->username != NULL)
		append_query(&b, http->curl, "account", cred->username);
	return (char *)tf_buf_steal(&b, NULL);
}

/* Build the form body of the OAuth2 refresh grant, in the fields the
 * docker CLI sends. Returns a malloc'd secret because it contains the
 * refresh token. The buffer is sized once, so no realloc leaves a copy of
 * the token behind. */
static char *refresh_grant_body(CURL *curl, const tf_challenge *c, const char *scope,
				const char *refresh_token)
{
	const char *names[] = {"grant_type", "refresh_token", "service", "scope", "client_id"};
	const char *values[] = {"refresh_token", refresh_token, c->service ? c->service : "", scope,
				OAUTH_CLIENT_ID};
	char *escaped[TF_ARRAY_LEN(names)] = {NULL};
	size_t total = 0, i;
	tf_buf b;

	tf_buf_init(&b);
	for (i = 0; i < TF_ARRAY_LEN(names); i++) {
		escaped[i] = curl_easy_escape(curl, values[i], 0);
		if (escaped[i] == NULL)
			b.failed = 1;
		else
			total += strlen(names[i]) + strlen(escaped[i]) + 2;
	}
	tf_buf_reserve(&b, total);
	for (i = 0; i < TF_ARRAY_LEN(names) && !b.failed; i++)
		tf_buf_printf(&b, "%s%s=%s", i > 0 ? "&" : "", names[i], escaped[i]);
	for (i = 0; i < TF_ARRAY_LEN(names); i++) {
		if (escaped[i] != NULL)
			tf_wipe(escaped[i], strlen(escaped[i]));
		curl_free(escaped[i]);
	}
	if (b.failed) {
		tf_buf_release(&b, 1);
		return NULL;
	}
	return (char *)tf_buf_steal(&b, NULL);
}

/* Take "access_token" (preferred, as docker does) or "token" from a token
 * response. The body is a secret and is never logged.
 * NOTE: jansson frees its copies of the token without wiping them, and so
 * does a response buffer that grows because no Content-Length came. */
static tufsign_status parse_token_response(const tf_http_response *resp, const char *realm,
					   char **token, long *lifetime, tufsign_error *err)
{
	json_t *doc = json_loadb((const char *)resp->body, resp->len, 0, NULL);
	const char *value = json_string_value(json_object_get(doc, "access_token"));
	json_int_t expires = json_integer_value(json_object_get(doc, "expires_in"));

	if (value == NULL || value[0] == '\0')
		value = json_string_value(json_object_get(doc, "token"));
	if (value == NULL || value[0] == '\0') {
		json_decref(doc);
		return tufsign_error_set(err, TUFSIGN_ERR_AUTH,
					 "the token service '%s' returned no token", realm);
	}
	*token = tf_strdup(value);
	*lifetime = expires < TOKEN_MIN_LIFETIME ? TOKEN_MIN_LIFETIME : (long)expires;
	json_decref(doc);
	if (*token == NULL)
		return tufsign_error_set(err, TUFSIGN_ERR_NOMEM, "out of memory reading a token");
	return TUFSIGN_OK;
}

void tf_credentials_describe(const tf_credentials *cred, char *buf, size_t size)
{
	if (cred == NULL || cred->username == NULL)
		snprintf(buf, size, "user 'anonymous'");
	else if (cred->identity_token != NULL)
		snprintf(buf, size, "the identity token from %s", cred->source);
	else if (cred->from_docker_config || cred->from_helper)
		snprintf(buf, size, "user '%s' from %s", cred->username, cred->source);
	else
		snprintf(buf, size, "user '%s'", cred->username);
}

void tf_credentials_advise_anonymous(const tf_credentials *cred, char *buf, size_t size)
{
	const char *fix = "give credentials with --username, NOTARY_AUTH or a docker login";

	if (cred != NULL && cred->missing[0] != '\0')
		snprintf(buf, size, "no credentials were sent because %s; %s", cred->missing, fix);
	else
		snprintf(buf, size, "%s", fix);
}

/* Report a refresh token the token service rejected. OAuth2 services
 * reject an unknown or expired one with 400 invalid_grant (RFC 6749,
 * section 5.2), and the distribution token server with 401. */
static tufsign_status report_rejected_identity_token(tufsign_error *err, const tf_challenge *c,
						     const tf_credentials *cred, long status)
{
	return tufsign_error_set(err, TUFSIGN_ERR_AUTH,
				 "the token service '%s' rejected the identity token from %s "
				 "(HTTP %ld); it may have expired or been revoked, so log in "
				 "again with 'docker login' (for Azure Container Registry, 'az acr "
				 "login'), or give credentials with --username",
				 c->realm, cred->source, status);
}

static tufsign_status report_rejected(tufsign_error *err, const tf_challenge *c,
				      const tf_credentials *cred, long status)
{
	const char *fix = "check the user name and password";
	char advice[sizeof(cred->missing) + 128];

	if (cred->username == NULL) {
		tf_credentials_advise_anonymous(cred, advice, sizeof(advice));
		return tufsign_error_set(err, TUFSIGN_ERR_AUTH,
					 "the token service '%s' rejected anonymous access "
					 "(HTTP %ld); %s",
					 c->realm, status, advice);
	}
	/* A helper returns what docker login stored, so that is where to fix it. */
	if (cred->from_helper)
		fix = "store the current password with docker login, or give credentials "
		      "with --username";
	return tufsign_error_set(err, TUFSIGN_ERR_AUTH,
				 "the token service '%s' rejected the credentials of user '%s' "
				 "from %s (HTTP %ld); %s",
				 c->realm, cred->username, cred->source, status, fix);
}

/* Set req up as the GET of the token request: the query names service,
 * scope and the account, and a user name sends Basic credentials. *url and
 * *basic receive what req points to. */
static tufsign_status prepare_get(tf_http *http, const tf_challenge *c, const char *scope,
				  const tf_credentials *cred, tf_http_request *req, char **url,
				  char **basic, tufsign_error *err)
{
	*url = token_url(http, c, scope, cred);
	*basic = cred->username != NULL ? tf_basic_authorization(cred) : NULL;
	if (*url == NULL || (cred->username != NULL && *basic == NULL))
		return tufsign_error_set(err, TUFSIGN_ERR_NOMEM,
					 "out of memory requesting a token");
	req->method = "GET";
	req->url = *url;
	req->authorization = *basic;
	return TUFSIGN_OK;
}

/* Set req up as the POST of the OAuth2 refresh grant with the identity
 * token. *body receives the form, a secret. A refresh token the service
 * returns is not kept: the docker CLI does not store one either. */
static tufsign_status prepare_refresh_grant(tf_http *http, const tf_challenge *c, const char *scope,
					    const tf_credentials *cred, tf_http_request *req,
					    char **body, tufsign_error *err)
{
	*body = refresh_grant_body(http->curl, c, scope, cred->identity_token);
	if (*body == NULL)
		return tufsign_error_set(err, TUFSIGN_ERR_NOMEM,
					 "out of memory requesting a token");
	req->method = "POST";
	req->url = c->realm;
	req->content_type = "application/x-www-form-urlencoded";
	req->body = (const unsigned char *)*body;
	req->body_len = strlen(*body);
	return TUFSIGN_OK;
}

/* Turn the token service's response into a token or an error. */
static tufsign_status take_token_response(const tf_http_response *resp, const tf_challenge *c,
					  const tf_credentials *cred, char **token, long *lifetime,
					  tufsign_error *err)
{
	long status = resp->status;

	if (cred->identity_token != NULL && (status == 400 || status == 401 || status == 403))
		return report_rejected_identity_token(err, c, cred, status);
	if (status == 401 || status == 403)
		return report_rejected(err, c, cred, status);
	if (status != 200)
		return tf_server_error(err, "token request", status, resp->body, resp->len);
	return parse_token_response(resp, c->realm, token, lifetime, err);
}

tufsign_status tf_token_fetch(tf_http *http, const tf_challenge *c, const char *scope,
			      const tf_credentials *cred, char **token, long *lifetime,
			      tufsign_error *err)
{
	tufsign_status st;
	tf_http_request req = {.max_len = TOKEN_RESPONSE_MAX, .retry = 1};
	tf_http_response resp = {0};
	char *url = NULL, *basic = NULL, *body = NULL;

	*token = NULL;
	*lifetime = 0;
	if (strncasecmp(c->realm, "https://", 8) != 0 &&
	    !(http->allow_plain_http && strncasecmp(c->realm, "http://", 7) == 0))
		return tufsign_error_set(err, TUFSIGN_ERR_AUTH,
					 "the token service '%s' does not use https; credentials "
					 "are only sent over TLS",
					 c->realm);
	if (cred->identity_token != NULL) {
		st = prepare_refresh_grant(http, c, scope, cred, &req, &body, err);
		TF_DEBUG("http",
			 "requesting a token for '%s' from '%s' with the identity token from %s",
			 scope, c->realm, cred->source);
	} else {
		st = prepare_get(http, c, scope, cred, &req, &url, &basic, err);
		TF_DEBUG("http", "requesting a token for '%s' from '%s' as %s", scope, c->realm,
			 cred->username ? cred->username : "anonymous");
	}
	if (st == TUFSIGN_OK)
		st = tf_http_perform(http, &req, &resp, err);
	if (st == TUFSIGN_OK)
		st = take_token_response(&resp, c, cred, token, lifetime, err);
	if (resp.body != NULL)
		tf_wipe(resp.body, resp.len);
	tf_http_response_release(&resp);
	tf_free_secret(basic);
	tf_free_secret(body);
	free(url);
	return st;
}
