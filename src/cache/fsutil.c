/* File system helpers of the trust cache. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/rand.h>

#include "cache/fsutil.h"
#include "internal.h"

tufsign_status tf_mkdirs(const char *path, tufsign_error *err)
{
	char *copy = tf_strdup(path);
	char *p;
	char saved = '\0';
	tufsign_status st = TUFSIGN_OK;

	if (copy == NULL)
		return tufsign_error_set(err, TUFSIGN_ERR_NOMEM, "out of memory");
	/* Create each prefix that ends before a '/', then the whole path. */
	for (p = copy + 1; st == TUFSIGN_OK; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		saved = *p;
		*p = '\0';
		if (mkdir(copy, 0700) != 0 && errno != EEXIST)
			st = tufsign_error_set(err, TUFSIGN_ERR_IO,
					       "cannot create directory '%s': %s", copy,
					       strerror(errno));
		*p = saved;
		if (saved == '\0')
			break;
	}
	free(copy);
	return st;
}

tufsign_status tf_mkdirs_at(int dirfd, const char *rel, const char *shown, tufsign_error *err)
{
	char *copy = tf_strdup(rel);
	char *slash;
	tufsign_status st = TUFSIGN_OK;

	if (copy == NULL)
		return tufsign_error_set(err, TUFSIGN_ERR_NOMEM, "out of memory");
	for (slash = strchr(copy, '/'); slash != NULL; slash = strchr(slash + 1, '/')) {
		*slash = '\0';
		if (mkdirat(dirfd, copy, 0700) != 0 && errno != EEXIST) {
			st = tufsign_error_set(err, TUFSIGN_ERR_IO,
					       "cannot create the directory of '%s': %s", shown,
					       strerror(errno));
			break;
		}
		*slash = '/';
	}
	free(copy);
	return st;
}

static int write_all(int fd, const unsigned char *data, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, data, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		data += n;
		len -= (size_t)n;
	}
	return 0;
}

/* "<rel>.tmp-<random hex>" next to rel. */
static char *temp_name(const char *rel)
{
	unsigned char random[8];
	char hex[17];

	if (RAND_bytes(random, sizeof(random)) != 1)
		return NULL;
	tf_hex_encode(random, sizeof(random), hex);
	return tf_asprintf("%s.tmp-%s", rel, hex);
}

tufsign_status tf_write_file_at(int dirfd, const char *rel, const unsigned char *data, size_t len,
				const char *shown, tufsign_error *err)
{
	tufsign_status st = TUFSIGN_OK;
	char *tmp = temp_name(rel);
	int fd = -1;

	if (tmp == NULL)
		return tufsign_error_set(err, TUFSIGN_ERR_NOMEM, "out of memory writing '%s'",
					 shown);
	fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0 || write_all(fd, data, len) != 0 || fsync(fd) != 0) {
		st = tufsign_error_set(err, TUFSIGN_ERR_IO, "cannot write '%s': %s", shown,
				       strerror(errno));
		goto out;
	}
	if (close(fd) != 0) {
		fd = -1;
		st = tufsign_error_set(err, TUFSIGN_ERR_IO, "cannot write '%s': %s", shown,
				       strerror(errno));
		goto out;
	}
	fd = -1;
	if (renameat(dirfd, tmp, dirfd, rel) != 0)
		st = tufsign_error_set(err, TUFSIGN_ERR_IO, "cannot rename '%s' into place: %s",
				       shown, strerror(errno));
out:
	if (fd >= 0)
		close(fd);
	if (st != TUFSIGN_OK)
		unlinkat(dirfd, tmp, 0);
	free(tmp);
	return st;
}

tufsign_status tf_read_file_at(int dirfd, const char *rel, unsigned char **data, size_t *len,
			       const char *shown, tufsign_error *err)
{
	tufsign_status st = TUFSIGN_OK;
	int fd;
	tf_buf b;
	unsigned char chunk[65536];
	ssize_t n;

	*data = NULL;
	*len = 0;
	tf_buf_init(&b);
	fd = openat(dirfd, rel, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return tufsign_error_set(err,
					 errno == ENOENT ? TUFSIGN_ERR_NOT_FOUND : TUFSIGN_ERR_IO,
					 "cannot open '%s': %s", shown, strerror(errno));
	while ((n = read(fd, chunk, sizeof(chunk))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			st = tufsign_error_set(err, TUFSIGN_ERR_IO, "cannot read '%s': %s", shown,
					       strerror(errno));
			goto out;
		}
		tf_buf_append(&b, chunk, (size_t)n);
	}
	*data = tf_buf_steal(&b, len);
	if (*data == NULL)
		st = tufsign_error_set(err, TUFSIGN_ERR_NOMEM, "out of memory reading '%s'", shown);
out:
	tf_buf_release(&b, 0);
	close(fd);
	return st;
}

tufsign_status tf_fsync_dir_at(int dirfd, const char *rel, const char *shown, tufsign_error *err)
{
	int fd = openat(dirfd, rel, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int rc = fd >= 0 ? fsync(fd) : -1;

	if (rc != 0)
		tufsign_error_set(err, TUFSIGN_ERR_IO, "cannot sync directory '%s': %s", shown,
				  strerror(errno));
	if (fd >= 0)
		close(fd);
	return rc == 0 ? TUFSIGN_OK : TUFSIGN_ERR_IO;
}

static int remove_children(int fd)
{
	DIR *dir = fdopendir(fd);
	struct dirent *entry;
	int rc = 0;

	if (dir == NULL) {
		close(fd);
		return -1;
	}
	while ((entry = readdir(dir)) != NULL) {
		if (strcmp(entry->d_name, ".") == 0 || strcmp(entry->d_name, "..") == 0)
			continue;
		if (tf_remove_tree_at(dirfd(dir), entry->d_name) != 0)
			rc = -1;
	}
	closedir(dir);
	return rc;
}

int tf_remove_tree_at(int dirfd, const char *rel)
{
	struct stat sb;
	int fd;

	if (fstatat(dirfd, rel, &sb, AT_SYMLINK_NOFOLLOW) != 0)
		return errno == ENOENT ? 0 : -1;
	if (!S_ISDIR(sb.st_mode))
		return unlinkat(dirfd, rel, 0) == 0 || errno == ENOENT ? 0 : -1;
	fd = openat(dirfd, rel, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 || remove_children(fd) != 0)
		return -1;
	return unlinkat(dirfd, rel, AT_REMOVEDIR) == 0 || errno == ENOENT ? 0 : -1;
}
