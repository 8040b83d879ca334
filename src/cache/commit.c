/* Commit of a trust cache transaction: complete the staging directory with
 * the unchanged files of the current generation, make it durable, then
 * switch "current" to it with one rename. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cache/fsutil.h"
#include "cache/txn.h"
#include "internal.h"

#define COMPONENT "cache"

/* Whether the committed file rel ("targets/releases.json") is carried over
 * into the new generation. */
static int keep_file(const tufsign_trust_txn *txn, const char *rel)
{
	size_t n = strlen(rel);
	char *role;
	int keep;

	if (n <= 5 || strcmp(rel + n - 5, ".json") != 0)
		return 0;
	role = tf_strndup(rel, n - 5);
	if (role == NULL)
		return 0;
	keep = !tf_role_list_contains(&txn->staged, role) &&
	       !tf_role_list_contains(&txn->removed, role);
	free(role);
	return keep;
}

/* Hard links share the bytes already on disk; a copy is made only where a
 * link is impossible. */
static int link_or_copy(int src_fd, int dst_fd, const char *name)
{
	unsigned char *data = NULL;
	size_t len = 0;
	tufsign_error ignored;
	int rc;

	if (linkat(src_fd, name, dst_fd, name, 0) == 0)
		return 0;
	if (errno != EXDEV && errno != EPERM && errno != EMLINK)
		return -1;
	if (tf_read_file_at(src_fd, name, &data, &len, name, &ignored) != TUFSIGN_OK)
		return -1;
	rc = tf_write_file_at(dst_fd, name, data, len, name, &ignored) == TUFSIGN_OK ? 0 : -1;
	free(data);
	return rc;
}

static tufsign_status carry_over(const tufsign_trust_txn *txn, int src_fd, int dst_fd,
				 const char *prefix, tufsign_error *err);

static tufsign_status carry_over_dir(const tufsign_trust_txn *txn, int src_fd, int dst_fd,
				     const char *name, const char *rel, tufsign_error *err)
{
	tufsign_status st = TUFSIGN_OK;
	int sub_src = -1, sub_dst = -1;
	char *prefix = tf_asprintf("%s/", rel);

	if (prefix == NULL)
		return tufsign_error_set(err, TUFSIGN_ERR_NOMEM, "out of memory");
	if (mkdirat(dst_fd, name, 0700) != 0 && errno != EEXIST) {
		st = tufsign_error_set(err, TUFSIGN_ERR_IO, "cannot create '%s' in '%s': %s", rel,
				       txn->dir, strerror(errno));
		goto out;
	}
	sub_src = openat(src_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	sub_dst = openat(dst_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (sub_src < 0 || sub_dst < 0) {
		st = tufsign_error_set(err, TUFSIGN_ERR_IO, "cannot open '%s' in '%s': %s", rel,
				       txn->dir, strerror(errno));
		goto out;
	}
	st = carry_over(txn, sub_src, sub_dst, prefix, err);
	if (st == TUFSIGN_OK && fsync(sub_dst) != 0)
		st = tufsign_error_set(err, TUFSIGN_ERR_IO, "cannot sync '%s' in '%s': %s", rel,
				       txn->dir, strerror(errno));
out:
	if (sub_src >= 0)
		close(sub_src);
	if (sub_dst >= 0)
		close(sub_dst);
	free(prefix);
	return st;
}

/* Link every kept file below src_fd into dst_fd; prefix is the relative
 * path of src_fd inside the generation ("" or "targets/"). */
static tufsign_status carry_over(const tufsign_trust_txn *txn, int src_fd, int dst_fd,
				 const char *prefix, tufsign_error *err)
{
	tufsign_status st = TUFSIGN_OK;
	int fd = dup(src_fd);
	DIR *dir = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *entry;

	if (dir == NULL) {
		if (fd >= 0)
			close(fd);
		return tufsign_error_set(err, TUFSIGN_ERR_IO, "cannot list '%s': %s", txn->dir,
					 strerror(errno));
	}
	while (st == TUFSIGN_OK && (entry = readdir(dir)) != NULL) {
		struct stat sb;
		char *rel;

		if (entry->d_name[0] == '.')
			continue;
		rel = tf_asprintf("%s%s", prefix, entry->d_name);
		if (rel == NULL) {
			st = tufsign_error_set(err, TUFSIGN_ERR_NOMEM, "out of memory");
			break;
		}
		if (fstatat(src_fd, entry->d_name, &sb, AT_SYMLINK_NOFOLLOW) != 0)
			st = tufsign_error_set(err, TUFSIGN_ERR_IO, "cannot read '%s' in '%s': %s",
					       rel, txn->dir, strerror(errno));
		else if (S_ISDIR(sb.st_mode))
			st = carry_over_dir(txn, src_fd, dst_fd, entry->d_name, rel, err);
		else if (S_ISREG(sb.st_mode) && keep_file(txn, rel) &&
			 link_or_copy(src_fd, dst_fd, entry->d_name) != 0)
			st = tufsign_error_set(err, TUFSIGN_ERR_IO, "cannot keep '%s' of '%s': %s",
					       rel, txn->dir, strerror(errno));
		free(rel);
	}
	closedir(dir);
	return st;
}

static tufsign_status carry_over_current(tufsign_trust_txn *txn, tufsign_error *err)
{
	tufsign_status st;
	char name[32];
	int fd;

	if (txn->generation == 0 || txn->clear)
		return TUFSIGN_OK;
	snprintf(name, sizeof(name), "gen.%lu", txn->generation);
	fd = openat(txn->dir_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return tufsign_error_set(err, TUFSIGN_ERR_IO, "cannot open '%s/%s': %s", txn->dir,
					 name, strerror(errno));
	st = carry_over(txn, fd, txn->staging_fd, "", err);
	close(fd);
	return st;
}

/* Point "current" at name with one rename, the moment of the commit. */
static tufsign_status switch_current(tufsign_trust_txn *txn, const char *name, tufsign_error *err)
{
	tufsign_error sync_err;

	unlinkat(txn->dir_fd, "current.tmp", 0);
	if (symlinkat(name, txn->dir_fd, "current.tmp") != 0 ||
	    renameat(txn->dir_fd, "current.tmp", txn->dir_fd, "current") != 0) {
		tufsign_status st = tufsign_error_set(err, TUFSIGN_ERR_IO,
						      "cannot switch '%s/current' to '%s': %s",
						      txn->dir, name, strerror(errno));

		unlinkat(txn->dir_fd, "current.tmp", 0);
		return st;
	}
	/* The commit is visible now; a failed sync only risks losing it in a
	 * crash, which leaves the previous generation. */
	tufsign_error_clear(&sync_err);
	if (tf_fsync_dir_at(txn->dir_fd, ".", txn->dir, &sync_err) != TUFSIGN_OK)
		TF_WARN(COMPONENT, "%s", sync_err.message);
	return TUFSIGN_OK;
}

static int txn_dirty(const tufsign_trust_txn *txn)
{
	return txn->staged.count > 0 || txn->removed.count > 0 || txn->clear;
}

tufsign_status tufsign_trust_txn_commit(tufsign_trust_txn *txn, tufsign_error *err)
{
	tufsign_status st = TUFSIGN_OK;
	char old_name[32], new_name[32];
	unsigned long next = txn->generation + 1;

	if (!txn_dirty(txn))
		return TUFSIGN_OK;
	snprintf(old_name, sizeof(old_name), "gen.%lu", txn->generation);
	snprintf(new_name, sizeof(new_name), "gen.%lu", next);
	/* With only removals staged, the new generation starts empty. */
	st = tf_txn_ensure_staging(txn, err);
	if (st != TUFSIGN_OK)
		return st;
	st = carry_over_current(txn, err);
	if (st == TUFSIGN_OK && fsync(txn->staging_fd) != 0)
		st = tufsign_error_set(err, TUFSIGN_ERR_IO, "cannot sync '%s/%s': %s", txn->dir,
				       txn->staging, strerror(errno));
	if (st != TUFSIGN_OK)
		return st;
	tf_remove_tree_at(txn->dir_fd, new_name);
	if (renameat(txn->dir_fd, txn->staging, txn->dir_fd, new_name) != 0)
		return tufsign_error_set(err, TUFSIGN_ERR_IO, "cannot rename '%s/%s' to '%s': %s",
					 txn->dir, txn->staging, new_name, strerror(errno));
	/* The staging directory is now new_name: drop_staged must not remove
	 * it by its old name, and a failed switch removes it here. */
	free(txn->staging);
	txn->staging = tf_strdup(new_name);
	st = switch_current(txn, new_name, err);
	if (st != TUFSIGN_OK)
		return st;
	free(txn->staging);
	txn->staging = NULL;
	tf_txn_drop_staged(txn);
	txn->generation = next;
	if (next > 1 && tf_remove_tree_at(txn->dir_fd, old_name) != 0)
		TF_WARN(COMPONENT, "cannot remove the old generation '%s/%s': %s", txn->dir,
			old_name, strerror(errno));
	TF_DEBUG(COMPONENT, "committed '%s' generation %lu", txn->dir, next);
	return TUFSIGN_OK;
}
