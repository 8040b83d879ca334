/* WWW-Authenticate challenges (RFC 7235) and the Docker registry token
 * request: GET <realm>?service=..&scope=..[&account=user], with Basic
 * authentication when credentials exist. */
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

tufsign_status tf_token_fetch(tf_http *http, const tf_challenge *c, const char *scope,
			      const tf_credentials *cred, char **token, long *lifetime,
			      tufsign_error *err)
{
	tufsign_status st;
	tf_http_request req = {.method = "GET", .max_len = TOKEN_RESPONSE_MAX, .retry = 1};
	tf_http_response resp = {0};
	char *url = NULL, *basic = NULL;

	*token = NULL;
	*lifetime = 0;
	if (strncasecmp(c->realm, "https://", 8) != 0 &&
	    !(http->allow_plain_http && strncasecmp(c->realm, "http://", 7) == 0))
		return tufsign_error_set(err, TUFSIGN_ERR_AUTH,
					 "the token service '%s' does not use https; credentials "
					 "are only sent over TLS",
					 c->realm);
	url = token_url(http, c, scope, cred);
	basic = cred->username != NULL ? tf_basic_authorization(cred) : NULL;
	if (url == NULL || (cred->username != NULL && basic == NULL)) {
		st = tufsign_error_set(err, TUFSIGN_ERR_NOMEM, "out of memory requesting a token");
		goto out;
	}
	req.url = url;
	req.authorization = basic;
	TF_DEBUG("http", "requesting a token for '%s' from '%s' as %s", scope, c->realm,
		 cred->username ? cred->username : "anonymous");
	st = tf_http_perform(http, &req, &resp, err);
	if (st != TUFSIGN_OK)
		goto out;
	if (resp.status == 401 || resp.status == 403)
		st = report_rejected(err, c, cred, resp.status);
	else if (resp.status != 200)
		st = tf_server_error(err, "token request", resp.status, resp.body, resp.len);
	else
		st = parse_token_response(&resp, c->realm, token, lifetime, err);
out:
	if (resp.body != NULL)
		tf_wipe(resp.body, resp.len);
	tf_http_response_release(&resp);
	tf_free_secret(basic);
	free(url);
	return st;
}
