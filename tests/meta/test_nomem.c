/* Allocation failures: every malloc, calloc and realloc made by the library
 * fails in turn (through the linker's --wrap), and each operation must then
 * return an error, never crash, and leak nothing (checked by ASan). */
#include <malloc.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "internal.h"
#include "tufsign/json.h"
#include "tufsign/metadata.h"
#include "tufsign/verify.h"

void *__real_malloc(size_t size);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t size);
void *__wrap_malloc(size_t size);
void *__wrap_calloc(size_t n, size_t size);
void *__wrap_realloc(void *p, size_t size);

static long countdown = -1; /* allocations left before one fails; -1: never */
static int failed;

static int should_fail(void)
{
	if (countdown < 0)
		return 0;
	if (countdown-- == 0) {
		failed = 1;
		return 1;
	}
	return 0;
}

void *__wrap_malloc(size_t size)
{
	return should_fail() ? NULL : __real_malloc(size);
}

void *__wrap_calloc(size_t n, size_t size)
{
	return should_fail() ? NULL : __real_calloc(n, size);
}

/* A realloc that shrinks a block never fails here: the library may ignore
 * such a failure because the old block stays valid. */
void *__wrap_realloc(void *p, size_t size)
{
	if (p != NULL && size <= malloc_usable_size(p))
		return __real_realloc(p, size);
	return should_fail() ? NULL : __real_realloc(p, size);
}

static unsigned char *case_file(const char *name, size_t *len)
{
	char path[1024];
	unsigned char *data = NULL;

	snprintf(path, sizeof(path), "%s/meta/cases/valid/%s", TUFSIGN_TEST_DATA, name);
	assert_int_equal(tf_read_file(path, 1 << 20, &data, len, NULL), TUFSIGN_OK);
	return data;
}

/* Run op with the n-th allocation failing, for n = 0, 1, ... until op runs
 * without reaching the failing allocation; op must succeed then. */
static void fail_each_allocation(tufsign_status (*op)(const void *), const void *arg)
{
	tufsign_status st;
	long n;

	for (n = 0;; n++) {
		failed = 0;
		countdown = n;
		st = op(arg);
		countdown = -1;
		if (!failed) {
			assert_int_equal(st, TUFSIGN_OK);
			break;
		}
		if (st == TUFSIGN_OK)
			fail_msg("allocation %ld failed but the operation reported success", n);
	}
	assert_true(n > 0);
}

typedef struct input {
	const char *role;
	unsigned char *data;
	size_t len;
} input;

static tufsign_status parse_and_write(const void *arg)
{
	const input *in = arg;
	tufsign_meta *doc = NULL;
	char *out = NULL;
	size_t len = 0;
	tufsign_status st;

	st = tufsign_meta_parse(in->role, in->data, in->len, &doc, NULL);
	if (st == TUFSIGN_OK)
		st = tufsign_meta_file_bytes(doc, &out, &len, NULL);
	if (st == TUFSIGN_OK && (len != in->len || memcmp(out, in->data, len) != 0))
		fail_msg("round trip of %s differs", in->role);
	free(out);
	tufsign_meta_free(doc);
	return st;
}

static tufsign_status verify_message(const void *arg)
{
	const input *in = arg;
	char *msg = NULL;
	size_t len = 0;
	tufsign_status st = tufsign_verify_message(in->data, in->len, &msg, &len, NULL);

	free(msg);
	return st;
}

static tufsign_status edit_targets(const void *arg)
{
	unsigned char sha[64] = {1};
	tufsign_meta *doc = NULL;
	tufsign_status st;

	(void)arg;
	st = tufsign_meta_new("targets", &doc, NULL);
	if (st == TUFSIGN_OK)
		st = tufsign_meta_set_target(doc, "b", 1, sha, sha, "{\"z\":[1,{\"b\":2,\"a\":1}]}",
					     NULL);
	if (st == TUFSIGN_OK)
		st = tufsign_meta_set_target(doc, "a", 1, sha, NULL, NULL, NULL);
	tufsign_meta_free(doc);
	return st;
}

typedef struct notary_files {
	unsigned char *data[6];
	size_t len[6];
} notary_files;

static tufsign_status verify_chain(const void *arg)
{
	const notary_files *f = arg;
	tufsign_role_file root2 = {"root", f->data[1], f->len[1]};
	tufsign_role_file ts = {"timestamp", f->data[2], f->len[2]};
	tufsign_role_file sn = {"snapshot", f->data[3], f->len[3]};
	tufsign_role_file tg = {"targets", f->data[4], f->len[4]};
	tufsign_role_file rel = {"targets/releases", f->data[5], f->len[5]};
	tufsign_chain_input in = {0};
	tufsign_chain *chain = NULL;
	tufsign_status st;

	in.gun = "registry.example/t/meta-bf39bb0e";
	in.now = 1797626026 - 86400; /* a day before the timestamp expires */
	in.trusted_root = f->data[0];
	in.trusted_root_len = f->len[0];
	in.roots = &root2;
	in.root_count = 1;
	in.timestamp = &ts;
	in.snapshot = &sn;
	in.targets = &tg;
	in.delegations = &rel;
	in.delegation_count = 1;
	st = tufsign_verify_chain(&in, &chain, NULL);
	tufsign_chain_free(chain);
	return st;
}

static void nomem_chain(void **state)
{
	static const char *const names[] = {
		"root.notary-v1.json",   "root.notary-rotated-v2.json",
		"timestamp.notary.json", "snapshot.notary.json",
		"targets.notary.json",   "targets+releases.notary.json",
	};
	notary_files f;
	size_t i;

	(void)state;
	for (i = 0; i < 6; i++)
		f.data[i] = case_file(names[i], &f.len[i]);
	fail_each_allocation(verify_chain, &f);
	for (i = 0; i < 6; i++)
		free(f.data[i]);
}

static void nomem_parse(void **state)
{
	static const struct {
		const char *file, *role;
	} files[] = {
		{"root.notary-rotated-v2.json", "root"},
		{"targets.delegations.json", "targets"},
		{"snapshot.notary.json", "snapshot"},
	};
	input in;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		in.role = files[i].role;
		in.data = case_file(files[i].file, &in.len);
		fail_each_allocation(parse_and_write, &in);
		fail_each_allocation(verify_message, &in);
		free(in.data);
	}
}

static void nomem_edit(void **state)
{
	(void)state;
	fail_each_allocation(edit_targets, NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(nomem_parse),
		cmocka_unit_test(nomem_edit),
		cmocka_unit_test(nomem_chain),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
