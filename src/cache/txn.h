/* State of a trust cache transaction, shared by the files of the cache. */
#ifndef TF_CACHE_TXN_H
#define TF_CACHE_TXN_H

#include <stddef.h>

#include "tufsign/trust_cache.h"

typedef struct tf_role_list {
	char **roles;
	size_t count;
} tf_role_list;

struct tufsign_trust_txn {
	char *gun;
	char *dir;                /* "<root>/<escaped GUN>", for messages */
	int dir_fd;               /* that directory */
	int lock_fd;              /* "lock" in it, holding the flock */
	unsigned long generation; /* N of "gen.N" that "current" names; 0: none */
	char *staging;            /* name of the staging directory, NULL until first use */
	int staging_fd;
	tf_role_list staged;  /* roles with a file in the staging directory */
	tf_role_list removed; /* roles whose committed file the commit drops */
	int clear;            /* the commit keeps only staged files */
};

int tf_role_list_contains(const tf_role_list *list, const char *role);

/* Create the staging directory unless it exists. */
tufsign_status tf_txn_ensure_staging(tufsign_trust_txn *txn, tufsign_error *err);

/* Remove the staging directory and forget every staged change. */
void tf_txn_drop_staged(tufsign_trust_txn *txn);

#endif
