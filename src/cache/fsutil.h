/* File system helpers of the trust cache, all relative to directory file
 * descriptors so a renamed parent cannot redirect them. */
#ifndef TF_CACHE_FSUTIL_H
#define TF_CACHE_FSUTIL_H

#include <stddef.h>

#include "tufsign/error.h"

/* Create every missing directory of path with mode 0700. */
tufsign_status tf_mkdirs(const char *path, tufsign_error *err);

/* Create the parent directories of the relative path rel under dirfd. */
tufsign_status tf_mkdirs_at(int dirfd, const char *rel, const char *shown, tufsign_error *err);

/* Write len bytes to rel under dirfd (mode 0600): a temporary file in the
 * same directory, fsync, rename over rel. shown names the file in messages. */
tufsign_status tf_write_file_at(int dirfd, const char *rel, const unsigned char *data, size_t len,
				const char *shown, tufsign_error *err);

/* Read rel under dirfd. TUFSIGN_ERR_NOT_FOUND when it does not exist. *data
 * is malloc'd and NUL-terminated. */
tufsign_status tf_read_file_at(int dirfd, const char *rel, unsigned char **data, size_t *len,
			       const char *shown, tufsign_error *err);

/* fsync the directory rel under dirfd ("." for dirfd itself). */
tufsign_status tf_fsync_dir_at(int dirfd, const char *rel, const char *shown, tufsign_error *err);

/* Remove rel under dirfd and, for a directory, everything below it. A
 * missing rel is not an error. Returns 0 or -1 with errno set. */
int tf_remove_tree_at(int dirfd, const char *rel);

#endif
