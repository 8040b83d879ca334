/* Registry credentials: NOTARY_AUTH and the docker config file, with the
 * credential helpers it names. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "net/net.h"

/* Docker config files are small; this only bounds a broken one. */
#define DOCKER_CONFIG_MAX ((size_t)4 << 20)
/* Time a credential helper may take unless TUFSIGN_CREDENTIAL_HELPER_TIMEOUT
 * sets it. Keychains that wait for an unlock or a touch need seconds. */
#define HELPER_TIMEOUT_DEFAULT_S 30L
#define HELPER_TIMEOUT_MAX_S     3600L

void tf_credentials_release(tf_credentials *cred)
{
	if (cred == NULL)
		return;
	tf_free_secret(cred->username);
	tf_free_secret(cred->password);
	tf_free_secret(cred->identity_token);
	memset(cred, 0, sizeof(*cred));
}

tufsign_status tf_credentials_set_identity_token(tf_credentials *out, const char *identity_token,
						 const char *source, tufsign_error *err)
{
	out->username = tf_strdup(IDENTITY_TOKEN_USERNAME);
	out->identity_token = tf_strdup(identity_token);
	snprintf(out->source, sizeof(out->source), "%s", source);
	if (out->username == NULL || out->identity_token == NULL) {
		tf_credentials_release(out);
		return tufsign_error_set(err, TUFSIGN_ERR_NOMEM,
					 "out of memory reading credentials");
	}
	return TUFSIGN_OK;
}

char *tf_registry_host(const char *gun)
{
	const char *slash = strchr(gun, '/');
	size_t n = slash ? (size_t)(slash - gun) : strlen(gun);

	/* Docker's rule: a first segment without '.' or ':' that is not
	 * "localhost" is a Docker Hub namespace, not a host. */
	if (slash == NULL || (memchr(gun, '.', n) == NULL && memchr(gun, ':', n) == NULL &&
			      !(n == 9 && strncmp(gun, "localhost", 9) == 0)))
		return tf_strdup("docker.io");
	return tf_strndup(gun, n);
}

tufsign_status tf_credentials_from_auth(const char *b64, const char *source, tf_credentials *out,
					tufsign_error *err)
{
	tufsign_status st = TUFSIGN_OK;
	unsigned char *plain = NULL;
	size_t len = 0;
	int bad = 0;
	char *colon;

	memset(out, 0, sizeof(*out));
	plain = tf_base64_decode(b64, strlen(b64), &len, &bad);
	if (plain == NULL && !bad) {
		st = tufsign_error_set(err, TUFSIGN_ERR_NOMEM, "out of memory reading credentials");
		goto out;
	}
	if (plain == NULL) {
		st = tufsign_error_set(err, TUFSIGN_ERR_INVALID_ARGUMENT,
				       "invalid credentials in %s: not base64 of 'user:password'",
				       source);
		goto out;
	}
	plain[len] = '\0';
	colon = memchr(plain, ':', len);
	if (colon == NULL || colon == (char *)plain || strlen((char *)plain) != len) {
		st = tufsign_error_set(err, TUFSIGN_ERR_INVALID_ARGUMENT,
				       "invalid credentials in %s: expected base64 of "
				       "'user:password'",
				       source);
		goto out;
	}
	*colon = '\0';
	out->username = tf_strdup((char *)plain);
	out->password = tf_strdup(colon + 1);
	snprintf(out->source, sizeof(out->source), "%s", source);
	if (out->username == NULL || out->password == NULL) {
		tf_credentials_release(out);
		st = tufsign_error_set(err, TUFSIGN_ERR_NOMEM, "out of memory reading credentials");
	}
out:
	tf_free_wiped(plain, len);
	return st;
}

/* Compare a key of "auths" ("host", "https://host", "https://host/v1/")
 * with a registry host. */
static int auth_key_matches(const char *key, const char *host)
{
	const char *p = key;
	size_t n;

	if (strncasecmp(p, "https://", 8) == 0)
		p += 8;
	else if (strncasecmp(p, "http://", 7) == 0)
		p += 7;
	n = strcspn(p, "/");
	if (strlen(host) == n && strncasecmp(p, host, n) == 0)
		return 1;
	if (strcmp(host, "docker.io") == 0)
		return (n == 15 && strncasecmp(p, "index.docker.io", 15) == 0) ||
		       (n == 20 && strncasecmp(p, "registry-1.docker.io", 20) == 0);
	return 0;
}

static tufsign_status credentials_from_entry(json_t *entry, const char *source, tf_credentials *out,
					     tufsign_error *err)
{
	const char *auth = json_string_value(json_object_get(entry, "auth"));
	const char *user = json_string_value(json_object_get(entry, "username"));
	const char *pass = json_string_value(json_object_get(entry, "password"));
	const char *identity_token = json_string_value(json_object_get(entry, "identitytoken"));
	tufsign_status st;

	/* The docker CLI writes an identity token here when no credential
	 * helper is configured, and sends it in place of auth. */
	if (identity_token != NULL && identity_token[0] != '\0') {
		st = tf_credentials_set_identity_token(out, identity_token, source, err);
		out->from_docker_config = st == TUFSIGN_OK;
		return st;
	}
	if (auth != NULL && auth[0] != '\0') {
		st = tf_credentials_from_auth(auth, source, out, err);
		out->from_docker_config = st == TUFSIGN_OK;
		return st;
	}
	if (user == NULL || user[0] == '\0')
		return TUFSIGN_OK;
	out->username = tf_strdup(user);
	out->password = tf_strdup(pass ? pass : "");
	snprintf(out->source, sizeof(out->source), "%s", source);
	out->from_docker_config = 1;
	if (out->username == NULL || out->password == NULL) {
		tf_credentials_release(out);
		return tufsign_error_set(err, TUFSIGN_ERR_NOMEM,
					 "out of memory reading credentials");
	}
	return TUFSIGN_OK;
}

static char *docker_config_path(const char *given)
{
	const char *dir = getenv("DOCKER_CONFIG");
	const char *home = getenv("HOME");

	if (given != NULL)
		return tf_strdup(given);
	if (dir != NULL && dir[0] != '\0')
		return tf_asprintf("%s/config.json", dir);
	if (home != NULL && home[0] != '\0')
		return tf_asprintf("%s/.docker/config.json", home);
	return NULL;
}

/* The key under which the docker CLI stores the credentials of a registry
 * host: the host itself, or "https://index.docker.io/v1/" for Docker Hub. */
static const char *docker_server_key(const char *host)
{
	if (strcmp(host, "docker.io") == 0 || strcmp(host, "index.docker.io") == 0)
		return "https://index.docker.io/v1/";
	return host;
}

/* The credential helper for server as the docker CLI picks it:
 * credHelpers[server], compared exactly, wins over credsStore, and an empty
 * name there means the file itself. *member names the member that decided.
 * Returns NULL when no helper applies. */
static const char *configured_helper(json_t *doc, const char *server, const char **member)
{
	json_t *named = json_object_get(json_object_get(doc, "credHelpers"), server);
	const char *store = json_string_value(json_object_get(doc, "credsStore"));
	const char *name;

	/* The docker CLI decodes a null member as an empty name. */
	if (named != NULL) {
		*member = "credHelpers";
		name = json_string_value(named);
	} else {
		*member = "credsStore";
		name = store;
	}
	return name != NULL && name[0] != '\0' ? name : NULL;
}

static tufsign_status helper_timeout(long *timeout_ms, tufsign_error *err)
{
	const char *value = getenv("TUFSIGN_CREDENTIAL_HELPER_TIMEOUT");
	char *end = NULL;
	long seconds;

	*timeout_ms = HELPER_TIMEOUT_DEFAULT_S * 1000;
	if (value == NULL || value[0] == '\0')
		return TUFSIGN_OK;
	errno = 0;
	seconds = strtol(value, &end, 10);
	if (errno != 0 || *end != '\0' || seconds < 1 || seconds > HELPER_TIMEOUT_MAX_S)
		return tufsign_error_set(err, TUFSIGN_ERR_INVALID_ARGUMENT,
					 "invalid TUFSIGN_CREDENTIAL_HELPER_TIMEOUT '%.40s': "
					 "expected whole seconds from 1 to %ld",
					 value, HELPER_TIMEOUT_MAX_S);
	*timeout_ms = seconds * 1000;
	return TUFSIGN_OK;
}

/* Ask the helper the config file names for server. As in the docker CLI, a
 * helper that has no credentials means anonymous access: the "auths"
 * entries of the file are not consulted then. Unlike the docker CLI, which
 * goes on anonymously, a failing helper is an error. */
static tufsign_status lookup_helper(const char *path, const char *helper, const char *member,
				    const char *server, tf_credentials *out, tufsign_error *err)
{
	tufsign_status st;
	tf_helper_request req = {.helper = helper, .server = server};
	char *setting = tf_asprintf("%s in '%s'", member, path);

	if (setting == NULL)
		return tufsign_error_set(err, TUFSIGN_ERR_NOMEM,
					 "out of memory reading credentials");
	req.setting = setting;
	st = helper_timeout(&req.timeout_ms, err);
	if (st == TUFSIGN_OK)
		st = tf_credential_helper_get(&req, out, err);
	if (st == TUFSIGN_OK && out->username != NULL)
		out->from_docker_config = 1;
	else if (st == TUFSIGN_OK)
		snprintf(out->missing, sizeof(out->missing),
			 "the credential helper 'docker-credential-%s' (%s) has no credentials "
			 "for "
			 "'%s'",
			 helper, setting, server);
	free(setting);
	return st;
}

/* Return the JSON type of value as a message names it, e.g. "a number". */
static const char *json_type_name(const json_t *value)
{
	switch (json_typeof(value)) {
	case JSON_OBJECT:
		return "an object";
	case JSON_ARRAY:
		return "an array";
	case JSON_STRING:
		return "a string";
	case JSON_INTEGER:
	case JSON_REAL:
		return "a number";
	case JSON_TRUE:
	case JSON_FALSE:
		return "a boolean";
	default:
		return "null";
	}
}

/* The fix for an invalid docker config file at a path the caller gave, or
 * at the default path. */
static const char *config_fix(int path_given)
{
	return path_given ? "fix the file" : "fix the file or point DOCKER_CONFIG elsewhere";
}

/* Check that value, named by what, is null or of type want ("a string" or
 * "an object"). Null counts as absent, as in the docker CLI. */
static tufsign_status check_type(const json_t *value, const char *want, const char *what,
				 const char *path, int path_given, tufsign_error *err)
{
	if (value == NULL || json_is_null(value) || strcmp(json_type_name(value), want) == 0)
		return TUFSIGN_OK;
	return tufsign_error_set(err, TUFSIGN_ERR_INVALID_ARGUMENT,
				 "invalid docker config '%s': %s must be %s, not %s; %s", path,
				 what, want, json_type_name(value), config_fix(path_given));
}

/* Check the members of an "auths" entry that tufsign reads. */
static tufsign_status check_auths_entry(const char *key, json_t *entry, const char *path,
					int path_given, tufsign_error *err)
{
	static const char *const members[] = {"auth", "username", "password", "identitytoken"};
	tufsign_status st;
	char what[320];
	size_t i;

	snprintf(what, sizeof(what), "auths member '%.200s'", key);
	st = check_type(entry, "an object", what, path, path_given, err);
	for (i = 0; st == TUFSIGN_OK && i < TF_ARRAY_LEN(members); i++) {
		snprintf(what, sizeof(what), "%s of auths member '%.200s'", members[i], key);
		st = check_type(json_object_get(entry, members[i]), "a string", what, path,
				path_given, err);
	}
	return st;
}

/* Reject a config file whose credsStore, credHelpers or auths have a type
 * the docker CLI does not decode, rather than skip them: a skipped helper
 * would send the request without credentials, or with others. */
static tufsign_status check_docker_config(json_t *doc, const char *path, int path_given,
					  tufsign_error *err)
{
	json_t *helpers = json_object_get(doc, "credHelpers");
	json_t *auths = json_object_get(doc, "auths");
	tufsign_status st;
	const char *key;
	json_t *value;
	char what[320];

	st = check_type(json_object_get(doc, "credsStore"), "a string", "credsStore", path,
			path_given, err);
	if (st == TUFSIGN_OK)
		st = check_type(helpers, "an object", "credHelpers", path, path_given, err);
	if (st == TUFSIGN_OK)
		st = check_type(auths, "an object", "auths", path, path_given, err);
	json_object_foreach(json_is_object(helpers) ? helpers : NULL, key, value)
	{
		snprintf(what, sizeof(what), "credHelpers member '%.200s'", key);
		if (st == TUFSIGN_OK)
			st = check_type(value, "a string", what, path, path_given, err);
	}
	json_object_foreach(json_is_object(auths) ? auths : NULL, key, value)
	{
		if (st == TUFSIGN_OK)
			st = check_auths_entry(key, value, path, path_given, err);
	}
	return st;
}

/* Whether text is empty or white space only, which the docker CLI reads as
 * a config file without settings. */
static int blank(const unsigned char *text, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		if (strchr(" \t\r\n", text[i]) == NULL || text[i] == '\0')
			return 0;
	}
	return 1;
}

/* Parse the docker config file text into *doc, which stays NULL for a
 * blank file. */
static tufsign_status parse_docker_config(const unsigned char *text, size_t len, const char *path,
					  int path_given, json_t **doc, tufsign_error *err)
{
	json_error_t error;
	char *near = NULL;

	*doc = NULL;
	if (blank(text, len))
		return TUFSIGN_OK;
	*doc = json_loadb((const char *)text, len, 0, &error);
	if (*doc == NULL) {
		/* jansson quotes the text at the error, which may be part of a
		 * stored password, so the quote is cut off. */
		near = strstr(error.text, " near '");
		if (near != NULL)
			*near = '\0';
		return tufsign_error_set(
			err, TUFSIGN_ERR_INVALID_ARGUMENT,
			"invalid docker config '%s': JSON syntax error at line %d, "
			"column %d: %s; %s",
			path, error.line, error.column, error.text, config_fix(path_given));
	}
	if (!json_is_object(*doc))
		return tufsign_error_set(err, TUFSIGN_ERR_INVALID_ARGUMENT,
					 "invalid docker config '%s': expected a JSON object, not "
					 "%s; %s",
					 path, json_type_name(*doc), config_fix(path_given));
	return check_docker_config(*doc, path, path_given, err);
}

static tufsign_status lookup_docker_config(const char *path, int path_given, const char *host,
					   tf_credentials *out, tufsign_error *err)
{
	tufsign_status st;
	unsigned char *text = NULL;
	size_t len = 0;
	json_t *doc = NULL, *entry;
	const char *key, *helper, *member = NULL;
	const char *server = docker_server_key(host);
	tufsign_error read_err;
	char *source = NULL;

	tufsign_error_clear(&read_err);
	st = tf_read_file(path, DOCKER_CONFIG_MAX, &text, &len, &read_err);
	if (st != TUFSIGN_OK) {
		/* A missing or unreadable file just means no credentials. */
		TF_DEBUG("http", "no credentials from docker config: %s", read_err.message);
		st = TUFSIGN_OK;
		goto out;
	}
	st = parse_docker_config(text, len, path, path_given, &doc, err);
	if (st != TUFSIGN_OK || doc == NULL)
		goto out;
	helper = configured_helper(doc, server, &member);
	if (helper != NULL) {
		st = lookup_helper(path, helper, member, server, out, err);
		goto out;
	}
	source = tf_asprintf("the docker config '%s'", path);
	if (source == NULL) {
		st = tufsign_error_set(err, TUFSIGN_ERR_NOMEM, "out of memory reading credentials");
		goto out;
	}
	json_object_foreach(json_object_get(doc, "auths"), key, entry)
	{
		if (auth_key_matches(key, host)) {
			st = credentials_from_entry(entry, source, out, err);
			goto out;
		}
	}
	snprintf(out->missing, sizeof(out->missing), "%s has no credentials for '%s'", source,
		 host);
	TF_DEBUG("http", "%s", out->missing);
out:
	free(source);
	json_decref(doc);
	tf_free_wiped(text, len);
	return st;
}

tufsign_status tf_credentials_lookup(const char *gun, const char *docker_config,
				     tf_credentials *out, tufsign_error *err)
{
	tufsign_status st = TUFSIGN_OK;
	const char *notary_auth = getenv("NOTARY_AUTH");
	char *host = NULL, *path = NULL;

	memset(out, 0, sizeof(*out));
	if (notary_auth != NULL && notary_auth[0] != '\0')
		return tf_credentials_from_auth(notary_auth, "NOTARY_AUTH", out, err);
	host = tf_registry_host(gun);
	path = docker_config_path(docker_config);
	if (host == NULL) {
		st = tufsign_error_set(err, TUFSIGN_ERR_NOMEM, "out of memory reading credentials");
		goto out;
	}
	if (path != NULL)
		st = lookup_docker_config(path, docker_config != NULL, host, out, err);
	if (st == TUFSIGN_OK && out->username != NULL)
		TF_DEBUG("http", "using credentials of user '%s' for '%s' from %s", out->username,
			 host, out->source);
out:
	free(host);
	free(path);
	return st;
}

char *tf_basic_authorization(const tf_credentials *cred)
{
	char *plain = tf_asprintf("%s:%s", cred->username, cred->password ? cred->password : "");
	char *b64 = plain ? tf_base64_encode((unsigned char *)plain, strlen(plain)) : NULL;
	char *header = b64 ? tf_asprintf("Basic %s", b64) : NULL;

	tf_free_secret(plain);
	tf_free_secret(b64);
	return header;
}
