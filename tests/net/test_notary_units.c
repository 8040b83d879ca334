/* Unit tests of the Notary client parts that need no server: URL checks,
 * challenge parsing, server error decoding and credential lookup. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "internal.h"
#include "net/net.h"
#include "tufsign/notary.h"

static tufsign_status new_client(const char *url, int insecure, tufsign_error *err)
{
	tufsign_notary_config cfg;
	tufsign_notary *client = NULL;
	tufsign_status st;

	tufsign_notary_config_init(&cfg);
	cfg.url = url;
	cfg.insecure_plain_http = insecure;
	tufsign_error_clear(err);
	st = tufsign_notary_new(&cfg, &client, err);
	assert_true((st == TUFSIGN_OK) == (client != NULL));
	tufsign_notary_free(client);
	return st;
}

static void test_client_url_checks(void **state)
{
	tufsign_error err;

	(void)state;
	assert_int_equal(new_client("https://notary.example:4443/", 0, &err), TUFSIGN_OK);
	assert_int_equal(new_client("HTTPS://notary.example", 0, &err), TUFSIGN_OK);
	assert_int_equal(new_client("http://127.0.0.1:4443", 0, &err), TUFSIGN_ERR_URI);
	assert_string_equal(err.message,
			    "the server URL 'http://127.0.0.1:4443' uses plain http, which sends "
			    "everything unencrypted and unauthenticated; use https, or "
			    "--insecure-plain-http for a test server");
	assert_int_equal(new_client("http://127.0.0.1:4443", 1, &err), TUFSIGN_OK);
	assert_int_equal(new_client("ftp://notary.example", 1, &err), TUFSIGN_ERR_URI);
	assert_int_equal(new_client("https://", 0, &err), TUFSIGN_ERR_URI);
	assert_int_equal(new_client("https://a b", 0, &err), TUFSIGN_ERR_URI);
	assert_int_equal(new_client(NULL, 0, &err), TUFSIGN_ERR_URI);
	assert_int_equal(new_client("https://ci:s3cret@notary.example/", 0, &err), TUFSIGN_ERR_URI);
	assert_null(strstr(err.message, "s3cret"));
	assert_non_null(strstr(err.message, "contains a user name or password"));
	assert_int_equal(new_client("https://notary.example/v2?a=b@c", 0, &err), TUFSIGN_ERR_URI);
	assert_null(strstr(err.message, "user name or password"));
}

static void test_challenge_bearer(void **state)
{
	tf_challenge c;
	tufsign_error err;

	(void)state;
	tufsign_error_clear(&err);
	assert_int_equal(tf_challenge_parse("Bearer realm=\"https://auth.example/token\","
					    "service=\"notary-server\","
					    "scope=\"repository:a.example/x:push,pull\","
					    "error=\"insufficient_scope\"",
					    &c, &err),
			 TUFSIGN_OK);
	assert_int_equal(c.bearer, 1);
	assert_string_equal(c.realm, "https://auth.example/token");
	assert_string_equal(c.service, "notary-server");
	assert_string_equal(c.scope, "repository:a.example/x:push,pull");
	assert_string_equal(c.error, "insufficient_scope");
	tf_challenge_release(&c);

	assert_int_equal(tf_challenge_parse("bearer realm=https://r.example/t , service=\"a\\\"b\"",
					    &c, &err),
			 TUFSIGN_OK);
	assert_string_equal(c.realm, "https://r.example/t");
	assert_string_equal(c.service, "a\"b");
	assert_null(c.scope);
	tf_challenge_release(&c);
}

static void test_challenge_basic_and_bad(void **state)
{
	tf_challenge c;
	tufsign_error err;

	(void)state;
	tufsign_error_clear(&err);
	assert_int_equal(tf_challenge_parse("Basic realm=\"proxy\"", &c, &err), TUFSIGN_OK);
	assert_int_equal(c.bearer, 0);
	assert_string_equal(c.realm, "proxy");
	tf_challenge_release(&c);

	assert_int_equal(tf_challenge_parse("Digest realm=\"x\"", &c, &err),
			 TUFSIGN_ERR_UNSUPPORTED);
	tufsign_error_clear(&err);
	assert_int_equal(tf_challenge_parse("Bearer realm=\"unterminated", &c, &err),
			 TUFSIGN_ERR_AUTH);
	tufsign_error_clear(&err);
	assert_int_equal(tf_challenge_parse("Bearer service=\"no realm\"", &c, &err),
			 TUFSIGN_ERR_AUTH);
	assert_string_equal(err.message,
			    "malformed authentication challenge 'Bearer service=\"no realm\"'");
}

static tufsign_status decode(long status, const char *body, tufsign_error *err)
{
	tufsign_error_clear(err);
	return tf_server_error(err, "upload to 'a.example/x'", status, (const unsigned char *)body,
			       strlen(body));
}

static void test_server_error_decoding(void **state)
{
	tufsign_error err;

	(void)state;
	assert_int_equal(decode(400,
				"{\"errors\":[{\"code\":\"VERSION\",\"message\":\"A newer version "
				"of metadata is already available.\",\"detail\":{}}]}",
				&err),
			 TUFSIGN_ERR_CONFLICT);
	assert_string_equal(err.message,
			    "upload to 'a.example/x' failed: HTTP 400 VERSION: A newer version of "
			    "metadata is already available; another publisher changed the "
			    "repository first: fetch it again and retry");

	assert_int_equal(decode(400,
				"{\"errors\":[{\"code\":\"INVALID_UPDATE\",\"message\":\"Update "
				"sent by the client is invalid.\",\"detail\":{\"Name\":"
				"\"ErrBadHierarchy\",\"Missing\":\"snapshot\",\"Error\":{\"Msg\":"
				"\"no snapshot was included\"}}}]}",
				&err),
			 TUFSIGN_ERR_SERVER);
	assert_string_equal(err.message,
			    "upload to 'a.example/x' failed: HTTP 400 INVALID_UPDATE: Update sent "
			    "by the client is invalid: ErrBadHierarchy: no snapshot was included "
			    "(missing snapshot)");

	assert_int_equal(decode(400,
				"{\"errors\":[{\"code\":\"INVALID_ROLE\",\"message\":\"The role "
				"is not valid.\",\"detail\":\"foo\"}]}",
				&err),
			 TUFSIGN_ERR_SERVER);
	assert_string_equal(err.message, "upload to 'a.example/x' failed: HTTP 400 INVALID_ROLE: "
					 "The role is not valid: foo");

	assert_int_equal(decode(401, "{\"errors\":[{\"code\":\"UNAUTHORIZED\"}]}", &err),
			 TUFSIGN_ERR_AUTH);
	assert_int_equal(decode(404, "{\"errors\":[{\"code\":\"METADATA_NOT_FOUND\"}]}", &err),
			 TUFSIGN_ERR_NOT_FOUND);
	assert_int_equal(decode(502, "<html>Bad\nGateway</html>", &err), TUFSIGN_ERR_SERVER);
	assert_string_equal(err.message,
			    "upload to 'a.example/x' failed: HTTP 502: <html>Bad?Gateway</html>");
}

static void test_registry_host(void **state)
{
	static const char *const cases[][2] = {
		{"registry.example/team/app", "registry.example"},
		{"reg.example:5000/org/app", "reg.example:5000"},
		{"localhost/app", "localhost"},
		{"127.0.0.1:5000/app", "127.0.0.1:5000"},
		{"library/alpine", "docker.io"},
		{"alpine", "docker.io"},
		{"docker.io/library/alpine", "docker.io"},
	};
	size_t i;

	(void)state;
	for (i = 0; i < TF_ARRAY_LEN(cases); i++) {
		char *host = tf_registry_host(cases[i][0]);

		assert_string_equal(host, cases[i][1]);
		free(host);
	}
}

/* Write a docker config file into a temp dir; returns its path. */
static char *write_docker_config(const char *json)
{
	char *path = tf_strdup("/tmp/tufsign-docker-config-XXXXXX");
	int fd;

	assert_non_null(path);
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, json, strlen(json)), (ssize_t)strlen(json));
	close(fd);
	return path;
}

static void test_credentials_sources(void **state)
{
	tf_credentials cred;
	tufsign_error err;
	char *expected = NULL;
	char *path = write_docker_config(
		"{\"auths\":{\"https://index.docker.io/v1/\":{\"auth\":\"aHViOmh1Yi1wYXNz\"},"
		"\"registry.example\":{\"username\":\"ci\",\"password\":\"p:w\"},"
		"\"https://other.example/v2/\":{\"auth\":\"b3RoZXI6c2VjcmV0\"}}}");

	(void)state;
	tufsign_error_clear(&err);
	unsetenv("NOTARY_AUTH");
	assert_int_equal(tf_credentials_lookup("registry.example/a/b", path, &cred, &err),
			 TUFSIGN_OK);
	assert_string_equal(cred.username, "ci");
	assert_string_equal(cred.password, "p:w");
	expected = tf_asprintf("the docker config '%s'", path);
	assert_string_equal(cred.source, expected);
	free(expected);
	tf_credentials_release(&cred);

	assert_int_equal(tf_credentials_lookup("library/alpine", path, &cred, &err), TUFSIGN_OK);
	assert_string_equal(cred.username, "hub");
	assert_string_equal(cred.password, "hub-pass");
	tf_credentials_release(&cred);

	assert_int_equal(tf_credentials_lookup("other.example/x", path, &cred, &err), TUFSIGN_OK);
	assert_string_equal(cred.username, "other");
	tf_credentials_release(&cred);

	assert_int_equal(tf_credentials_lookup("unknown.example/x", path, &cred, &err), TUFSIGN_OK);
	assert_null(cred.username);
	expected = tf_asprintf("the docker config '%s' has no credentials for 'unknown.example'",
			       path);
	assert_string_equal(cred.missing, expected);
	free(expected);

	/* NOTARY_AUTH wins over the docker config; the password may hold ':'. */
	setenv("NOTARY_AUTH", "dXNlcjpwYTpzcw==", 1);
	assert_int_equal(tf_credentials_lookup("registry.example/a/b", path, &cred, &err),
			 TUFSIGN_OK);
	assert_string_equal(cred.username, "user");
	assert_string_equal(cred.password, "pa:ss");
	assert_string_equal(cred.source, "NOTARY_AUTH");
	tf_credentials_release(&cred);

	setenv("NOTARY_AUTH", "not base64!", 1);
	assert_int_equal(tf_credentials_lookup("registry.example/a/b", path, &cred, &err),
			 TUFSIGN_ERR_INVALID_ARGUMENT);
	assert_string_equal(err.message,
			    "invalid credentials in NOTARY_AUTH: not base64 of 'user:password'");
	unsetenv("NOTARY_AUTH");

	unlink(path);
	free(path);
}

static void test_basic_authorization(void **state)
{
	tf_credentials cred = {.username = (char *)"ci", .password = (char *)"secret"};
	char *header = tf_basic_authorization(&cred);

	(void)state;
	assert_string_equal(header, "Basic Y2k6c2VjcmV0");
	free(header);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_client_url_checks),
		cmocka_unit_test(test_challenge_bearer),
		cmocka_unit_test(test_challenge_basic_and_bad),
		cmocka_unit_test(test_server_error_decoding),
		cmocka_unit_test(test_registry_host),
		cmocka_unit_test(test_credentials_sources),
		cmocka_unit_test(test_basic_authorization),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
