/* Data-driven metadata cases. cases/valid/ROLE.NAME.json must parse and
 * re-serialize to its own bytes, or to ROLE.NAME.out when that file exists.
 * cases/invalid/ROLE.NAME.json must fail with the status, JSON path and
 * message text listed line by line in ROLE.NAME.err. In ROLE, '+' stands
 * for '/' ("targets+releases" is "targets/releases"). */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "internal.h"
#include "tufsign/metadata.h"
#include "tufsign/verify.h"

#define CASE_MAX (1 << 20)

static unsigned char *slurp(const char *path, size_t *len)
{
	unsigned char *data = NULL;

	if (tf_read_file(path, CASE_MAX, &data, len, NULL) != TUFSIGN_OK)
		return NULL;
	return data;
}

static void role_of(const char *file, char *role, size_t size)
{
	size_t i;

	for (i = 0; file[i] && file[i] != '.' && i + 1 < size; i++)
		role[i] = file[i] == '+' ? '/' : file[i];
	role[i] = '\0';
}

static int has_suffix(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && strcmp(s + n - m, suffix) == 0;
}

static char **list_cases(const char *dir, size_t *count)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char **names = NULL;
	size_t n = 0;

	assert_non_null(d);
	while ((e = readdir(d)) != NULL) {
		if (!has_suffix(e->d_name, ".json"))
			continue;
		names = realloc(names, (n + 1) * sizeof(*names));
		names[n++] = strdup(e->d_name);
	}
	closedir(d);
	*count = n;
	return names;
}

static int check_valid(const char *dir, const char *name)
{
	char path[1024], role[256];
	unsigned char *in, *want;
	size_t in_len = 0, want_len = 0, out_len = 0;
	tufsign_meta *doc = NULL;
	char *out = NULL;
	tufsign_error err;

	tufsign_error_clear(&err);
	role_of(name, role, sizeof(role));
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	in = slurp(path, &in_len);
	assert_non_null(in);
	snprintf(path + strlen(path) - 5, 6, ".out");
	want = slurp(path, &want_len);
	if (tufsign_meta_parse(role, in, in_len, &doc, &err) != TUFSIGN_OK)
		fail_msg("%s: %s at %s: %s", name, tufsign_status_name(err.status), err.path,
			 err.message);
	assert_int_equal(tufsign_meta_file_bytes(doc, &out, &out_len, &err), TUFSIGN_OK);
	if (want == NULL) {
		want = in;
		want_len = in_len;
		in = NULL;
	}
	if (out_len != want_len || memcmp(out, want, want_len) != 0)
		fail_msg("%s: re-serialization differs:\n%s\n%.*s", name, out, (int)want_len,
			 (const char *)want);
	free(out);
	free(in);
	free(want);
	tufsign_meta_free(doc);
	return 0;
}

static int check_invalid(const char *dir, const char *name)
{
	char path[1024], role[256], *lines[3] = {0}, *save = NULL;
	unsigned char *in, *expect;
	size_t in_len = 0, expect_len = 0, i;
	tufsign_meta *doc = NULL;
	tufsign_error err;
	tufsign_status st;
	int failed = 0;

	tufsign_error_clear(&err);
	role_of(name, role, sizeof(role));
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	in = slurp(path, &in_len);
	assert_non_null(in);
	snprintf(path + strlen(path) - 5, 6, ".err");
	expect = slurp(path, &expect_len);
	if (expect == NULL)
		fail_msg("%s: no .err file", name);
	for (i = 0; i < 3; i++) {
		lines[i] = strtok_r(i == 0 ? (char *)expect : NULL, "\n", &save);
		if (lines[i] == NULL || strcmp(lines[i], "-") == 0)
			lines[i] = (char *)"";
	}
	/* an empty path line is written as "" by the generator */
	if ((char *)expect + expect_len > lines[1] && lines[1][0] != '\0' &&
	    strncmp(lines[1], "signed", 6) != 0 && strncmp(lines[1], "signatures", 10) != 0) {
		lines[2] = lines[1];
		lines[1] = (char *)"";
	}
	st = tufsign_meta_parse(role, in, in_len, &doc, &err);
	if (st == TUFSIGN_OK) {
		print_error("%s: accepted\n", name);
		failed = 1;
		tufsign_meta_free(doc);
	} else if (strcmp(tufsign_status_name(st), lines[0]) != 0 ||
		   strcmp(err.path, lines[1]) != 0 || strstr(err.message, lines[2]) == NULL ||
		   strcmp(err.role, role) != 0) {
		print_error("%s: got %s role \"%s\" path \"%s\" message \"%s\"; expected %s "
			    "path \"%s\" message containing \"%s\"\n",
			    name, tufsign_status_name(st), err.role, err.path, err.message,
			    lines[0], lines[1], lines[2]);
		failed = 1;
	}
	free(in);
	free(expect);
	return failed;
}

static void run_dir(const char *kind, int (*check)(const char *, const char *))
{
	char dir[1024];
	char **names;
	size_t count = 0, i, failures = 0;

	snprintf(dir, sizeof(dir), "%s/meta/cases/%s", TUFSIGN_TEST_DATA, kind);
	names = list_cases(dir, &count);
	assert_true(count > 0);
	for (i = 0; i < count; i++) {
		failures += (size_t)check(dir, names[i]);
		free(names[i]);
	}
	free(names);
	assert_int_equal(failures, 0);
}

static void valid_cases(void **state)
{
	(void)state;
	run_dir("valid", check_valid);
}

static void invalid_cases(void **state)
{
	(void)state;
	run_dir("invalid", check_invalid);
}

static unsigned char *notary_file(const char *name, size_t *len)
{
	char path[1024];
	unsigned char *data;

	snprintf(path, sizeof(path), "%s/meta/cases/valid/%s", TUFSIGN_TEST_DATA, name);
	data = slurp(path, len);
	assert_non_null(data);
	return data;
}

/* Files the notary client published (root rotated once, a delegation, local
 * time offsets in expires), verified offline with "now" one day before the
 * timestamp expires. */
static void notary_chain(void **state)
{
	static const char *const names[] = {
		"root.notary-v1.json",   "root.notary-rotated-v2.json",
		"timestamp.notary.json", "snapshot.notary.json",
		"targets.notary.json",   "targets+releases.notary.json",
	};
	unsigned char *data[6];
	size_t len[6], i;
	tufsign_role_file root2, ts, sn, tg, rel;
	tufsign_chain_input in = {0};
	tufsign_chain *chain = NULL;
	tufsign_error err;

	(void)state;
	for (i = 0; i < 6; i++)
		data[i] = notary_file(names[i], &len[i]);
	root2 = (tufsign_role_file){"root", data[1], len[1]};
	ts = (tufsign_role_file){"timestamp", data[2], len[2]};
	sn = (tufsign_role_file){"snapshot", data[3], len[3]};
	tg = (tufsign_role_file){"targets", data[4], len[4]};
	rel = (tufsign_role_file){"targets/releases", data[5], len[5]};
	in.gun = "registry.example/t/meta-bf39bb0e";
	in.now = 1797626026 - 86400; /* 2026-12-18T20:33:46Z, the timestamp's expiry */
	in.trusted_root = data[0];
	in.trusted_root_len = len[0];
	in.roots = &root2;
	in.root_count = 1;
	in.timestamp = &ts;
	in.snapshot = &sn;
	in.targets = &tg;
	in.delegations = &rel;
	in.delegation_count = 1;
	tufsign_error_clear(&err);
	if (tufsign_verify_chain(&in, &chain, &err) != TUFSIGN_OK)
		fail_msg("%s %s %s: %s", tufsign_status_name(err.status), err.role, err.path,
			 err.message);
	assert_int_equal(chain->root->version, 2);
	assert_non_null(tufsign_meta_find_file(chain->delegations[0], "v1"));
	tufsign_chain_free(chain);
	in.now = 1797626026 + 1;
	tufsign_error_clear(&err);
	assert_int_equal(tufsign_verify_chain(&in, &chain, &err), TUFSIGN_ERR_EXPIRED);
	assert_string_equal(err.role, "timestamp");
	assert_string_equal(err.message, "'timestamp' expired at 2026-12-18T20:33:46.841201681Z");
	for (i = 0; i < 6; i++)
		free(data[i]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(valid_cases),
		cmocka_unit_test(invalid_cases),
		cmocka_unit_test(notary_chain),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
