/* Unit tests of the input checks: GUNs, tags, digests, sizes, targets files. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "internal.h"
#include "tufsign/repo.h"

static void test_gun_accepted(void **state)
{
	static const char *const good[] = {
		"registry.example/team/app",
		"docker.io/library/alpine",
		"localhost:5000/a",
		"reg.example.com:5000/org/repo",
		"app",
		"a/b__c/d-e.f",
		"Registry.Example/x",
		"a--b/c",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		tufsign_error err;

		tufsign_error_clear(&err);
		assert_int_equal(tufsign_repo_check_gun(good[i], &err), TUFSIGN_OK);
	}
}

static void test_gun_rejected(void **state)
{
	static const char *const bad[] = {
		"",
		"/a",
		"a/",
		"a//b",
		"reg.example/Team/app",
		"reg.example/a*b",
		"a/b c",
		"reg.example:99999999/a",
		"reg.example/-a",
		"reg.example/a-",
		"reg.example/a..b",
		"reg.example/a___b",
		"reg.example/é",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		tufsign_error err;

		tufsign_error_clear(&err);
		assert_int_equal(tufsign_repo_check_gun(bad[i], &err),
				 TUFSIGN_ERR_INVALID_ARGUMENT);
	}
}

static void test_gun_message(void **state)
{
	tufsign_error err;

	(void)state;
	tufsign_error_clear(&err);
	tufsign_repo_check_gun("reg.example/Team/app", &err);
	assert_non_null(strstr(err.message, "invalid GUN 'reg.example/Team/app'"));
	assert_non_null(strstr(err.message, "component 'Team'"));
}

static void test_tag_names(void **state)
{
	tufsign_error err;

	(void)state;
	tufsign_error_clear(&err);
	assert_int_equal(tufsign_repo_check_target_name("a<b&c/\xc3\xa9\xe4\xb8\xad\"'", &err),
			 TUFSIGN_OK);
	assert_int_equal(tufsign_repo_check_target_name("x\x7f", &err), TUFSIGN_OK);
	assert_int_equal(tufsign_repo_check_target_name("a\tb", &err),
			 TUFSIGN_ERR_INVALID_ARGUMENT);
	assert_string_equal(err.message, "invalid tag: control character 0x09 at byte 1; Notary "
					 "cannot store control characters (U+0000 to U+001F) in a "
					 "target name");
	tufsign_error_clear(&err);
	assert_int_equal(tufsign_repo_check_target_name("\xc3", &err),
			 TUFSIGN_ERR_INVALID_ARGUMENT);
	assert_int_equal(tufsign_repo_check_target_name("\xed\xa0\x80", &err),
			 TUFSIGN_ERR_INVALID_ARGUMENT);
	assert_int_equal(tufsign_repo_check_target_name("\xc0\xaf", &err),
			 TUFSIGN_ERR_INVALID_ARGUMENT);
	assert_int_equal(tufsign_repo_check_target_name("", &err), TUFSIGN_ERR_INVALID_ARGUMENT);
}

static void test_digest(void **state)
{
	const char *hex = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
	unsigned char d[32];
	char text[80];
	tufsign_error err;

	(void)state;
	snprintf(text, sizeof(text), "sha256:%s", hex);
	tufsign_error_clear(&err);
	assert_int_equal(tufsign_repo_parse_digest(text, d, &err), TUFSIGN_OK);
	assert_int_equal(d[0], 0xe3);
	assert_int_equal(d[31], 0x55);
	text[10] = 'A';
	assert_int_equal(tufsign_repo_parse_digest(text, d, &err), TUFSIGN_ERR_INVALID_ARGUMENT);
	assert_non_null(strstr(err.message, "64 lower-case hex digits"));
	assert_int_equal(tufsign_repo_parse_digest(hex, d, &err), TUFSIGN_ERR_INVALID_ARGUMENT);
	assert_int_equal(tufsign_repo_parse_digest("sha256:abc", d, &err),
			 TUFSIGN_ERR_INVALID_ARGUMENT);
	assert_int_equal(tufsign_repo_parse_digest("sha512:abc", d, &err),
			 TUFSIGN_ERR_INVALID_ARGUMENT);
}

static void test_size(void **state)
{
	uint64_t v = 7;
	tufsign_error err;

	(void)state;
	tufsign_error_clear(&err);
	assert_int_equal(tufsign_repo_parse_size("0", &v, &err), TUFSIGN_OK);
	assert_int_equal(v, 0);
	assert_int_equal(tufsign_repo_parse_size("9007199254740991", &v, &err), TUFSIGN_OK);
	assert_true(v == 9007199254740991ULL);
	assert_int_equal(tufsign_repo_parse_size("9007199254740992", &v, &err),
			 TUFSIGN_ERR_INVALID_ARGUMENT);
	assert_int_equal(tufsign_repo_parse_size("-1", &v, &err), TUFSIGN_ERR_INVALID_ARGUMENT);
	assert_int_equal(tufsign_repo_parse_size("12a", &v, &err), TUFSIGN_ERR_INVALID_ARGUMENT);
	assert_int_equal(tufsign_repo_parse_size("012", &v, &err), TUFSIGN_ERR_INVALID_ARGUMENT);
	assert_int_equal(tufsign_repo_parse_size("", &v, &err), TUFSIGN_ERR_INVALID_ARGUMENT);
	assert_int_equal(tufsign_repo_parse_size("+5", &v, &err), TUFSIGN_ERR_INVALID_ARGUMENT);
}

static void test_targets_file(void **state)
{
	const char *text = "# comment\n\n"
			   "latest sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca4959"
			   "91b7852b855 123\r\n"
			   "  with space\tsha256:00000000000000000000000000000000000000000000000"
			   "00000000000000001   0";
	tufsign_target_change *changes = NULL;
	size_t count = 0;
	tufsign_error err;

	(void)state;
	tufsign_error_clear(&err);
	assert_int_equal(
		tufsign_repo_parse_targets("t.txt", text, strlen(text), &changes, &count, &err),
		TUFSIGN_OK);
	assert_int_equal(count, 2);
	assert_string_equal(changes[0].name, "latest");
	assert_int_equal(changes[0].length, 123);
	assert_string_equal(changes[1].name, "with space");
	assert_int_equal(changes[1].sha256[31], 1);
	tufsign_target_changes_free(changes, count);
}

static void test_targets_file_errors(void **state)
{
	static const struct {
		const char *text;
		const char *message;
	} cases[] = {
		{"a sha256:00 1\n", "t.txt line 1: invalid digest 'sha256:00'"},
		{"# x\nb sha256:0000000000000000000000000000000000000000000000000000000000000000 "
		 "-3",
		 "t.txt line 2: invalid size '-3'"},
		{"\n\nonlytag\n",
		 "t.txt line 3: expected 'TAG sha256:HEX SIZE', but 'onlytag' has 1 field"},
		{"v9 sha256:0000000000000000000000000000000000000000000000000000000000000000 5 6\n",
		 "t.txt line 1: expected 'TAG sha256:HEX SIZE', but 'v9 "
		 "sha256:0000000000000000000000000000000000000000000000000000000000000000 5 6' has "
		 "4 fields; a tag that contains spaces must be followed by a tab"},
		{" v9 extra "
		 "sha256:0000000000000000000000000000000000000000000000000000000000000000 "
		 "5 \r\n",
		 "t.txt line 1: expected 'TAG sha256:HEX SIZE', but 'v9 extra "
		 "sha256:0000000000000000000000000000000000000000000000000000000000000000..."
		 "' has 4 fields; a tag that contains spaces must be followed by a tab"},
		{"my tag\tsha256:00 5 6\n",
		 "t.txt line 1: expected 'TAG sha256:HEX SIZE', but 'my tag\tsha256:00 5 6' has 4 "
		 "fields"},
		{"v9\t\t\n", "t.txt line 1: expected 'TAG sha256:HEX SIZE', but 'v9' has 1 field"},
		{"a sha256:0000000000000000000000000000000000000000000000000000000000000000 1\n"
		 "a sha256:0000000000000000000000000000000000000000000000000000000000000000 2\n",
		 "t.txt line 2: tag 'a' appears twice"},
		{"# nothing\n", "t.txt: no targets"},
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		tufsign_target_change *changes = (tufsign_target_change *)1;
		size_t count = 9;
		tufsign_error err;

		tufsign_error_clear(&err);
		assert_int_equal(tufsign_repo_parse_targets("t.txt", cases[i].text,
							    strlen(cases[i].text), &changes, &count,
							    &err),
				 TUFSIGN_ERR_INVALID_ARGUMENT);
		assert_null(changes);
		assert_int_equal(count, 0);
		assert_memory_equal(err.message, cases[i].message, strlen(cases[i].message));
	}
}

/* 100,000 distinct tags parse, and a repeat of the first one on the last
 * line is named with that line number. */
static void test_targets_file_large_batch(void **state)
{
	static const char digest[] =
		"sha256:0000000000000000000000000000000000000000000000000000000000000000";
	tufsign_target_change *changes = NULL;
	size_t count = 0, i;
	tufsign_error err;
	tf_buf text;

	(void)state;
	tf_buf_init(&text);
	for (i = 0; i < 100000; i++)
		assert_int_equal(tf_buf_printf(&text, "tag-%zu %s %zu\n", i, digest, i + 1), 0);
	tufsign_error_clear(&err);
	assert_int_equal(tufsign_repo_parse_targets("big.txt", (const char *)text.data, text.len,
						    &changes, &count, &err),
			 TUFSIGN_OK);
	assert_int_equal(count, 100000);
	assert_string_equal(changes[99999].name, "tag-99999");
	assert_int_equal(changes[99999].length, 100000);
	tufsign_target_changes_free(changes, count);

	assert_int_equal(tf_buf_printf(&text, "tag-0 %s 7\n", digest), 0);
	assert_int_equal(tufsign_repo_parse_targets("big.txt", (const char *)text.data, text.len,
						    &changes, &count, &err),
			 TUFSIGN_ERR_INVALID_ARGUMENT);
	assert_string_equal(err.message, "big.txt line 100001: tag 'tag-0' appears twice");
	tf_buf_release(&text, 0);
}

static void test_operations_reject_bad_calls(void **state)
{
	tufsign_repo_context ctx = {NULL, NULL, NULL, 0};
	tufsign_target_change change = {(char *)"latest", 1, {0}, 0, NULL};
	tufsign_publish_options popts = {NULL, NULL, 0, 0};
	tufsign_init_options iopts = {NULL, NULL, NULL};
	tufsign_publish_result presult;
	tufsign_init_result iresult;
	tufsign_repo *repo = (tufsign_repo *)1;
	tufsign_error err;

	(void)state;
	tufsign_error_clear(&err);
	assert_int_equal(tufsign_repo_open(&ctx, "registry.example/a", &repo, &err),
			 TUFSIGN_ERR_INVALID_ARGUMENT);
	assert_null(repo);
	assert_string_equal(err.message,
			    "repository operations need a Notary client and a trust cache");
	tufsign_error_clear(&err);
	assert_int_equal(tufsign_repo_publish(&ctx, "registry.example/a", &change, 1, &popts,
					      &presult, &err),
			 TUFSIGN_ERR_INVALID_ARGUMENT);
	assert_string_equal(err.message, "publish needs a targets key and at least one change");
	tufsign_error_clear(&err);
	assert_int_equal(tufsign_repo_init(&ctx, "registry.example/a", &iopts, &iresult, &err),
			 TUFSIGN_ERR_INVALID_ARGUMENT);
	assert_string_equal(err.message, "init needs a root key and a targets key");
	assert_int_equal(iresult.created, 0);
	tufsign_repo_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_gun_accepted),
		cmocka_unit_test(test_gun_rejected),
		cmocka_unit_test(test_gun_message),
		cmocka_unit_test(test_tag_names),
		cmocka_unit_test(test_digest),
		cmocka_unit_test(test_size),
		cmocka_unit_test(test_targets_file),
		cmocka_unit_test(test_targets_file_errors),
		cmocka_unit_test(test_targets_file_large_batch),
		cmocka_unit_test(test_operations_reject_bad_calls),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
