/* Checks and escaping of GUNs and role names. */
#include <stdlib.h>
#include <string.h>

#include "cache/names.h"
#include "internal.h"
#include "tufsign/trust_cache.h"

static int gun_char_valid(unsigned char c)
{
	if (c <= 0x20 || c >= 0x7f)
		return 0;
	return strchr("\\%?#\"'<>`{}|^", c) == NULL;
}

tufsign_status tf_check_gun(const char *gun, tufsign_error *err)
{
	const char *seg;
	size_t len, i;

	if (gun == NULL || gun[0] == '\0')
		return tufsign_error_set(err, TUFSIGN_ERR_INVALID_ARGUMENT, "the GUN is empty");
	len = strlen(gun);
	if (len > TF_GUN_MAX)
		return tufsign_error_set(err, TUFSIGN_ERR_INVALID_ARGUMENT,
					 "invalid GUN '%.64s...': longer than %d bytes", gun,
					 TF_GUN_MAX);
	if (gun[0] == '.')
		return tufsign_error_set(err, TUFSIGN_ERR_INVALID_ARGUMENT,
					 "invalid GUN '%s': it starts with '.'", gun);
	for (i = 0; i < len; i++) {
		if (!gun_char_valid((unsigned char)gun[i]))
			return tufsign_error_set(err, TUFSIGN_ERR_INVALID_ARGUMENT,
						 "invalid GUN '%s': character 0x%02x at offset %zu "
						 "is not allowed",
						 gun, (unsigned char)gun[i], i);
	}
	for (seg = gun;;) {
		const char *slash = strchr(seg, '/');
		size_t n = slash ? (size_t)(slash - seg) : strlen(seg);

		if (n == 0 || (n == 1 && seg[0] == '.') || (n == 2 && strncmp(seg, "..", 2) == 0))
			return tufsign_error_set(
				err, TUFSIGN_ERR_INVALID_ARGUMENT,
				"invalid GUN '%s': empty, '.' or '..' path segment", gun);
		if (slash == NULL)
			break;
		seg = slash + 1;
	}
	return TUFSIGN_OK;
}

tufsign_status tufsign_trust_cache_check_gun(const char *gun, tufsign_error *err)
{
	return tf_check_gun(gun, err);
}

static int role_char_valid(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '-' || c == '.';
}

/* Delegation names after "targets/": segments of role_char_valid bytes,
 * none empty and none starting with '.'. */
static int delegation_valid(const char *name)
{
	int at_start = 1;

	if (*name == '\0')
		return 0;
	for (; *name != '\0'; name++) {
		if (*name == '/') {
			if (at_start)
				return 0;
			at_start = 1;
			continue;
		}
		if (!role_char_valid(*name) || (at_start && *name == '.'))
			return 0;
		at_start = 0;
	}
	return !at_start;
}

tufsign_status tf_check_role(const char *role, tufsign_error *err)
{
	static const char *const top[] = {"root", "timestamp", "snapshot", "targets"};
	size_t i;

	if (role == NULL)
		return tufsign_error_set(err, TUFSIGN_ERR_INVALID_ARGUMENT, "the role is missing");
	for (i = 0; i < TF_ARRAY_LEN(top); i++) {
		if (strcmp(role, top[i]) == 0)
			return TUFSIGN_OK;
	}
	if (strncmp(role, "targets/", 8) == 0 && strlen(role) < 256 && delegation_valid(role + 8))
		return TUFSIGN_OK;
	return tufsign_error_set(err, TUFSIGN_ERR_INVALID_ARGUMENT,
				 "invalid role '%.255s': expected root, timestamp, snapshot, "
				 "targets or targets/<name>",
				 role);
}

char *tf_gun_escape(const char *gun)
{
	static const char digits[] = "0123456789ABCDEF";
	tf_buf b;
	const unsigned char *p;

	tf_buf_init(&b);
	for (p = (const unsigned char *)gun; *p != '\0'; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || *p == '.' || *p == '_' || *p == '-') {
			tf_buf_append_byte(&b, *p);
		} else {
			char esc[3] = {'%', digits[*p >> 4], digits[*p & 0x0f]};

			tf_buf_append(&b, esc, sizeof(esc));
		}
	}
	return (char *)tf_buf_steal(&b, NULL);
}
