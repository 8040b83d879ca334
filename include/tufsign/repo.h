/* Repository operations on a Notary server: create a repository, add,
 * replace or remove targets and publish them, and read the verified state
 * of a GUN. Also the checks of user input (GUNs, tags, digests, sizes,
 * targets files) that every front end needs before it signs anything. */
#ifndef TUFSIGN_REPO_H
#define TUFSIGN_REPO_H

#include <stddef.h>
#include <stdint.h>

#include "tufsign/error.h"
#include "tufsign/export.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Largest target length accepted: notary re-parses every number as an IEEE
 * double, so integers of 2^53 and above would be rounded before the
 * signature check. */
#define TUFSIGN_MAX_TARGET_LENGTH ((uint64_t)1 << 53)

/* Longest GUN accepted, in bytes. */
#define TUFSIGN_MAX_GUN_LENGTH 255

/* Longest target name accepted, in bytes. */
#define TUFSIGN_MAX_TARGET_NAME_LENGTH 1024

/* One change to the targets of a repository. */
typedef struct tufsign_target_change {
	char *name;               /* target name, usually an image tag; owned */
	int remove;               /* 1: remove name; the fields below are ignored */
	unsigned char sha256[32]; /* digest of the manifest */
	uint64_t length;          /* size of the manifest in bytes */
	char *custom;             /* JSON text of the "custom" member, or NULL; owned */
} tufsign_target_change;

/* Check that gun is a repository name tufsign can publish: at most
 * TUFSIGN_MAX_GUN_LENGTH bytes of '/'-separated components, the first
 * optionally a registry host with a port, the others lower-case [a-z0-9]
 * runs joined by '.', '_', '__' or dashes. Returns TUFSIGN_OK or
 * TUFSIGN_ERR_INVALID_ARGUMENT with a message naming the value and the fix. */
TUFSIGN_API tufsign_status tufsign_repo_check_gun(const char *gun, tufsign_error *err);

/* Check that name can be a target name: 1 to TUFSIGN_MAX_TARGET_NAME_LENGTH
 * bytes of valid UTF-8 without control characters (U+0000 to U+001F), which
 * notary-server cannot store. */
TUFSIGN_API tufsign_status tufsign_repo_check_target_name(const char *name, tufsign_error *err);

/* Parse "sha256:" followed by 64 lower-case hex digits into out. */
TUFSIGN_API tufsign_status tufsign_repo_parse_digest(const char *text, unsigned char out[32],
						     tufsign_error *err);

/* Parse a decimal byte count below TUFSIGN_MAX_TARGET_LENGTH; no sign, no
 * spaces, no leading zeros except "0" itself. */
TUFSIGN_API tufsign_status tufsign_repo_parse_size(const char *text, uint64_t *out,
						   tufsign_error *err);

/* Parse the lines of a targets file: "TAG sha256:HEX SIZE", fields separated
 * by blanks; the tag is everything before the last two fields, so it may
 * contain inner spaces. Empty lines and lines starting with '#' are skipped.
 * On success *changes is a malloc'd array of *count entries that the caller
 * releases with tufsign_target_changes_free(). A bad line fails the whole
 * file with a message naming path and line number. */
TUFSIGN_API tufsign_status tufsign_repo_parse_targets(const char *path, const char *text,
						      size_t len, tufsign_target_change **changes,
						      size_t *count, tufsign_error *err);

/* Release the strings of count changes and the array itself; NULL is accepted. */
TUFSIGN_API void tufsign_target_changes_free(tufsign_target_change *changes, size_t count);

#ifdef __cplusplus
}
#endif

#endif
