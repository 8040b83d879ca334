/* Reading, staging and committing inside a trust cache transaction. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cache/fsutil.h"
#include "cache/names.h"
#include "cache/txn.h"
#include "internal.h"

#define COMPONENT "cache"

int tf_role_list_contains(const tf_role_list *list, const char *role)
{
	size_t i;

	for (i = 0; i < list->count; i++) {
		if (strcmp(list->roles[i], role) == 0)
			return 1;
	}
	return 0;
}

static int list_add(tf_role_list *list, const char *role)
{
	char **grown;
	char *copy;

	if (tf_role_list_contains(list, role))
		return 0;
	copy = tf_strdup(role);
	grown = copy ? realloc(list->roles, (list->count + 1) * sizeof(*grown)) : NULL;
	if (grown == NULL) {
		free(copy);
		return -1;
	}
	list->roles = grown;
	list->roles[list->count++] = copy;
	return 0;
}

static void list_remove(tf_role_list *list, const char *role)
{
	size_t i;

	for (i = 0; i < list->count; i++) {
		if (strcmp(list->roles[i], role) == 0) {
			free(list->roles[i]);
			list->roles[i] = list->roles[--list->count];
			return;
		}
	}
}

static void list_release(tf_role_list *list)
{
	size_t i;

	for (i = 0; i < list->count; i++)
		free(list->roles[i]);
	free(list->roles);
	list->roles = NULL;
	list->count = 0;
}

void tf_txn_drop_staged(tufsign_trust_txn *txn)
{
	if (txn->staging_fd >= 0)
		close(txn->staging_fd);
	txn->staging_fd = -1;
	if (txn->staging != NULL && tf_remove_tree_at(txn->dir_fd, txn->staging) != 0)
		TF_WARN(COMPONENT, "cannot remove '%s/%s': %s", txn->dir, txn->staging,
			strerror(errno));
	free(txn->staging);
	txn->staging = NULL;
	list_release(&txn->staged);
	list_release(&txn->removed);
	txn->clear = 0;
}

static char *role_file(const char *role)
{
	return tf_asprintf("%s.json", role);
}

tufsign_status tufsign_trust_txn_read(tufsign_trust_txn *txn, const char *role,
				      unsigned char **data, size_t *len, tufsign_error *err)
{
	tufsign_status st;
	char *rel = NULL, *shown = NULL;
	int from_staging;

	*data = NULL;
	*len = 0;
	st = tf_check_role(role, err);
	if (st != TUFSIGN_OK)
		return st;
	from_staging = tf_role_list_contains(&txn->staged, role);
	if (!from_staging &&
	    (txn->clear || txn->generation == 0 || tf_role_list_contains(&txn->removed, role)))
		return tufsign_error_set(err, TUFSIGN_ERR_NOT_FOUND,
					 "the trust cache has no '%s' for '%s'", role, txn->gun);
	rel = from_staging ? role_file(role)
			   : tf_asprintf("gen.%lu/%s.json", txn->generation, role);
	shown = tf_asprintf("%s/%s", txn->dir, rel ? rel : "");
	if (rel == NULL || shown == NULL) {
		st = tufsign_error_set(err, TUFSIGN_ERR_NOMEM, "out of memory");
		goto out;
	}
	st = tf_read_file_at(from_staging ? txn->staging_fd : txn->dir_fd, rel, data, len, shown,
			     err);
out:
	free(rel);
	free(shown);
	return st;
}

tufsign_status tf_txn_ensure_staging(tufsign_trust_txn *txn, tufsign_error *err)
{
	if (txn->staging != NULL)
		return TUFSIGN_OK;
	txn->staging = tf_asprintf("staging.%ld", (long)getpid());
	if (txn->staging == NULL)
		return tufsign_error_set(err, TUFSIGN_ERR_NOMEM, "out of memory");
	if (mkdirat(txn->dir_fd, txn->staging, 0700) != 0 ||
	    (txn->staging_fd = openat(txn->dir_fd, txn->staging,
				      O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0) {
		tufsign_status st =
			tufsign_error_set(err, TUFSIGN_ERR_IO, "cannot create '%s/%s': %s",
					  txn->dir, txn->staging, strerror(errno));

		tf_remove_tree_at(txn->dir_fd, txn->staging);
		free(txn->staging);
		txn->staging = NULL;
		return st;
	}
	return TUFSIGN_OK;
}

tufsign_status tufsign_trust_txn_stage(tufsign_trust_txn *txn, const char *role,
				       const unsigned char *data, size_t len, tufsign_error *err)
{
	tufsign_status st;
	char *rel = NULL, *shown = NULL;

	st = tf_check_role(role, err);
	if (st == TUFSIGN_OK)
		st = tf_txn_ensure_staging(txn, err);
	if (st != TUFSIGN_OK)
		return st;
	rel = role_file(role);
	shown = tf_asprintf("%s/%s/%s", txn->dir, txn->staging, rel ? rel : "");
	if (rel == NULL || shown == NULL) {
		st = tufsign_error_set(err, TUFSIGN_ERR_NOMEM, "out of memory");
		goto out;
	}
	st = tf_mkdirs_at(txn->staging_fd, rel, shown, err);
	if (st == TUFSIGN_OK)
		st = tf_write_file_at(txn->staging_fd, rel, data, len, shown, err);
	if (st == TUFSIGN_OK && list_add(&txn->staged, role) != 0)
		st = tufsign_error_set(err, TUFSIGN_ERR_NOMEM, "out of memory");
	if (st == TUFSIGN_OK)
		list_remove(&txn->removed, role);
out:
	free(rel);
	free(shown);
	return st;
}

tufsign_status tufsign_trust_txn_stage_remove(tufsign_trust_txn *txn, const char *role,
					      tufsign_error *err)
{
	tufsign_status st = tf_check_role(role, err);
	char *rel = NULL;

	if (st != TUFSIGN_OK)
		return st;
	if (tf_role_list_contains(&txn->staged, role)) {
		rel = role_file(role);
		if (rel == NULL)
			return tufsign_error_set(err, TUFSIGN_ERR_NOMEM, "out of memory");
		if (unlinkat(txn->staging_fd, rel, 0) != 0 && errno != ENOENT)
			st = tufsign_error_set(err, TUFSIGN_ERR_IO, "cannot remove staged '%s': %s",
					       role, strerror(errno));
		free(rel);
		if (st != TUFSIGN_OK)
			return st;
		list_remove(&txn->staged, role);
	}
	if (list_add(&txn->removed, role) != 0)
		return tufsign_error_set(err, TUFSIGN_ERR_NOMEM, "out of memory");
	return TUFSIGN_OK;
}

tufsign_status tufsign_trust_txn_stage_clear(tufsign_trust_txn *txn, tufsign_error *err)
{
	(void)err;
	txn->clear = 1;
	list_release(&txn->removed);
	return TUFSIGN_OK;
}
