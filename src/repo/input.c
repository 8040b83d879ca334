/* Checks of user input before anything is signed: GUNs, target names,
 * digests, sizes and the lines of a targets file. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "tufsign/repo.h"

static int is_lower_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

/* A repository path component as Docker references define it:
 * [a-z0-9]+ runs joined by '.', '_', '__' or one or more '-'. */
static int path_component_valid(const char *s, size_t len)
{
	size_t i = 0;

	while (i < len) {
		size_t run = 0;

		while (i < len && is_lower_alnum(s[i])) {
			i++;
			run++;
		}
		if (run == 0)
			return 0;
		if (i == len)
			return 1;
		if (s[i] == '.')
			i++;
		else if (s[i] == '_')
			i += (i + 1 < len && s[i + 1] == '_') ? 2 : 1;
		else if (s[i] == '-')
			while (i < len && s[i] == '-')
				i++;
		else
			return 0;
		if (i == len)
			return 0;
	}
	return len > 0;
}

/* A registry host: letters, digits, '-' and '.', starting and ending with
 * a letter or digit, optionally followed by ":PORT". */
static int host_component_valid(const char *s, size_t len)
{
	const char *colon = memchr(s, ':', len);
	size_t host_len = colon ? (size_t)(colon - s) : len;
	size_t i;

	if (host_len == 0 || !isalnum((unsigned char)s[0]) ||
	    !isalnum((unsigned char)s[host_len - 1]))
		return 0;
	for (i = 0; i < host_len; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '-' && s[i] != '.')
			return 0;
	if (colon == NULL)
		return 1;
	if (len - host_len - 1 == 0 || len - host_len - 1 > 5)
		return 0;
	for (i = host_len + 1; i < len; i++)
		if (!isdigit((unsigned char)s[i]))
			return 0;
	return 1;
}

static int looks_like_host(const char *s, size_t len)
{
	return memchr(s, '.', len) != NULL || memchr(s, ':', len) != NULL ||
	       (len == 9 && memcmp(s, "localhost", 9) == 0);
}

tufsign_status tufsign_repo_check_gun(const char *gun, tufsign_error *err)
{
	const char *p = gun;
	size_t len;
	int first = 1;

	if (gun == NULL || gun[0] == '\0')
		return tufsign_error_set(err, TUFSIGN_ERR_INVALID_ARGUMENT,
					 "the GUN is empty; give the full repository name, "
					 "e.g. registry.example.com/team/app");
	len = strlen(gun);
	if (len > TUFSIGN_MAX_GUN_LENGTH)
		return tufsign_error_set(err, TUFSIGN_ERR_INVALID_ARGUMENT,
					 "invalid GUN '%.64s...': %zu bytes, the maximum is %d",
					 gun, len, TUFSIGN_MAX_GUN_LENGTH);
	while (*p != '\0') {
		const char *slash = strchr(p, '/');
		size_t n = slash ? (size_t)(slash - p) : strlen(p);
		int has_more = slash != NULL;
		int ok;

		if (first && has_more && looks_like_host(p, n))
			ok = host_component_valid(p, n);
		else
			ok = path_component_valid(p, n);
		if (!ok || (has_more && slash[1] == '\0'))
			return tufsign_error_set(
				err, TUFSIGN_ERR_INVALID_ARGUMENT,
				"invalid GUN '%s': component '%.*s' is not a registry host[:port] "
				"or a lower-case path component ([a-z0-9] joined by '.', '_' or "
				"'-'); use a name such as registry.example.com/team/app",
				gun, (int)n, p);
		first = 0;
		p += n + (has_more ? 1 : 0);
	}
	return TUFSIGN_OK;
}

/* Return the length of the UTF-8 sequence at s (at most avail bytes), or 0
 * when it is invalid: truncated, overlong, a surrogate or above U+10FFFF. */
static size_t utf8_sequence_length(const unsigned char *s, size_t avail)
{
	unsigned cp;
	size_t n, i;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		n = 2;
		cp = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		n = 3;
		cp = s[0] & 0x0f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		n = 4;
		cp = s[0] & 0x07;
	} else {
		return 0;
	}
	if (avail < n)
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) || cp > 0x10ffff ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

tufsign_status tufsign_repo_check_target_name(const char *name, tufsign_error *err)
{
	const unsigned char *s = (const unsigned char *)name;
	size_t len, i = 0;

	if (name == NULL || name[0] == '\0')
		return tufsign_error_set(err, TUFSIGN_ERR_INVALID_ARGUMENT,
					 "the tag is empty; give a tag name such as 'latest'");
	len = strlen(name);
	if (len > TUFSIGN_MAX_TARGET_NAME_LENGTH)
		return tufsign_error_set(err, TUFSIGN_ERR_INVALID_ARGUMENT,
					 "invalid tag '%.64s...': %zu bytes, the maximum is %d",
					 name, len, TUFSIGN_MAX_TARGET_NAME_LENGTH);
	while (i < len) {
		size_t n;

		if (s[i] < 0x20)
			return tufsign_error_set(
				err, TUFSIGN_ERR_INVALID_ARGUMENT,
				"invalid tag: control character 0x%02x at byte %zu; Notary cannot "
				"store control characters (U+0000 to U+001F) in a target name",
				s[i], i);
		n = utf8_sequence_length(s + i, len - i);
		if (n == 0)
			return tufsign_error_set(err, TUFSIGN_ERR_INVALID_ARGUMENT,
						 "invalid tag: byte %zu is not valid UTF-8", i);
		i += n;
	}
	return TUFSIGN_OK;
}

tufsign_status tufsign_repo_parse_digest(const char *text, unsigned char out[32],
					 tufsign_error *err)
{
	size_t i;

	memset(out, 0, 32);
	if (text == NULL || strncmp(text, "sha256:", 7) != 0 || strlen(text) != 7 + 64)
		goto bad;
	for (i = 7; i < 7 + 64; i++)
		if (!((text[i] >= '0' && text[i] <= '9') || (text[i] >= 'a' && text[i] <= 'f')))
			goto bad;
	if (tf_hex_decode(text + 7, out, 32) != 0)
		goto bad;
	return TUFSIGN_OK;
bad:
	return tufsign_error_set(
		err, TUFSIGN_ERR_INVALID_ARGUMENT,
		"invalid digest '%.100s': expected 'sha256:' followed by 64 "
		"lower-case hex digits, as in the registry's Docker-Content-Digest",
		text ? text : "");
}

tufsign_status tufsign_repo_parse_size(const char *text, uint64_t *out, tufsign_error *err)
{
	uint64_t value = 0;
	size_t i, len = text ? strlen(text) : 0;

	*out = 0;
	if (len == 0 || len > 16 || (len > 1 && text[0] == '0'))
		goto bad;
	for (i = 0; i < len; i++) {
		if (text[i] < '0' || text[i] > '9')
			goto bad;
		value = value * 10 + (uint64_t)(text[i] - '0');
	}
	if (value >= TUFSIGN_MAX_TARGET_LENGTH)
		goto bad;
	*out = value;
	return TUFSIGN_OK;
bad:
	return tufsign_error_set(err, TUFSIGN_ERR_INVALID_ARGUMENT,
				 "invalid size '%.100s': expected the manifest size in bytes, a "
				 "whole number from 0 to 9007199254740991 without sign or spaces",
				 text ? text : "");
}

void tufsign_target_changes_free(tufsign_target_change *changes, size_t count)
{
	size_t i;

	if (changes == NULL)
		return;
	for (i = 0; i < count; i++) {
		free(changes[i].name);
		free(changes[i].custom);
	}
	free(changes);
}

static int is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

/* Maximum number of bytes of a line quoted in an error message. */
#define QUOTED_LINE_MAX 80

/* Split blank-separated fields off the start of s into fields[], at most
 * max of them; the fields are NUL-terminated in place. Returns how many
 * fields s has, which may exceed max. */
static size_t split_fields(char *s, char **fields, size_t max)
{
	size_t n = 0;

	for (;;) {
		while (is_blank(*s))
			s++;
		if (*s == '\0')
			return n;
		if (n < max)
			fields[n] = s;
		n++;
		while (*s != '\0' && !is_blank(*s))
			s++;
		if (*s != '\0')
			*s++ = '\0';
	}
}

/* Split a line into tag, digest and size. Fields are separated by spaces or
 * tabs. A tag may contain spaces when a tab ends it: in a line that has a
 * tab, the tag is everything before the first tab, trimmed. The line is
 * modified in place. Returns the number of fields found, 3 on success. */
static size_t split_target_line(char *line, char **tag, char **digest, char **size)
{
	char *fields[3] = {NULL, NULL, NULL};
	char *tab, *end;
	size_t n;

	while (is_blank(*line))
		line++;
	tab = strchr(line, '\t');
	if (tab == NULL) {
		n = split_fields(line, fields, 3);
	} else {
		*tab = '\0';
		for (end = tab; end > line && is_blank(end[-1]);)
			*--end = '\0';
		fields[0] = line;
		n = 1 + split_fields(tab + 1, fields + 1, 2);
	}
	if (n == 3) {
		*tag = fields[0];
		*digest = fields[1];
		*size = fields[2];
	}
	return n;
}

/* Record a line without exactly three fields, quoting it. */
static tufsign_status wrong_field_count(const char *line, size_t fields, tufsign_error *err)
{
	size_t len;

	while (is_blank(*line))
		line++;
	len = strlen(line);
	while (len > 0 && is_blank(line[len - 1]))
		len--;
	return tufsign_error_set(err, TUFSIGN_ERR_INVALID_ARGUMENT,
				 "expected 'TAG sha256:HEX SIZE', but '%.*s%s' has %zu field%s%s",
				 (int)(len > QUOTED_LINE_MAX ? QUOTED_LINE_MAX : len), line,
				 len > QUOTED_LINE_MAX ? "..." : "", fields, fields == 1 ? "" : "s",
				 fields > 3 && strchr(line, '\t') == NULL
					 ? "; a tag that contains spaces must be followed by a tab"
					 : "");
}

static tufsign_status parse_target_line(char *line, tufsign_target_change *change,
					tufsign_error *err)
{
	char *tag = NULL, *digest = NULL, *size = NULL;
	char *copy = tf_strdup(line);
	size_t fields;
	tufsign_status st;

	if (copy == NULL)
		return tufsign_error_set(err, TUFSIGN_ERR_NOMEM, "out of memory");
	fields = split_target_line(line, &tag, &digest, &size);
	st = fields == 3 ? TUFSIGN_OK : wrong_field_count(copy, fields, err);
	free(copy);
	if (st == TUFSIGN_OK)
		st = tufsign_repo_check_target_name(tag, err);
	if (st == TUFSIGN_OK)
		st = tufsign_repo_parse_digest(digest, change->sha256, err);
	if (st == TUFSIGN_OK)
		st = tufsign_repo_parse_size(size, &change->length, err);
	if (st != TUFSIGN_OK)
		return st;
	change->name = tf_strdup(tag);
	if (change->name == NULL)
		return tufsign_error_set(err, TUFSIGN_ERR_NOMEM, "out of memory");
	return TUFSIGN_OK;
}

/* Open-addressing hash set of the tags read so far, holding indexes into the
 * change array (plus one, so 0 marks an empty slot). It keeps the duplicate
 * check linear for batch files of 100,000 lines. */
typedef struct tag_index {
	size_t *slots;
	size_t cap; /* a power of two, or 0 */
	size_t used;
} tag_index;

static size_t name_hash(const char *s)
{
	size_t h = 1469598103934665603ULL; /* FNV-1a, 64-bit offset basis */

	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

static void tag_index_place(tag_index *ix, const tufsign_target_change *list, size_t idx)
{
	size_t i = name_hash(list[idx].name) & (ix->cap - 1);

	while (ix->slots[i] != 0)
		i = (i + 1) & (ix->cap - 1);
	ix->slots[i] = idx + 1;
}

/* Grow to keep the table at most half full; 0 on success, -1 out of memory. */
static int tag_index_grow(tag_index *ix, const tufsign_target_change *list)
{
	size_t ncap = ix->cap ? ix->cap * 2 : 64, i;
	size_t *old = ix->slots, old_cap = ix->cap;

	ix->slots = calloc(ncap, sizeof(*ix->slots));
	if (ix->slots == NULL) {
		ix->slots = old;
		return -1;
	}
	ix->cap = ncap;
	for (i = 0; i < old_cap; i++)
		if (old[i] != 0)
			tag_index_place(ix, list, old[i] - 1);
	free(old);
	return 0;
}

static int tag_index_contains(const tag_index *ix, const tufsign_target_change *list,
			      const char *name)
{
	size_t i;

	if (ix->cap == 0)
		return 0;
	for (i = name_hash(name) & (ix->cap - 1); ix->slots[i] != 0; i = (i + 1) & (ix->cap - 1))
		if (strcmp(list[ix->slots[i] - 1].name, name) == 0)
			return 1;
	return 0;
}

/* Append one parsed line to *changes, growing the array as needed. */
static tufsign_status add_line(char *line, size_t lineno, const char *path,
			       tufsign_target_change **changes, size_t *count, size_t *cap,
			       tag_index *seen, tufsign_error *err)
{
	tufsign_target_change change;
	tufsign_status st;

	memset(&change, 0, sizeof(change));
	if (*count == *cap) {
		size_t ncap = *cap ? *cap * 2 : 16;
		tufsign_target_change *grown = realloc(*changes, ncap * sizeof(**changes));

		if (grown == NULL)
			return tufsign_error_set(err, TUFSIGN_ERR_NOMEM, "out of memory");
		*changes = grown;
		*cap = ncap;
	}
	if ((seen->used + 1) * 2 > seen->cap && tag_index_grow(seen, *changes) != 0)
		return tufsign_error_set(err, TUFSIGN_ERR_NOMEM, "out of memory");
	st = parse_target_line(line, &change, err);
	if (st == TUFSIGN_OK && tag_index_contains(seen, *changes, change.name)) {
		st = tufsign_error_set(err, TUFSIGN_ERR_INVALID_ARGUMENT, "tag '%s' appears twice",
				       change.name);
		free(change.name);
	}
	if (st != TUFSIGN_OK) {
		tufsign_error_prefix(err, "%s line %zu: ", path, lineno);
		return st;
	}
	(*changes)[*count] = change;
	tag_index_place(seen, *changes, *count);
	seen->used++;
	(*count)++;
	return TUFSIGN_OK;
}

tufsign_status tufsign_repo_parse_targets(const char *path, const char *text, size_t len,
					  tufsign_target_change **changes, size_t *count,
					  tufsign_error *err)
{
	tufsign_target_change *list = NULL;
	size_t n = 0, cap = 0, lineno = 0, pos = 0;
	tag_index seen = {NULL, 0, 0};
	tufsign_status st = TUFSIGN_OK;
	char *line = NULL;

	*changes = NULL;
	*count = 0;
	while (pos < len && st == TUFSIGN_OK) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t n_line = nl ? (size_t)(nl - (text + pos)) : len - pos;
		const char *p;

		lineno++;
		line = tf_strndup(text + pos, n_line);
		pos += n_line + 1;
		if (line == NULL) {
			st = tufsign_error_set(err, TUFSIGN_ERR_NOMEM, "out of memory");
			break;
		}
		if (strlen(line) != n_line) {
			st = tufsign_error_set(err, TUFSIGN_ERR_INVALID_ARGUMENT,
					       "%s line %zu: contains a NUL byte", path, lineno);
			break;
		}
		for (p = line; is_blank(*p); p++)
			;
		if (*p != '\0' && *p != '#')
			st = add_line(line, lineno, path, &list, &n, &cap, &seen, err);
		free(line);
		line = NULL;
	}
	free(line);
	free(seen.slots);
	if (st == TUFSIGN_OK && n == 0)
		st = tufsign_error_set(err, TUFSIGN_ERR_INVALID_ARGUMENT,
				       "%s: no targets; expected lines of 'TAG sha256:HEX SIZE'",
				       path);
	if (st != TUFSIGN_OK) {
		tufsign_target_changes_free(list, n);
		return st;
	}
	*changes = list;
	*count = n;
	return TUFSIGN_OK;
}
