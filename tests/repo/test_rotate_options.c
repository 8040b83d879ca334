/* Unit tests of the option checks of tufsign_repo_rotate_key(): every
 * wrong combination of role, new key and server_managed is rejected before
 * a key is used or the server is contacted. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "tufsign/repo.h"

/* A client and a trust cache that no case uses: each case fails before a
 * request is sent or the cache is locked, so the directory stays empty. */
typedef struct fixture {
	char dir[64];
	tufsign_notary *client;
	tufsign_trust_cache *cache;
	tufsign_repo_context ctx;
} fixture;

static int setup(void **state)
{
	fixture *f = calloc(1, sizeof(*f));
	tufsign_notary_config cfg;
	tufsign_error err;

	assert_non_null(f);
	snprintf(f->dir, sizeof(f->dir), "/tmp/tufsign-rotate-options.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	tufsign_error_clear(&err);
	tufsign_notary_config_init(&cfg);
	cfg.url = "https://127.0.0.1:1";
	assert_int_equal(tufsign_notary_new(&cfg, &f->client, &err), TUFSIGN_OK);
	assert_int_equal(tufsign_trust_cache_open(f->dir, &f->cache, &err), TUFSIGN_OK);
	f->ctx.client = f->client;
	f->ctx.cache = f->cache;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	fixture *f = *state;

	tufsign_trust_cache_free(f->cache);
	tufsign_notary_free(f->client);
	assert_int_equal(rmdir(f->dir), 0);
	free(f);
	return 0;
}

/* A signer without a public key or a sign function, so each case must be
 * rejected before any key is used. */
static const tufsign_signer unused_signer = {.label = "unused"};

/* One rejected combination and a part of its message. */
typedef struct rejected_case {
	const char *role;
	int new_key;
	int server_managed;
	int snapshot;
	const char *message;
} rejected_case;

static void test_rotate_options_rejected(void **state)
{
	static const rejected_case cases[] = {
		{"root", 1, 0, 0, "cannot rotate the key of role 'root'"},
		{"targets/releases", 1, 0, 0, "cannot rotate the key of role 'targets/releases'"},
		{"targets", 0, 0, 0, "a targets rotation needs the new targets key"},
		{"targets", 1, 1, 0, "the server cannot hold the targets key"},
		{"snapshot", 0, 0, 0, "either a new local snapshot key or a server-managed key"},
		{"snapshot", 1, 1, 0, "either a new local snapshot key or a server-managed key"},
		{"snapshot", 0, 1, 1, "does not use the current snapshot key"},
		{"timestamp", 0, 0, 0, "a timestamp rotation must be server-managed"},
		{"timestamp", 1, 1, 0, "a timestamp rotation must be server-managed"},
	};
	fixture *f = *state;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const rejected_case *c = &cases[i];
		tufsign_key_rotate_options opts = {
			.role = c->role,
			.root = &unused_signer,
			.new_key = c->new_key ? &unused_signer : NULL,
			.server_managed = c->server_managed,
			.snapshot = c->snapshot ? &unused_signer : NULL,
		};
		tufsign_key_rotate_result result;
		tufsign_error err;

		memset(&result, 0xff, sizeof(result));
		tufsign_error_clear(&err);
		assert_int_equal(tufsign_repo_rotate_key(&f->ctx, "registry.example/team/app",
							 &opts, &result, &err),
				 TUFSIGN_ERR_INVALID_ARGUMENT);
		if (strstr(err.message, c->message) == NULL)
			fail_msg("case %zu: expected '%s' in '%s'", i, c->message, err.message);
		assert_int_equal(result.root_version, 0);
		assert_string_equal(result.new_key_id, "");
	}
}

static void test_rotate_options_missing(void **state)
{
	fixture *f = *state;
	tufsign_key_rotate_options no_root = {.role = "timestamp", .server_managed = 1};
	tufsign_key_rotate_result result;
	tufsign_error err;

	tufsign_error_clear(&err);
	assert_int_equal(
		tufsign_repo_rotate_key(&f->ctx, "registry.example/team/app", NULL, &result, &err),
		TUFSIGN_ERR_INVALID_ARGUMENT);
	assert_string_equal(err.message, "a key rotation needs the role and the root key");
	tufsign_error_clear(&err);
	assert_int_equal(tufsign_repo_rotate_key(&f->ctx, "registry.example/team/app", &no_root,
						 &result, &err),
			 TUFSIGN_ERR_INVALID_ARGUMENT);
	assert_string_equal(err.message, "a key rotation needs the role and the root key");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_rotate_options_rejected, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rotate_options_missing, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
