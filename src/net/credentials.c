/* Registry credentials: NOTARY_AUTH and the docker config file. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "net/net.h"

/* Docker config files are small; this only bounds a broken one. */
#define DOCKER_CONFIG_MAX ((size_t)4 << 20)

void tf_credentials_release(tf_credentials *cred)
{
	if (cred == NULL)
		return;
	tf_free_secret(cred->username);
	tf_free_secret(cred->password);
	memset(cred, 0, sizeof(*cred));
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

	if (auth != NULL && auth[0] != '\0')
		return tf_credentials_from_auth(auth, source, out, err);
	if (user == NULL || user[0] == '\0')
		return TUFSIGN_OK;
	out->username = tf_strdup(user);
	out->password = tf_strdup(pass ? pass : "");
	snprintf(out->source, sizeof(out->source), "%s", source);
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

static tufsign_status lookup_docker_config(const char *path, const char *host, tf_credentials *out,
					   tufsign_error *err)
{
	tufsign_status st;
	unsigned char *text = NULL;
	size_t len = 0;
	json_t *doc = NULL, *entry;
	const char *key;
	tufsign_error read_err;

	tufsign_error_clear(&read_err);
	st = tf_read_file(path, DOCKER_CONFIG_MAX, &text, &len, &read_err);
	if (st != TUFSIGN_OK) {
		/* A missing or unreadable file just means no credentials. */
		TF_DEBUG("http", "no credentials from docker config: %s", read_err.message);
		st = TUFSIGN_OK;
		goto out;
	}
	doc = json_loadb((const char *)text, len, 0, NULL);
	if (!json_is_object(doc)) {
		st = tufsign_error_set(err, TUFSIGN_ERR_JSON,
				       "invalid docker config '%s': not a JSON object", path);
		goto out;
	}
	json_object_foreach(json_object_get(doc, "auths"), key, entry)
	{
		if (auth_key_matches(key, host)) {
			st = credentials_from_entry(entry, "the docker config", out, err);
			goto out;
		}
	}
	/* NOTE: credential helpers ("credsStore", "credHelpers") are not
	 * run; only entries stored in the file itself are used. */
	TF_DEBUG("http", "docker config '%s' has no credentials for '%s'", path, host);
out:
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
		st = lookup_docker_config(path, host, out, err);
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
