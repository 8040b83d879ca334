/* Unit tests of the trust cache: round trips, all-or-nothing commits,
 * rollback of uncommitted transactions, crash leftovers, the lock between
 * two processes, and the checks of GUNs and roles. */
#include <dirent.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "cache/fsutil.h"
#include "cache/names.h"
#include "internal.h"
#include "tufsign/trust_cache.h"

#define GUN     "registry.example:5000/team/app"
#define GUN_DIR "registry.example%3A5000%2Fteam%2Fapp"

typedef struct fixture {
	char root[128];
	tufsign_trust_cache *cache;
} fixture;

static int setup(void **state)
{
	fixture *f = calloc(1, sizeof(*f));
	tufsign_error err;

	assert_non_null(f);
	snprintf(f->root, sizeof(f->root), "%s/tufsign-cache-XXXXXX",
		 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	assert_non_null(mkdtemp(f->root));
	tufsign_error_clear(&err);
	assert_int_equal(tufsign_trust_cache_open(f->root, &f->cache, &err), TUFSIGN_OK);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	fixture *f = *state;

	tufsign_trust_cache_free(f->cache);
	assert_int_equal(tf_remove_tree_at(AT_FDCWD, f->root), 0);
	free(f);
	return 0;
}

static tufsign_trust_txn *begin(fixture *f, const char *gun)
{
	tufsign_trust_txn *txn = NULL;
	tufsign_error err;

	tufsign_error_clear(&err);
	assert_int_equal(tufsign_trust_cache_begin(f->cache, gun, 0, &txn, &err), TUFSIGN_OK);
	assert_non_null(txn);
	return txn;
}

static void stage(tufsign_trust_txn *txn, const char *role, const char *text)
{
	tufsign_error err;

	tufsign_error_clear(&err);
	assert_int_equal(
		tufsign_trust_txn_stage(txn, role, (const unsigned char *)text, strlen(text), &err),
		TUFSIGN_OK);
}

static void commit(tufsign_trust_txn *txn)
{
	tufsign_error err;

	tufsign_error_clear(&err);
	assert_int_equal(tufsign_trust_txn_commit(txn, &err), TUFSIGN_OK);
}

/* Assert that role reads back as text, or is absent when text is NULL. */
static void expect_role(tufsign_trust_txn *txn, const char *role, const char *text)
{
	unsigned char *data = NULL;
	size_t len = 0;
	tufsign_error err;
	tufsign_status st;

	tufsign_error_clear(&err);
	st = tufsign_trust_txn_read(txn, role, &data, &len, &err);
	if (text == NULL) {
		assert_int_equal(st, TUFSIGN_ERR_NOT_FOUND);
		assert_null(data);
		return;
	}
	assert_int_equal(st, TUFSIGN_OK);
	assert_int_equal(len, strlen(text));
	assert_memory_equal(data, text, len);
	free(data);
}

/* Names in the GUN directory, sorted and joined by spaces. */
static void list_gun_dir(fixture *f, const char *name, char *out, size_t size)
{
	struct dirent **entries = NULL;
	char path[512];
	int n, i;

	snprintf(path, sizeof(path), "%s/%s", f->root, name);
	n = scandir(path, &entries, NULL, alphasort);
	assert_true(n >= 0);
	out[0] = '\0';
	for (i = 0; i < n; i++) {
		if (entries[i]->d_name[0] != '.') {
			if (out[0] != '\0')
				strncat(out, " ", size - strlen(out) - 1);
			strncat(out, entries[i]->d_name, size - strlen(out) - 1);
		}
		free(entries[i]);
	}
	free(entries);
}

static void test_cache_round_trip(void **state)
{
	fixture *f = *state;
	tufsign_trust_txn *txn = begin(f, GUN);
	char path[512];
	struct stat sb;

	expect_role(txn, "root", NULL);
	stage(txn, "root", "{\"root\":1}");
	stage(txn, "targets", "{\"targets\":1}");
	stage(txn, "targets/releases", "{\"releases\":1}");
	expect_role(txn, "root", "{\"root\":1}");
	commit(txn);
	tufsign_trust_txn_free(txn);

	txn = begin(f, GUN);
	expect_role(txn, "root", "{\"root\":1}");
	expect_role(txn, "targets", "{\"targets\":1}");
	expect_role(txn, "targets/releases", "{\"releases\":1}");
	expect_role(txn, "snapshot", NULL);
	snprintf(path, sizeof(path), "%s/%s", f->root, GUN_DIR);
	assert_string_equal(tufsign_trust_txn_path(txn), path);
	tufsign_trust_txn_free(txn);

	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0700);
	snprintf(path, sizeof(path), "%s/%s/current/targets/releases.json", f->root, GUN_DIR);
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	snprintf(path, sizeof(path), "%s/%s/current/targets", f->root, GUN_DIR);
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0700);
}

static void test_cache_free_rolls_back(void **state)
{
	fixture *f = *state;
	tufsign_trust_txn *txn = begin(f, GUN);
	tufsign_error err;
	char names[256];

	stage(txn, "root", "old root");
	stage(txn, "targets", "old targets");
	commit(txn);
	tufsign_trust_txn_free(txn);

	txn = begin(f, GUN);
	stage(txn, "root", "new root");
	tufsign_error_clear(&err);
	assert_int_equal(tufsign_trust_txn_stage_remove(txn, "targets", &err), TUFSIGN_OK);
	expect_role(txn, "root", "new root");
	expect_role(txn, "targets", NULL);
	tufsign_trust_txn_free(txn);

	txn = begin(f, GUN);
	expect_role(txn, "root", "old root");
	expect_role(txn, "targets", "old targets");
	tufsign_trust_txn_free(txn);
	list_gun_dir(f, GUN_DIR, names, sizeof(names));
	assert_string_equal(names, "current gen.1 lock");
}

static void test_cache_commit_keeps_unchanged(void **state)
{
	fixture *f = *state;
	tufsign_trust_txn *txn = begin(f, GUN);
	char names[256];

	stage(txn, "root", "root v1");
	stage(txn, "targets", "targets v1");
	stage(txn, "targets/releases", "releases v1");
	commit(txn);
	stage(txn, "snapshot", "snapshot v2");
	stage(txn, "targets", "targets v2");
	commit(txn);
	expect_role(txn, "targets", "targets v2");
	tufsign_trust_txn_free(txn);

	txn = begin(f, GUN);
	expect_role(txn, "root", "root v1");
	expect_role(txn, "targets", "targets v2");
	expect_role(txn, "targets/releases", "releases v1");
	expect_role(txn, "snapshot", "snapshot v2");
	tufsign_trust_txn_free(txn);
	list_gun_dir(f, GUN_DIR, names, sizeof(names));
	assert_string_equal(names, "current gen.2 lock");
}

static void test_cache_remove_and_clear(void **state)
{
	fixture *f = *state;
	tufsign_trust_txn *txn = begin(f, GUN);
	tufsign_error err;

	stage(txn, "root", "root v1");
	stage(txn, "targets", "targets v1");
	stage(txn, "targets/releases", "releases v1");
	commit(txn);

	tufsign_error_clear(&err);
	assert_int_equal(tufsign_trust_txn_stage_remove(txn, "targets/releases", &err), TUFSIGN_OK);
	assert_int_equal(tufsign_trust_txn_stage_remove(txn, "targets/absent", &err), TUFSIGN_OK);
	commit(txn);
	expect_role(txn, "targets/releases", NULL);
	expect_role(txn, "targets", "targets v1");

	stage(txn, "root", "root v2");
	assert_int_equal(tufsign_trust_txn_stage_clear(txn, &err), TUFSIGN_OK);
	expect_role(txn, "targets", NULL);
	expect_role(txn, "root", "root v2");
	commit(txn);
	tufsign_trust_txn_free(txn);

	txn = begin(f, GUN);
	expect_role(txn, "root", "root v2");
	expect_role(txn, "targets", NULL);
	tufsign_trust_txn_free(txn);
}

/* A crash between staging and the switch of "current" leaves a staging
 * directory, an unused generation and a temporary link: the next
 * transaction removes them and reads the last commit. */
static void test_cache_crash_leftovers(void **state)
{
	fixture *f = *state;
	tufsign_trust_txn *txn = begin(f, GUN);
	char path[512], names[256];

	stage(txn, "root", "committed root");
	commit(txn);
	tufsign_trust_txn_free(txn);

	snprintf(path, sizeof(path), "%s/%s/staging.99999", f->root, GUN_DIR);
	assert_int_equal(mkdir(path, 0700), 0);
	snprintf(path, sizeof(path), "%s/%s/staging.99999/root.json", f->root, GUN_DIR);
	assert_int_equal(
		tf_write_file_at(AT_FDCWD, path, (const unsigned char *)"half", 4, path, NULL),
		TUFSIGN_OK);
	snprintf(path, sizeof(path), "%s/%s/gen.2", f->root, GUN_DIR);
	assert_int_equal(mkdir(path, 0700), 0);
	snprintf(path, sizeof(path), "%s/%s/current.tmp", f->root, GUN_DIR);
	assert_int_equal(symlink("gen.2", path), 0);

	txn = begin(f, GUN);
	expect_role(txn, "root", "committed root");
	list_gun_dir(f, GUN_DIR, names, sizeof(names));
	assert_string_equal(names, "current gen.1 lock");
	stage(txn, "root", "next root");
	commit(txn);
	tufsign_trust_txn_free(txn);
	list_gun_dir(f, GUN_DIR, names, sizeof(names));
	assert_string_equal(names, "current gen.2 lock");
}

/* Fork a child that takes the lock of GUN, holds it for hold_us, commits
 * root_text as root unless it is NULL, and exits. Returns once the child
 * holds the lock. */
static pid_t hold_lock_in_child(fixture *f, useconds_t hold_us, const char *root_text)
{
	int ready[2];
	char byte = 0;
	pid_t child;

	assert_int_equal(pipe(ready), 0);
	child = fork();
	assert_true(child >= 0);
	if (child == 0) {
		tufsign_trust_txn *held = NULL;

		close(ready[0]);
		if (tufsign_trust_cache_begin(f->cache, GUN, 0, &held, NULL) != TUFSIGN_OK)
			_exit(2);
		if (write(ready[1], "x", 1) != 1)
			_exit(3);
		usleep(hold_us);
		if (root_text != NULL &&
		    (tufsign_trust_txn_stage(held, "root", (const unsigned char *)root_text,
					     strlen(root_text), NULL) != TUFSIGN_OK ||
		     tufsign_trust_txn_commit(held, NULL) != TUFSIGN_OK))
			_exit(4);
		tufsign_trust_txn_free(held);
		_exit(0);
	}
	close(ready[1]);
	assert_int_equal(read(ready[0], &byte, 1), 1);
	close(ready[0]);
	return child;
}

/* The child holds the lock while the parent tries without waiting long
 * enough, then waits until the child's commit is visible. */
static void test_cache_lock_two_processes(void **state)
{
	fixture *f = *state;
	tufsign_trust_txn *txn = NULL;
	tufsign_error err;
	pid_t child = hold_lock_in_child(f, 800 * 1000, "child");
	int status = 0;

	tufsign_error_clear(&err);
	assert_int_equal(tufsign_trust_cache_begin(f->cache, GUN, 200, &txn, &err),
			 TUFSIGN_ERR_LOCKED);
	assert_null(txn);
	assert_non_null(strstr(err.message, "the trust cache of '" GUN "' is locked by another "
					    "tufsign process; waited 200 ms"));

	tufsign_error_clear(&err);
	assert_int_equal(tufsign_trust_cache_begin(f->cache, GUN, 20000, &txn, &err), TUFSIGN_OK);
	expect_role(txn, "root", "child");
	tufsign_trust_txn_free(txn);
	assert_int_equal(waitpid(child, &status, 0), child);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

/* Child loop for the kill test: commit root and targets with the same
 * counter until killed. */
static void commit_pairs_forever(fixture *f)
{
	unsigned long n;
	char text[32];

	for (n = 1;; n++) {
		tufsign_trust_txn *txn = NULL;
		int len = snprintf(text, sizeof(text), "%lu", n);

		if (tufsign_trust_cache_begin(f->cache, GUN, 5000, &txn, NULL) != TUFSIGN_OK ||
		    tufsign_trust_txn_stage(txn, "root", (unsigned char *)text, (size_t)len,
					    NULL) != TUFSIGN_OK ||
		    tufsign_trust_txn_stage(txn, "targets", (unsigned char *)text, (size_t)len,
					    NULL) != TUFSIGN_OK ||
		    tufsign_trust_txn_commit(txn, NULL) != TUFSIGN_OK)
			_exit(2);
		tufsign_trust_txn_free(txn);
	}
}

/* A process killed at any point of a commit leaves either the old or the
 * new pair of files, never a mix, and never blocks the next transaction. */
static void test_cache_kill_during_commits(void **state)
{
	fixture *f = *state;
	int round, found = 0;

	for (round = 0; round < 20; round++) {
		tufsign_trust_txn *txn = NULL;
		unsigned char *root = NULL, *targets = NULL;
		size_t root_len = 0, targets_len = 0;
		pid_t child = fork();
		int status = 0;

		assert_true(child >= 0);
		if (child == 0)
			commit_pairs_forever(f);
		usleep(2000 + (useconds_t)(random() % 20000));
		assert_int_equal(kill(child, SIGKILL), 0);
		assert_int_equal(waitpid(child, &status, 0), child);
		assert_true(WIFSIGNALED(status));

		assert_int_equal(tufsign_trust_cache_begin(f->cache, GUN, 0, &txn, NULL),
				 TUFSIGN_OK);
		if (tufsign_trust_txn_read(txn, "root", &root, &root_len, NULL) == TUFSIGN_OK) {
			assert_int_equal(tufsign_trust_txn_read(txn, "targets", &targets,
								&targets_len, NULL),
					 TUFSIGN_OK);
			assert_int_equal(root_len, targets_len);
			assert_memory_equal(root, targets, root_len);
			found++;
		}
		free(root);
		free(targets);
		tufsign_trust_txn_free(txn);
	}
	/* The children did commit: the check above ran. */
	assert_true(found > 0);
}

static void test_cache_gun_names_separate(void **state)
{
	fixture *f = *state;
	char long_a[251], long_b[251];
	tufsign_trust_txn *a, *b;

	memset(long_a, 'a', sizeof(long_a) - 1);
	long_a[sizeof(long_a) - 1] = '\0';
	long_a[10] = '/';
	memcpy(long_b, long_a, sizeof(long_b));
	long_b[sizeof(long_b) - 2] = 'b';

	a = begin(f, long_a);
	stage(a, "root", "A");
	commit(a);
	b = begin(f, long_b);
	expect_role(b, "root", NULL);
	stage(b, "root", "B");
	commit(b);
	expect_role(a, "root", "A");
	assert_true(strlen(strrchr(tufsign_trust_txn_path(a), '/') + 1) <= 255);
	assert_string_not_equal(tufsign_trust_txn_path(a), tufsign_trust_txn_path(b));
	tufsign_trust_txn_free(a);
	tufsign_trust_txn_free(b);
}

static void test_cache_rejects_bad_names(void **state)
{
	fixture *f = *state;
	static const char *const guns[] = {"",      "../etc",    "a/../b", "a//b",
					   "a/./b", ".hidden/x", "a/b/",   "a\\b",
					   "a b",   "a%2Fb",     "a?b",    "a\nb"};
	static const char *const roles[] = {"",           "foo",          "../root",
					    "targets/",   "targets/../x", "targets/.x",
					    "targets//x", "Root",         "targets/a b"};
	tufsign_trust_txn *txn = NULL;
	tufsign_error err;
	size_t i;

	for (i = 0; i < TF_ARRAY_LEN(guns); i++) {
		tufsign_error_clear(&err);
		assert_int_equal(tufsign_trust_cache_begin(f->cache, guns[i], 0, &txn, &err),
				 TUFSIGN_ERR_INVALID_ARGUMENT);
		assert_null(txn);
	}
	txn = begin(f, GUN);
	for (i = 0; i < TF_ARRAY_LEN(roles); i++) {
		tufsign_error_clear(&err);
		assert_int_equal(
			tufsign_trust_txn_stage(txn, roles[i], (const unsigned char *)"x", 1, &err),
			TUFSIGN_ERR_INVALID_ARGUMENT);
		assert_non_null(strstr(err.message, "invalid role"));
	}
	tufsign_trust_txn_free(txn);
}

static void test_gun_escape(void **state)
{
	char *escaped = tf_gun_escape("registry.example:5000/org/app_x-1");

	(void)state;
	assert_string_equal(escaped, "registry.example%3A5000%2Forg%2Fapp_x-1");
	free(escaped);
}

static void test_default_dir(void **state)
{
	char *dir = NULL;
	tufsign_error err;

	(void)state;
	tufsign_error_clear(&err);
	setenv("TUFSIGN_TRUST_DIR", "/srv/trust", 1);
	setenv("XDG_DATA_HOME", "/home/u/.data", 1);
	setenv("HOME", "/home/u", 1);
	assert_int_equal(tufsign_trust_cache_default_dir(&dir, &err), TUFSIGN_OK);
	assert_string_equal(dir, "/srv/trust");
	free(dir);
	unsetenv("TUFSIGN_TRUST_DIR");
	assert_int_equal(tufsign_trust_cache_default_dir(&dir, &err), TUFSIGN_OK);
	assert_string_equal(dir, "/home/u/.data/tufsign/trust");
	free(dir);
	unsetenv("XDG_DATA_HOME");
	assert_int_equal(tufsign_trust_cache_default_dir(&dir, &err), TUFSIGN_OK);
	assert_string_equal(dir, "/home/u/.local/share/tufsign/trust");
	free(dir);
	unsetenv("HOME");
	assert_int_equal(tufsign_trust_cache_default_dir(&dir, &err), TUFSIGN_ERR_INVALID_ARGUMENT);
	assert_null(dir);
}

/* Return 1 when the directory of GUN exists in the cache. */
static int gun_dir_exists(fixture *f)
{
	char path[512];
	struct stat sb;

	snprintf(path, sizeof(path), "%s/%s", f->root, GUN_DIR);
	return stat(path, &sb) == 0;
}

/* A transaction on a new GUN that commits nothing leaves no directory. */
static void test_cache_empty_gun_removed(void **state)
{
	fixture *f = *state;
	tufsign_trust_txn *txn = begin(f, GUN);

	assert_true(gun_dir_exists(f));
	tufsign_trust_txn_free(txn);
	assert_false(gun_dir_exists(f));

	txn = begin(f, GUN);
	stage(txn, "root", "never committed");
	tufsign_trust_txn_free(txn);
	assert_false(gun_dir_exists(f));
}

/* A run that waits on the lock of a directory its holder removes starts
 * over on a new directory, and its commit lands there. */
static void test_cache_wait_on_removed_dir(void **state)
{
	fixture *f = *state;
	tufsign_trust_txn *txn = NULL;
	tufsign_error err;
	char names[256];
	pid_t child = hold_lock_in_child(f, 500 * 1000, NULL);
	int status = 0;

	tufsign_error_clear(&err);
	assert_int_equal(tufsign_trust_cache_begin(f->cache, GUN, 20000, &txn, &err), TUFSIGN_OK);
	assert_int_equal(waitpid(child, &status, 0), child);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	stage(txn, "root", "after the wait");
	commit(txn);
	tufsign_trust_txn_free(txn);
	list_gun_dir(f, GUN_DIR, names, sizeof(names));
	assert_string_equal(names, "current gen.1 lock");
	txn = begin(f, GUN);
	expect_role(txn, "root", "after the wait");
	tufsign_trust_txn_free(txn);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_cache_round_trip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cache_free_rolls_back, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cache_commit_keeps_unchanged, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cache_remove_and_clear, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cache_crash_leftovers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cache_lock_two_processes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cache_empty_gun_removed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cache_wait_on_removed_dir, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cache_kill_during_commits, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cache_gun_names_separate, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cache_rejects_bad_names, setup, teardown),
		cmocka_unit_test(test_gun_escape),
		cmocka_unit_test(test_default_dir),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
