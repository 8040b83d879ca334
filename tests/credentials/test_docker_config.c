/* Unit test of how the docker config picks credentials for a GUN: the
 * server key of each host form, credHelpers against credsStore against
 * auths. The helpers are shell scripts that return the key they were sent,
 * so each case shows which helper ran and with which key. */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "internal.h"
#include "net/net.h"

typedef struct lookup_case {
	const char *gun;
	const char *config;
	const char *username; /* NULL: no credentials */
	const char *source;
} lookup_case;

/* "Y2k6cHc=" is base64 of "ci:pw". */
static const lookup_case cases[] = {
	{"registry.example/a/b", "{\"credsStore\": \"alpha\"}", "alpha|registry.example",
	 "credential helper 'docker-credential-alpha'"},
	{"registry.example/a/b",
	 "{\"credsStore\": \"alpha\", \"credHelpers\": {\"registry.example\": \"beta\"}}",
	 "beta|registry.example", "credential helper 'docker-credential-beta'"},
	{"registry.example/a/b",
	 "{\"credsStore\": \"alpha\", \"credHelpers\": {\"https://registry.example\": \"beta\"}}",
	 "alpha|registry.example", "credential helper 'docker-credential-alpha'"},
	{"registry.example:5000/a",
	 "{\"credsStore\": \"alpha\", \"credHelpers\": {\"registry.example\": \"beta\"}}",
	 "alpha|registry.example:5000", "credential helper 'docker-credential-alpha'"},
	{"localhost:5000/a", "{\"credHelpers\": {\"localhost:5000\": \"beta\"}}",
	 "beta|localhost:5000", "credential helper 'docker-credential-beta'"},
	{"registry.example/a/b",
	 "{\"credsStore\": \"alpha\", \"credHelpers\": {\"registry.example\": \"\"}, "
	 "\"auths\": {\"registry.example\": {\"auth\": \"Y2k6cHc=\"}}}",
	 "ci", "the docker config"},
	{"registry.example/a/b",
	 "{\"credsStore\": \"\", \"auths\": {\"registry.example\": {\"auth\": \"Y2k6cHc=\"}}}",
	 "ci", "the docker config"},
	/* A null credHelpers member is an empty name, as the docker CLI decodes it. */
	{"registry.example/a/b",
	 "{\"credsStore\": \"alpha\", \"credHelpers\": {\"registry.example\": null}, "
	 "\"auths\": {\"registry.example\": {\"auth\": \"Y2k6cHc=\"}}}",
	 "ci", "the docker config"},
	/* Null members count as absent; a blank file has no settings. */
	{"registry.example/a/b",
	 "{\"credsStore\": null, \"auths\": {\"registry.example\": {\"auth\": \"Y2k6cHc=\", "
	 "\"username\": null}}}",
	 "ci", "the docker config"},
	{"registry.example/a/b", " \n\t", NULL, NULL},
	/* A helper without credentials for the host: the auths entry is not used. */
	{"registry.example/a/b",
	 "{\"credsStore\": \"empty\", \"auths\": {\"registry.example\": {\"auth\": \"Y2k6cHc=\"}}}",
	 NULL, NULL},
	{"library/alpine", "{\"credHelpers\": {\"https://index.docker.io/v1/\": \"beta\"}}",
	 "beta|https://index.docker.io/v1/", "credential helper 'docker-credential-beta'"},
	{"docker.io/library/alpine", "{\"credsStore\": \"alpha\"}",
	 "alpha|https://index.docker.io/v1/", "credential helper 'docker-credential-alpha'"},
	{"index.docker.io/team/app", "{\"credsStore\": \"alpha\"}",
	 "alpha|https://index.docker.io/v1/", "credential helper 'docker-credential-alpha'"},
	{"library/alpine", "{\"credHelpers\": {\"docker.io\": \"beta\"}}", NULL, NULL},
};

static char helper_dir[] = "/tmp/tufsign-docker-config.XXXXXX";
static char *saved_path;

static void write_file(const char *name, const char *text, mode_t mode)
{
	char *path = tf_asprintf("%s/%s", helper_dir, name);
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	assert_int_equal(fputs(text, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(chmod(path, mode), 0);
	free(path);
}

/* A helper that returns "NAME|<key it was sent>" as its user name. */
static void write_echo_helper(const char *name)
{
	char *file = tf_asprintf("docker-credential-%s", name);
	char *script = tf_asprintf("#!/bin/sh\nkey=$(cat)\n"
				   "printf '{\"ServerURL\":\"%%s\",\"Username\":\"%s|%%s\","
				   "\"Secret\":\"s\"}\\n' \"$key\" \"$key\"\n",
				   name);

	write_file(file, script, 0755);
	free(script);
	free(file);
}

static int set_up(void **state)
{
	const char *path = getenv("PATH");
	char *new_path;

	(void)state;
	if (mkdtemp(helper_dir) == NULL)
		return -1;
	write_echo_helper("alpha");
	write_echo_helper("beta");
	/* The output of docker-credential-pass 0.6.4 for an unknown server. */
	write_file("docker-credential-empty",
		   "#!/bin/sh\ncat >/dev/null\n"
		   "echo '{\"ServerURL\":\"x\",\"Username\":\"\",\"Secret\":\"\"}'\n",
		   0755);
	saved_path = tf_strdup(path != NULL ? path : "/usr/bin:/bin");
	new_path = tf_asprintf("%s:%s", helper_dir, saved_path);
	setenv("PATH", new_path, 1);
	free(new_path);
	unsetenv("NOTARY_AUTH");
	unsetenv("TUFSIGN_CREDENTIAL_HELPER_TIMEOUT");
	return 0;
}

static int tear_down(void **state)
{
	const char *names[] = {"docker-credential-alpha", "docker-credential-beta",
			       "docker-credential-empty", "config.json"};
	size_t i;

	(void)state;
	for (i = 0; i < TF_ARRAY_LEN(names); i++) {
		char *path = tf_asprintf("%s/%s", helper_dir, names[i]);

		unlink(path);
		free(path);
	}
	rmdir(helper_dir);
	setenv("PATH", saved_path, 1);
	free(saved_path);
	return 0;
}

static void check_case(const lookup_case *c)
{
	char *config = tf_asprintf("%s/config.json", helper_dir);
	tf_credentials cred;
	tufsign_error err;
	tufsign_status st;

	write_file("config.json", c->config, 0600);
	tufsign_error_clear(&err);
	st = tf_credentials_lookup(c->gun, config, &cred, &err);
	if (st != TUFSIGN_OK)
		fail_msg("%s with %s: %s", c->gun, c->config, err.message);
	if (c->username == NULL) {
		if (cred.username != NULL)
			fail_msg("%s with %s: expected no credentials, got user '%s'", c->gun,
				 c->config, cred.username);
	} else {
		assert_non_null(cred.username);
		if (strcmp(cred.username, c->username) != 0)
			fail_msg("%s with %s: expected user '%s', got '%s'", c->gun, c->config,
				 c->username, cred.username);
		char *source = strcmp(c->source, "the docker config") == 0
				       ? tf_asprintf("the docker config '%s'", config)
				       : tf_strdup(c->source);

		assert_string_equal(cred.source, source);
		assert_string_equal(cred.password,
				    strcmp(c->source, "the docker config") == 0 ? "pw" : "s");
		assert_int_equal(cred.from_docker_config, 1);
		free(source);
	}
	tf_credentials_release(&cred);
	unlink(config);
	free(config);
}

static void test_config_precedence(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < TF_ARRAY_LEN(cases); i++)
		check_case(&cases[i]);
}

/* NOTARY_AUTH comes before the config file, so its helper is not run. */
static void test_notary_auth_first(void **state)
{
	char *config = tf_asprintf("%s/config.json", helper_dir);
	tf_credentials cred;
	tufsign_error err;

	(void)state;
	write_file("config.json", "{\"credsStore\": \"tufsign-test-missing\"}", 0600);
	tufsign_error_clear(&err);
	setenv("NOTARY_AUTH", "dXNlcjpwYXNz", 1);
	assert_int_equal(tf_credentials_lookup("registry.example/a", config, &cred, &err),
			 TUFSIGN_OK);
	assert_string_equal(cred.username, "user");
	assert_string_equal(cred.source, "NOTARY_AUTH");
	tf_credentials_release(&cred);
	unsetenv("NOTARY_AUTH");

	assert_int_equal(tf_credentials_lookup("registry.example/a", config, &cred, &err),
			 TUFSIGN_ERR_AUTH);
	assert_null(cred.username);
	assert_non_null(strstr(err.message, "'docker-credential-tufsign-test-missing'"));
	assert_non_null(strstr(err.message, "not found on PATH"));
	unlink(config);
	free(config);
}

typedef struct invalid_case {
	const char *config;
	const char *reason; /* the message after "invalid docker config 'PATH': " */
} invalid_case;

/* Files the docker CLI rejects: each is an error naming the field and the
 * type it needs. jansson's quote of the text at a syntax error is left out,
 * since it may be part of a stored password. */
static const invalid_case invalid_cases[] = {
	{"{\"credsStore\":",
	 "JSON syntax error at line 1, column 14: unexpected token near end of file"},
	{"{\"auths\": {\"r\": {\"auth\": \"c2VjcmV0",
	 "JSON syntax error at line 1, column 34: premature end of input"},
	{"[1]", "expected a JSON object, not an array"},
	{"{\"credsStore\": 5}", "credsStore must be a string, not a number"},
	{"{\"credsStore\": {}}", "credsStore must be a string, not an object"},
	{"{\"credHelpers\": [\"alpha\"]}", "credHelpers must be an object, not an array"},
	{"{\"credHelpers\": {\"registry.example\": true}}",
	 "credHelpers member 'registry.example' must be a string, not a boolean"},
	{"{\"credHelpers\": {\"other.example\": 1.5}}",
	 "credHelpers member 'other.example' must be a string, not a number"},
	{"{\"auths\": \"Y2k6cHc=\"}", "auths must be an object, not a string"},
	{"{\"auths\": {\"registry.example\": \"Y2k6cHc=\"}}",
	 "auths member 'registry.example' must be an object, not a string"},
	{"{\"auths\": {\"registry.example\": {\"auth\": 5}}}",
	 "auth of auths member 'registry.example' must be a string, not a number"},
	{"{\"auths\": {\"registry.example\": {\"username\": [\"ci\"]}}}",
	 "username of auths member 'registry.example' must be a string, not an array"},
	{"{\"auths\": {\"registry.example\": {\"identitytoken\": 5}}}",
	 "identitytoken of auths member 'registry.example' must be a string, not a number"},
};

static void test_invalid_config(void **state)
{
	char *config = tf_asprintf("%s/config.json", helper_dir);
	size_t i;

	(void)state;
	for (i = 0; i < TF_ARRAY_LEN(invalid_cases); i++) {
		const invalid_case *c = &invalid_cases[i];
		char *expected = tf_asprintf("invalid docker config '%s': %s; fix the file", config,
					     c->reason);
		tf_credentials cred;
		tufsign_error err;

		write_file("config.json", c->config, 0600);
		tufsign_error_clear(&err);
		if (tf_credentials_lookup("registry.example/a", config, &cred, &err) !=
		    TUFSIGN_ERR_INVALID_ARGUMENT)
			fail_msg("%s: expected TUFSIGN_ERR_INVALID_ARGUMENT, got %s", c->config,
				 tufsign_status_name(err.status));
		assert_null(cred.username);
		assert_string_equal(err.message, expected);
		free(expected);
	}
	unlink(config);
	free(config);
}

/* Look up the credentials of registry.example with config.json holding
 * text, or with no config.json when text is NULL. */
static void lookup_ok(const char *text, tf_credentials *cred)
{
	char *config = tf_asprintf("%s/config.json", helper_dir);
	tufsign_error err;

	tufsign_error_clear(&err);
	if (text != NULL)
		write_file("config.json", text, 0600);
	else
		unlink(config);
	if (tf_credentials_lookup("registry.example/a", config, cred, &err) != TUFSIGN_OK)
		fail_msg("lookup with %s: %s", text ? text : "no config", err.message);
	free(config);
}

/* Without credentials, cred->missing names the helper or file that has no
 * entry for the host, and the denial messages use it. */
static void test_missing_credentials(void **state)
{
	char *config = tf_asprintf("%s/config.json", helper_dir);
	char *expected = NULL;
	char text[1024];
	tf_credentials cred;

	(void)state;
	lookup_ok("{\"credsStore\": \"empty\"}", &cred);
	assert_null(cred.username);
	expected = tf_asprintf("the credential helper 'docker-credential-empty' (credsStore in "
			       "'%s') has no credentials for 'registry.example'",
			       config);
	assert_string_equal(cred.missing, expected);
	free(expected);
	tf_credentials_advise_anonymous(&cred, text, sizeof(text));
	expected = tf_asprintf("no credentials were sent because %s; give credentials with "
			       "--username, NOTARY_AUTH or a docker login",
			       cred.missing);
	assert_string_equal(text, expected);
	free(expected);
	tf_credentials_describe(&cred, text, sizeof(text));
	assert_string_equal(text, "user 'anonymous'");

	lookup_ok("{\"credHelpers\": {\"registry.example\": \"empty\"}}", &cred);
	expected = tf_asprintf("the credential helper 'docker-credential-empty' (credHelpers in "
			       "'%s') has no credentials for 'registry.example'",
			       config);
	assert_string_equal(cred.missing, expected);
	free(expected);

	lookup_ok("{\"auths\": {\"other.example\": {\"auth\": \"Y2k6cHc=\"}}}", &cred);
	expected = tf_asprintf("the docker config '%s' has no credentials for 'registry.example'",
			       config);
	assert_string_equal(cred.missing, expected);
	free(expected);

	/* No file: nothing to name, so the advice is the plain fix. */
	lookup_ok(NULL, &cred);
	assert_string_equal(cred.missing, "");
	tf_credentials_advise_anonymous(&cred, text, sizeof(text));
	assert_string_equal(text,
			    "give credentials with --username, NOTARY_AUTH or a docker login");
	free(config);
}

/* The user of a denial message is named with its source only when a docker
 * config file or a helper gave it. */
static void test_describe_user(void **state)
{
	char *config = tf_asprintf("%s/config.json", helper_dir);
	char *expected = NULL;
	char text[1024];
	tf_credentials cred;

	(void)state;
	lookup_ok("{\"auths\": {\"registry.example\": {\"auth\": \"Y2k6cHc=\"}}}", &cred);
	tf_credentials_describe(&cred, text, sizeof(text));
	expected = tf_asprintf("user 'ci' from the docker config '%s'", config);
	assert_string_equal(text, expected);
	free(expected);
	tf_credentials_release(&cred);

	lookup_ok("{\"credsStore\": \"alpha\"}", &cred);
	tf_credentials_describe(&cred, text, sizeof(text));
	assert_string_equal(text, "user 'alpha|registry.example' from credential helper "
				  "'docker-credential-alpha'");
	tf_credentials_release(&cred);

	setenv("NOTARY_AUTH", "dXNlcjpwYXNz", 1);
	lookup_ok("{\"credsStore\": \"alpha\"}", &cred);
	tf_credentials_describe(&cred, text, sizeof(text));
	assert_string_equal(text, "user 'user'");
	tf_credentials_release(&cred);
	unsetenv("NOTARY_AUTH");
	unlink(config);
	free(config);
}

/* An "identitytoken" of an auths entry wins over its "auth", as in the
 * docker CLI; an empty one counts as absent. */
static void test_identity_token(void **state)
{
	char *config = tf_asprintf("%s/config.json", helper_dir);
	char *expected = tf_asprintf("the identity token from the docker config '%s'", config);
	char text[1024];
	tf_credentials cred;

	(void)state;
	lookup_ok("{\"auths\": {\"https://registry.example\": {\"auth\": \"Y2k6cHc=\", "
		  "\"identitytoken\": \"refresh-1\"}}}",
		  &cred);
	assert_string_equal(cred.username, "<token>");
	assert_null(cred.password);
	assert_string_equal(cred.identity_token, "refresh-1");
	assert_int_equal(cred.from_docker_config, 1);
	tf_credentials_describe(&cred, text, sizeof(text));
	assert_string_equal(text, expected);
	tf_credentials_release(&cred);
	assert_null(cred.identity_token);

	lookup_ok("{\"auths\": {\"registry.example\": {\"auth\": \"Y2k6cHc=\", "
		  "\"identitytoken\": \"\"}}}",
		  &cred);
	assert_string_equal(cred.username, "ci");
	assert_null(cred.identity_token);
	tf_credentials_release(&cred);
	unlink(config);
	free(expected);
	free(config);
}

/* A program that reaps children itself (SIGCHLD ignored) loses the
 * helper's exit status; the lookup fails instead of taking it as 0. */
static void test_lost_exit_status(void **state)
{
	char *config = tf_asprintf("%s/config.json", helper_dir);
	struct sigaction ignore = {0}, saved;
	tf_credentials cred;
	tufsign_error err;

	(void)state;
	write_file("config.json", "{\"credsStore\": \"alpha\"}", 0600);
	ignore.sa_handler = SIG_IGN;
	assert_int_equal(sigaction(SIGCHLD, &ignore, &saved), 0);
	tufsign_error_clear(&err);
	assert_int_equal(tf_credentials_lookup("registry.example/a", config, &cred, &err),
			 TUFSIGN_ERR_AUTH);
	assert_int_equal(sigaction(SIGCHLD, &saved, NULL), 0);
	assert_null(cred.username);
	assert_non_null(strstr(err.message, "cannot run credential helper "
					    "'docker-credential-alpha' (credsStore in '"));
	assert_non_null(strstr(err.message, "its exit status was lost, because this program "
					    "reaps child processes itself"));
	unlink(config);
	free(config);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_config_precedence),
		cmocka_unit_test(test_notary_auth_first),
		cmocka_unit_test(test_invalid_config),
		cmocka_unit_test(test_missing_credentials),
		cmocka_unit_test(test_describe_user),
		cmocka_unit_test(test_identity_token),
		cmocka_unit_test(test_lost_exit_status),
	};

	return cmocka_run_group_tests(tests, set_up, tear_down);
}
