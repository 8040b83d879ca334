/* Shared parts of root verification and chain verification. */
#ifndef TF_VERIFY_INTERNAL_H
#define TF_VERIFY_INTERNAL_H

#include "internal.h"
#include "tufsign/metadata.h"

/* The root role keys as notary counts them: rebuilt from the certificates
 * that pass its checks. */
typedef struct tf_root_keys {
	tufsign_pubkey *keys;
	size_t count;
	char **ids;
	tufsign_role role; /* keyids point into keys; threshold from root */
} tf_root_keys;

tufsign_status tf_root_keys_build(const tufsign_meta *root, const char *gun, time_t now,
				  int check_expiry, tf_root_keys *rk, tufsign_error *err);
void tf_root_keys_release(tf_root_keys *rk);

/* Root self-check; expiry of root and certificates only with check_expiry. */
tufsign_status tf_verify_root_self(const tufsign_meta *root, const char *msg, size_t msg_len,
				   const char *gun, time_t now, int check_expiry,
				   tufsign_error *err);
/* TUFSIGN_ERR_EXPIRED when doc expired before now; now == 0 skips. */
tufsign_status tf_verify_expiry(const tufsign_meta *doc, time_t now, tufsign_error *err);

#endif
