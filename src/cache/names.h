/* Checks and escaping of GUNs and role names, shared by the Notary client
 * (where they become URL paths) and the trust cache (file paths). */
#ifndef TF_CACHE_NAMES_H
#define TF_CACHE_NAMES_H

#include "tufsign/error.h"

/* Longest GUN accepted; its escaped form must fit one path component. */
#define TF_GUN_MAX 255

/* Check gun as tufsign_trust_cache_check_gun() describes. */
tufsign_status tf_check_gun(const char *gun, tufsign_error *err);

/* Check role: "root", "timestamp", "snapshot", "targets", or a delegation
 * "targets/<name>[/<name>...]" with names of [A-Za-z0-9_-] and '.' not
 * first. */
tufsign_status tf_check_role(const char *role, tufsign_error *err);

/* Escape a checked gun into one path component: bytes other than
 * [A-Za-z0-9._-] become "%XX", so '/' cannot split it. malloc'd, NULL on
 * allocation failure. */
char *tf_gun_escape(const char *gun);

#endif
