/* Local trust cache: per GUN, the pinned root and the last verified metadata
 * files, exactly as downloaded or published.
 *
 * Every access goes through a transaction that holds the GUN's lock, an
 * flock on a lock file, so a second process waits. A transaction begins,
 * reads, stages new or removed files, then commits all of them at once or
 * is freed to drop them. A crash or a failed run leaves the cache as it was before
 * the transaction began.
 *
 * The cache stores bytes only. Callers verify metadata (signatures, hashes,
 * versions, expiry) before staging it, and compare the committed versions
 * with new downloads to detect rollback.
 *
 * Layout under the root directory, for readers of the files: one directory
 * per GUN, named by escaping the GUN into one path component, holding a
 * "lock" file and "current", a symbolic link to the generation directory
 * with root.json, timestamp.json, snapshot.json, targets.json and
 * delegations such as targets/releases.json. Directories are created 0700
 * and files 0600. */
#ifndef TUFSIGN_TRUST_CACHE_H
#define TUFSIGN_TRUST_CACHE_H

#include <stddef.h>

#include "tufsign/error.h"
#include "tufsign/export.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Suggested wait for the lock of a GUN: long enough for another run to
 * finish a publish. */
#define TUFSIGN_TRUST_LOCK_TIMEOUT_MS 120000L

typedef struct tufsign_trust_cache tufsign_trust_cache;
typedef struct tufsign_trust_txn tufsign_trust_txn;

/* Compute the default root directory: $TUFSIGN_TRUST_DIR when set and not
 * empty, else "$XDG_DATA_HOME/tufsign/trust", else
 * "$HOME/.local/share/tufsign/trust". *dir is cleared on entry and set to a
 * malloc'd string the caller frees. TUFSIGN_ERR_INVALID_ARGUMENT when no
 * variable gives a usable directory. */
TUFSIGN_API tufsign_status tufsign_trust_cache_default_dir(char **dir, tufsign_error *err);

/* Open the cache rooted at dir, creating dir (and missing parents) with mode
 * 0700. *out is cleared on entry and set on success; free it with
 * tufsign_trust_cache_free(). dir is copied. */
TUFSIGN_API tufsign_status tufsign_trust_cache_open(const char *dir, tufsign_trust_cache **out,
						    tufsign_error *err);

/* Free the handle. Transactions begun from it must be freed first. NULL is
 * accepted. */
TUFSIGN_API void tufsign_trust_cache_free(tufsign_trust_cache *cache);

/* Check that gun can be stored and used in a URL: non-empty, at most 255
 * bytes of printable ASCII other than space and \ % ? # " ' < > ` { } | ^,
 * segments separated by single '/', no "." or ".." segment, no leading '.'.
 * Returns TUFSIGN_OK or TUFSIGN_ERR_INVALID_ARGUMENT with the reason in err. */
TUFSIGN_API tufsign_status tufsign_trust_cache_check_gun(const char *gun, tufsign_error *err);

/* Lock gun's entry and begin a transaction on it. The GUN directory is
 * created if missing. If another process holds the lock, wait up to
 * lock_timeout_ms (0: do not wait), then fail with TUFSIGN_ERR_LOCKED.
 * Leftovers of a crashed transaction are removed here. *out is cleared on
 * entry and set on success; free it with tufsign_trust_txn_free(). */
TUFSIGN_API tufsign_status tufsign_trust_cache_begin(tufsign_trust_cache *cache, const char *gun,
						     long lock_timeout_ms, tufsign_trust_txn **out,
						     tufsign_error *err);

/* Read the file of role ("root", "timestamp", "snapshot", "targets",
 * "targets/<name>..."): the bytes staged in this transaction if any, else
 * the committed ones. TUFSIGN_ERR_NOT_FOUND when there are none (no pinned
 * root yet, or the role was staged for removal). *data is malloc'd,
 * NUL-terminated (not counted in *len), and freed by the caller; both
 * out-parameters are cleared on entry. */
TUFSIGN_API tufsign_status tufsign_trust_txn_read(tufsign_trust_txn *txn, const char *role,
						  unsigned char **data, size_t *len,
						  tufsign_error *err);

/* Stage the file of role with len bytes from data (copied to a temporary
 * file now, made visible only by commit). Staging a role again replaces
 * the staged bytes. */
TUFSIGN_API tufsign_status tufsign_trust_txn_stage(tufsign_trust_txn *txn, const char *role,
						   const unsigned char *data, size_t len,
						   tufsign_error *err);

/* Stage the removal of role's file (e.g. a deleted delegation). Removing a
 * role that has no file is not an error. */
TUFSIGN_API tufsign_status tufsign_trust_txn_stage_remove(tufsign_trust_txn *txn, const char *role,
							  tufsign_error *err);

/* Stage the removal of every committed file, keeping only what is staged in
 * this transaction (before or after this call). Used to forget a GUN or
 * start it over, e.g. after a new root was deliberately accepted. */
TUFSIGN_API tufsign_status tufsign_trust_txn_stage_clear(tufsign_trust_txn *txn,
							 tufsign_error *err);

/* Make every staged change visible at once (fsync of the files and
 * directories, then one atomic rename). On failure nothing changed. After
 * a successful commit the transaction stays locked and may stage and
 * commit again. */
TUFSIGN_API tufsign_status tufsign_trust_txn_commit(tufsign_trust_txn *txn, tufsign_error *err);

/* Directory of the GUN's entry, for messages. Owned by txn. */
TUFSIGN_API const char *tufsign_trust_txn_path(const tufsign_trust_txn *txn);

/* Drop whatever is staged and not committed, release the lock and free txn.
 * NULL is accepted. */
TUFSIGN_API void tufsign_trust_txn_free(tufsign_trust_txn *txn);

#ifdef __cplusplus
}
#endif

#endif
