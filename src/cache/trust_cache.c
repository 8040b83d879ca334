/* Trust cache: per GUN, a directory "<root>/<escaped GUN>" with a "lock"
 * file and "current", a symbolic link to the generation directory
 * "gen.<N>" that contains the role files. A transaction stages new files in a
 * fresh directory, hard-links the unchanged files of the current
 * generation next to them, and commits by replacing the link in one
 * rename, so readers and crashes see either the old or the new set. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "cache/fsutil.h"
#include "cache/names.h"
#include "cache/txn.h"
#include "internal.h"
#include "tufsign/trust_cache.h"

#define COMPONENT "cache"
/* Escaped GUNs longer than this are shortened and made unique by a hash,
 * so the directory name stays within NAME_MAX (255). */
#define ESCAPED_GUN_MAX 200
#define LOCK_POLL_MS    50

struct tufsign_trust_cache {
	char *root;
};

tufsign_status tufsign_trust_cache_default_dir(char **dir, tufsign_error *err)
{
	const char *given = getenv("TUFSIGN_TRUST_DIR");
	const char *data_home = getenv("XDG_DATA_HOME");
	const char *home = getenv("HOME");

	*dir = NULL;
	if (given != NULL && given[0] != '\0')
		*dir = tf_strdup(given);
	else if (data_home != NULL && data_home[0] == '/')
		*dir = tf_asprintf("%s/tufsign/trust", data_home);
	else if (home != NULL && home[0] == '/')
		*dir = tf_asprintf("%s/.local/share/tufsign/trust", home);
	else
		return tufsign_error_set(err, TUFSIGN_ERR_INVALID_ARGUMENT,
					 "no trust directory: set -d DIR, TUFSIGN_TRUST_DIR, "
					 "XDG_DATA_HOME or HOME");
	if (*dir == NULL)
		return tufsign_error_set(err, TUFSIGN_ERR_NOMEM, "out of memory");
	return TUFSIGN_OK;
}

tufsign_status tufsign_trust_cache_open(const char *dir, tufsign_trust_cache **out,
					tufsign_error *err)
{
	tufsign_status st;
	tufsign_trust_cache *cache;

	*out = NULL;
	if (dir == NULL || dir[0] == '\0')
		return tufsign_error_set(err, TUFSIGN_ERR_INVALID_ARGUMENT,
					 "the trust directory is empty");
	st = tf_mkdirs(dir, err);
	if (st != TUFSIGN_OK)
		return st;
	cache = calloc(1, sizeof(*cache));
	if (cache == NULL || (cache->root = tf_strdup(dir)) == NULL) {
		free(cache);
		return tufsign_error_set(err, TUFSIGN_ERR_NOMEM, "out of memory");
	}
	*out = cache;
	return TUFSIGN_OK;
}

void tufsign_trust_cache_free(tufsign_trust_cache *cache)
{
	if (cache == NULL)
		return;
	free(cache->root);
	free(cache);
}

/* Directory name of gun: its escaped form, or for a long GUN a prefix of
 * it followed by "~" and the SHA-256 of the whole GUN. */
static char *gun_dir_name(const char *gun)
{
	char *escaped = tf_gun_escape(gun);
	unsigned char digest[32];
	char hex[65];
	size_t cut = 128;
	char *name;

	if (escaped == NULL || strlen(escaped) <= ESCAPED_GUN_MAX)
		return escaped;
	if (EVP_Digest(gun, strlen(gun), digest, NULL, EVP_sha256(), NULL) != 1) {
		free(escaped);
		return NULL;
	}
	tf_hex_encode(digest, sizeof(digest), hex);
	/* Do not cut through a "%XX" escape. */
	while (cut > 0 && (escaped[cut - 1] == '%' || (cut > 1 && escaped[cut - 2] == '%')))
		cut--;
	name = tf_asprintf("%.*s~%s", (int)cut, escaped, hex);
	free(escaped);
	return name;
}

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

/* Return 1 when the lock file that txn holds open was unlinked: a run that
 * left the GUN empty removed its directory while this one waited. */
static int lock_unlinked(const tufsign_trust_txn *txn)
{
	struct stat sb;

	return fstat(txn->lock_fd, &sb) == 0 && sb.st_nlink == 0;
}

/* Take the exclusive flock of the GUN, waiting up to timeout_ms. Leaves
 * txn->lock_fd at -1 and succeeds when the directory was removed after it
 * was opened, so the caller opens it again. */
static tufsign_status take_lock(tufsign_trust_txn *txn, long timeout_ms, tufsign_error *err)
{
	tufsign_status st = TUFSIGN_OK;
	long waited = 0;

	txn->lock_fd = openat(txn->dir_fd, "lock", O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (txn->lock_fd < 0 && errno == ENOENT)
		return TUFSIGN_OK;
	if (txn->lock_fd < 0)
		return tufsign_error_set(err, TUFSIGN_ERR_IO,
					 "cannot open the lock file in '%s': %s", txn->dir,
					 strerror(errno));
	while (flock(txn->lock_fd, LOCK_EX | LOCK_NB) != 0) {
		if (errno != EWOULDBLOCK && errno != EINTR) {
			st = tufsign_error_set(err, TUFSIGN_ERR_IO, "cannot lock '%s': %s",
					       txn->dir, strerror(errno));
			break;
		}
		if (waited >= timeout_ms) {
			st = tufsign_error_set(
				err, TUFSIGN_ERR_LOCKED,
				"the trust cache of '%s' is locked by another "
				"tufsign process; waited %ld ms (lock file '%s/lock')",
				txn->gun, waited, txn->dir);
			break;
		}
		if (waited == 0)
			TF_INFO(COMPONENT, "waiting for another process to release '%s/lock'",
				txn->dir);
		sleep_ms(LOCK_POLL_MS);
		waited += LOCK_POLL_MS;
	}
	/* Only a held lock stays open: tufsign_trust_txn_free() takes an open
	 * lock_fd as the right to remove the directory. */
	if (st != TUFSIGN_OK) {
		close(txn->lock_fd);
		txn->lock_fd = -1;
	}
	return st;
}

/* Read the generation "current" points to; 0 when there is none. */
static tufsign_status read_generation(tufsign_trust_txn *txn, tufsign_error *err)
{
	char target[64];
	ssize_t n = readlinkat(txn->dir_fd, "current", target, sizeof(target) - 1);
	char *end = NULL;

	txn->generation = 0;
	if (n < 0 && errno == ENOENT)
		return TUFSIGN_OK;
	if (n < 0)
		return tufsign_error_set(err, TUFSIGN_ERR_IO, "cannot read '%s/current': %s",
					 txn->dir, strerror(errno));
	target[n] = '\0';
	if (strncmp(target, "gen.", 4) == 0)
		txn->generation = strtoul(target + 4, &end, 10);
	if (end == NULL || *end != '\0' || txn->generation == 0)
		return tufsign_error_set(err, TUFSIGN_ERR_IO,
					 "'%s/current' points to '%s', not to a generation "
					 "directory; remove '%s' to start over",
					 txn->dir, target, txn->dir);
	return TUFSIGN_OK;
}

/* Remove what a crashed run left: staging and old generation directories
 * and temporary links. Needs the lock. */
static void remove_leftovers(tufsign_trust_txn *txn)
{
	char current[32];
	DIR *dir;
	struct dirent *entry;
	int fd = openat(txn->dir_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0 || (dir = fdopendir(fd)) == NULL) {
		if (fd >= 0)
			close(fd);
		return;
	}
	snprintf(current, sizeof(current), "gen.%lu", txn->generation);
	while ((entry = readdir(dir)) != NULL) {
		const char *name = entry->d_name;

		if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0 ||
		    strcmp(name, "lock") == 0 || strcmp(name, "current") == 0 ||
		    strcmp(name, current) == 0)
			continue;
		TF_DEBUG(COMPONENT, "removing leftover '%s/%s'", txn->dir, name);
		tf_remove_tree_at(txn->dir_fd, name);
	}
	closedir(dir);
}

static tufsign_status open_gun_dir(tufsign_trust_cache *cache, tufsign_trust_txn *txn,
				   tufsign_error *err)
{
	char *name = gun_dir_name(txn->gun);
	int root_fd = -1;
	tufsign_status st = TUFSIGN_OK;

	free(txn->dir);
	txn->dir = name ? tf_asprintf("%s/%s", cache->root, name) : NULL;
	if (txn->dir == NULL) {
		st = tufsign_error_set(err, TUFSIGN_ERR_NOMEM, "out of memory");
		goto out;
	}
	root_fd = open(cache->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (root_fd < 0 || (mkdirat(root_fd, name, 0700) != 0 && errno != EEXIST)) {
		st = tufsign_error_set(err, TUFSIGN_ERR_IO, "cannot create '%s': %s", txn->dir,
				       strerror(errno));
		goto out;
	}
	txn->dir_fd = openat(root_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (txn->dir_fd < 0)
		st = tufsign_error_set(err, TUFSIGN_ERR_IO, "cannot open '%s': %s", txn->dir,
				       strerror(errno));
out:
	if (root_fd >= 0)
		close(root_fd);
	free(name);
	return st;
}

tufsign_status tufsign_trust_cache_begin(tufsign_trust_cache *cache, const char *gun,
					 long lock_timeout_ms, tufsign_trust_txn **out,
					 tufsign_error *err)
{
	tufsign_status st;
	tufsign_trust_txn *txn;
	int tries;

	*out = NULL;
	st = tf_check_gun(gun, err);
	if (st != TUFSIGN_OK)
		return st;
	txn = calloc(1, sizeof(*txn));
	if (txn == NULL)
		return tufsign_error_set(err, TUFSIGN_ERR_NOMEM, "out of memory");
	txn->dir_fd = txn->lock_fd = txn->staging_fd = -1;
	txn->gun = tf_strdup(gun);
	if (txn->gun == NULL)
		st = tufsign_error_set(err, TUFSIGN_ERR_NOMEM, "out of memory");
	/* A directory removed by the holder of the lock is made again. */
	for (tries = 0; st == TUFSIGN_OK && tries < 8; tries++) {
		st = open_gun_dir(cache, txn, err);
		if (st == TUFSIGN_OK)
			st = take_lock(txn, lock_timeout_ms, err);
		if (st != TUFSIGN_OK || (txn->lock_fd >= 0 && !lock_unlinked(txn)))
			break;
		if (txn->lock_fd >= 0)
			close(txn->lock_fd);
		close(txn->dir_fd);
		txn->lock_fd = txn->dir_fd = -1;
	}
	if (st == TUFSIGN_OK && txn->lock_fd < 0)
		st = tufsign_error_set(err, TUFSIGN_ERR_LOCKED,
				       "the trust cache directory of '%s' kept being removed "
				       "while tufsign waited for its lock",
				       gun);
	if (st == TUFSIGN_OK)
		st = read_generation(txn, err);
	if (st != TUFSIGN_OK) {
		tufsign_trust_txn_free(txn);
		return st;
	}
	remove_leftovers(txn);
	TF_DEBUG(COMPONENT, "locked '%s' (generation %lu)", txn->dir, txn->generation);
	*out = txn;
	return TUFSIGN_OK;
}

const char *tufsign_trust_txn_path(const tufsign_trust_txn *txn)
{
	return txn->dir;
}

/* Return 1 when the GUN directory holds nothing but its lock file. */
static int only_lock_left(const tufsign_trust_txn *txn)
{
	int fd = openat(txn->dir_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *dir = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *entry;
	int others = 0;

	if (dir == NULL) {
		if (fd >= 0)
			close(fd);
		return 0;
	}
	while ((entry = readdir(dir)) != NULL)
		others += strcmp(entry->d_name, ".") != 0 && strcmp(entry->d_name, "..") != 0 &&
			  strcmp(entry->d_name, "lock") != 0;
	closedir(dir);
	return others == 0;
}

/* Remove a GUN directory that no run ever committed to, so a failed first
 * run leaves the cache as it was. The lock file is unlinked while held, so
 * a run that waits on it notices and starts over (lock_unlinked). */
static void remove_if_empty(const tufsign_trust_txn *txn)
{
	if (txn->lock_fd < 0 || txn->dir_fd < 0 || txn->generation != 0 || !only_lock_left(txn))
		return;
	if (unlinkat(txn->dir_fd, "lock", 0) == 0 && rmdir(txn->dir) == 0)
		TF_DEBUG(COMPONENT, "removed '%s', which held nothing", txn->dir);
}

void tufsign_trust_txn_free(tufsign_trust_txn *txn)
{
	if (txn == NULL)
		return;
	tf_txn_drop_staged(txn);
	remove_if_empty(txn);
	if (txn->lock_fd >= 0)
		close(txn->lock_fd); /* releases the flock */
	if (txn->dir_fd >= 0)
		close(txn->dir_fd);
	free(txn->gun);
	free(txn->dir);
	free(txn);
}
