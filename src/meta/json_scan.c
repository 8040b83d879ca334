/* JSON scanning with notary's decoder rules, and the string writers. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json_scan.h"

int tf_buf_presize(tf_buf *b, size_t n)
{
	if (b->data != NULL || n == SIZE_MAX)
		return tf_buf_reserve(b, n);
	b->data = malloc(n + 1);
	if (b->data == NULL) {
		b->failed = 1;
		return -1;
	}
	b->cap = n + 1;
	b->data[0] = '\0';
	return 0;
}

void tf_json_init(tf_json *j, const void *data, size_t len, tufsign_error *err)
{
	memset(j, 0, sizeof(*j));
	j->start = data;
	j->p = data;
	j->end = j->start + len;
	j->err = err;
}

static size_t jpath_append(tf_jpath *path, const char *s, size_t n)
{
	size_t old = path->len;

	if (n == 0)
		return old;
	if (path->truncated || path->len + n >= sizeof(path->text)) {
		path->truncated = 1;
		return old;
	}
	memcpy(path->text + path->len, s, n);
	path->len += n;
	path->text[path->len] = '\0';
	return old;
}

size_t tf_jpath_push_key(tf_jpath *path, const char *key, size_t len)
{
	size_t old = path->len;
	int was_truncated = path->truncated;

	if (path->len > 0)
		jpath_append(path, ".", 1);
	jpath_append(path, key, len);
	if (path->truncated && !was_truncated) {
		/* keep the prefix that fitted, marked as cut */
		path->len = old;
		path->text[old] = '\0';
		jpath_append(path, "...", 3);
		path->truncated = 1;
	}
	return old;
}

size_t tf_jpath_push_index(tf_jpath *path, size_t index)
{
	char tmp[32];
	int n = snprintf(tmp, sizeof(tmp), "[%zu]", index);

	return jpath_append(path, tmp, (size_t)n);
}

void tf_jpath_pop(tf_jpath *path, size_t len)
{
	if (path->truncated)
		return;
	path->len = len;
	path->text[len] = '\0';
}

tufsign_status tf_json_fail(tf_json *j, tufsign_status status, const char *fmt, ...)
{
	va_list ap;

	if (j->err == NULL || j->err->status != TUFSIGN_OK)
		return status;
	va_start(ap, fmt);
	tufsign_error_vset(j->err, status, fmt, ap);
	va_end(ap);
	tufsign_error_locate(j->err, j->role, j->path.text);
	return status;
}

tufsign_status tf_json_syntax(tf_json *j, const char *what)
{
	size_t off = (size_t)(j->p - j->start);

	if (j->p >= j->end)
		return tf_json_fail(j, TUFSIGN_ERR_JSON,
				    "invalid JSON: %s at end of input (offset %zu)", what, off);
	if (*j->p >= 0x20 && *j->p < 0x7f)
		return tf_json_fail(j, TUFSIGN_ERR_JSON, "invalid JSON: %s at offset %zu ('%c')",
				    what, off, *j->p);
	return tf_json_fail(j, TUFSIGN_ERR_JSON, "invalid JSON: %s at offset %zu (byte 0x%02x)",
			    what, off, *j->p);
}

int tf_json_peek(tf_json *j)
{
	while (j->p < j->end && (*j->p == ' ' || *j->p == '\t' || *j->p == '\n' || *j->p == '\r'))
		j->p++;
	return j->p < j->end ? *j->p : -1;
}

tufsign_status tf_json_expect(tf_json *j, char c)
{
	char what[32];

	if (tf_json_peek(j) == (unsigned char)c) {
		j->p++;
		return TUFSIGN_OK;
	}
	snprintf(what, sizeof(what), "expected '%c'", c);
	return tf_json_syntax(j, what);
}

int tf_json_next(tf_json *j, char close)
{
	int c = tf_json_peek(j);

	if (c == ',') {
		j->p++;
		return 1;
	}
	if (c == (unsigned char)close) {
		j->p++;
		return 0;
	}
	tf_json_syntax(j, close == '}' ? "expected ',' or '}'" : "expected ',' or ']'");
	return -1;
}

tufsign_status tf_json_end(tf_json *j)
{
	if (tf_json_peek(j) != -1)
		return tf_json_syntax(j, "unexpected data after the value");
	return TUFSIGN_OK;
}

/* Length of the valid UTF-8 sequence at s (Go's rules: no overlongs, no
 * surrogates, at most U+10FFFF), or 0 when the sequence is invalid. */
static size_t utf8_valid_len(const unsigned char *s, const unsigned char *end)
{
	size_t n, i;
	unsigned lo = 0x80, hi = 0xbf;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4;
	else
		return 0;
	if (s[0] == 0xe0)
		lo = 0xa0;
	else if (s[0] == 0xed)
		hi = 0x9f;
	else if (s[0] == 0xf0)
		lo = 0x90;
	else if (s[0] == 0xf4)
		hi = 0x8f;
	if ((size_t)(end - s) < n)
		return 0;
	if (s[1] < lo || s[1] > hi)
		return 0;
	for (i = 2; i < n; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	return n;
}

static int put_utf8(tf_buf *out, uint32_t cp)
{
	unsigned char b[4];
	size_t n;

	if (cp < 0x80) {
		b[0] = (unsigned char)cp;
		n = 1;
	} else if (cp < 0x800) {
		b[0] = (unsigned char)(0xc0 | (cp >> 6));
		b[1] = (unsigned char)(0x80 | (cp & 0x3f));
		n = 2;
	} else if (cp < 0x10000) {
		b[0] = (unsigned char)(0xe0 | (cp >> 12));
		b[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
		b[2] = (unsigned char)(0x80 | (cp & 0x3f));
		n = 3;
	} else {
		b[0] = (unsigned char)(0xf0 | (cp >> 18));
		b[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3f));
		b[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
		b[3] = (unsigned char)(0x80 | (cp & 0x3f));
		n = 4;
	}
	return tf_buf_append(out, b, n);
}

/* Value of the four hex digits at s, or -1. */
static long hex4(const unsigned char *s, const unsigned char *end)
{
	long v = 0;
	int i;

	if (end - s < 4)
		return -1;
	for (i = 0; i < 4; i++) {
		unsigned char c = s[i];

		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= c - '0';
		else if (c >= 'a' && c <= 'f')
			v |= c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			v |= c - 'A' + 10;
		else
			return -1;
	}
	return v;
}

/* Decode the escape after a backslash at j->p (pointing at the letter). */
static tufsign_status string_escape(tf_json *j, tf_buf *out, unsigned *flags)
{
	static const char from[] = "\"\\/bfnrt";
	static const char to[] = "\"\\/\b\f\n\r\t";
	const char *hit;
	long cp, lo;

	if (j->p >= j->end)
		return tf_json_syntax(j, "unterminated string");
	if (*j->p != 'u') {
		hit = *j->p ? strchr(from, *j->p) : NULL;
		if (hit == NULL)
			return tf_json_syntax(j, "invalid escape in string");
		if (*j->p != '"' && *j->p != '\\' && *j->p != '/')
			*flags |= TF_STR_CONTROL;
		j->p++;
		return tf_buf_append_byte(out, (unsigned char)to[hit - from]) ? TUFSIGN_ERR_NOMEM
									      : TUFSIGN_OK;
	}
	cp = hex4(j->p + 1, j->end);
	if (cp < 0)
		return tf_json_syntax(j, "invalid \\u escape in string");
	j->p += 5;
	if (cp < 0x20)
		*flags |= TF_STR_CONTROL;
	if (cp >= 0xd800 && cp <= 0xdfff) {
		/* A high surrogate followed by an escaped low surrogate joins;
		 * anything else becomes U+FFFD and the next escape is kept. */
		lo = (j->end - j->p >= 6 && j->p[0] == '\\' && j->p[1] == 'u')
			     ? hex4(j->p + 2, j->end)
			     : -1;
		if (cp < 0xdc00 && lo >= 0xdc00 && lo <= 0xdfff) {
			cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
			j->p += 6;
		} else {
			cp = 0xfffd;
			*flags |= TF_STR_SURROGATE;
		}
	}
	return put_utf8(out, (uint32_t)cp) ? TUFSIGN_ERR_NOMEM : TUFSIGN_OK;
}

tufsign_status tf_json_string(tf_json *j, tf_buf *out, unsigned *flags)
{
	const unsigned char *run;
	tufsign_status st;
	size_t n;

	*flags = 0;
	if (tf_json_peek(j) != '"')
		return tf_json_syntax(j, "expected a string");
	j->p++;
	for (;;) {
		run = j->p;
		while (j->p < j->end && *j->p >= 0x20 && *j->p < 0x80 && *j->p != '"' &&
		       *j->p != '\\')
			j->p++;
		if (j->p > run && tf_buf_append(out, run, (size_t)(j->p - run)))
			return TUFSIGN_ERR_NOMEM;
		if (j->p >= j->end)
			return tf_json_syntax(j, "unterminated string");
		if (*j->p == '"') {
			j->p++;
			return TUFSIGN_OK;
		}
		if (*j->p == '\\') {
			j->p++;
			st = string_escape(j, out, flags);
			if (st != TUFSIGN_OK)
				return st;
			continue;
		}
		if (*j->p < 0x20)
			return tf_json_syntax(j, "control character in string");
		n = utf8_valid_len(j->p, j->end);
		if (n == 0) {
			*flags |= TF_STR_BAD_UTF8;
			n = 1;
			if (tf_buf_append(out, "\xef\xbf\xbd", 3))
				return TUFSIGN_ERR_NOMEM;
		} else if (tf_buf_append(out, j->p, n)) {
			return TUFSIGN_ERR_NOMEM;
		}
		j->p += n;
	}
}

tufsign_status tf_json_string_strict(tf_json *j, tf_buf *out, const char *what)
{
	const unsigned char *at = NULL;
	size_t start = out->len;
	unsigned flags = 0;
	tufsign_status st;

	tf_json_peek(j);
	at = j->p;
	st = tf_json_string(j, out, &flags);
	if (st != TUFSIGN_OK)
		return st;
	if (flags == 0)
		return TUFSIGN_OK;
	out->len = start;
	if (out->data != NULL)
		out->data[start] = '\0';
	j->p = at;
	if (flags & TF_STR_CONTROL)
		return tf_json_fail(
			j, TUFSIGN_ERR_METADATA,
			"%s at offset %zu contains a control character (U+0000-U+001F), "
			"which notary cannot re-serialize",
			what, (size_t)(at - j->start));
	if (flags & TF_STR_BAD_UTF8)
		return tf_json_fail(j, TUFSIGN_ERR_METADATA, "%s at offset %zu is not valid UTF-8",
				    what, (size_t)(at - j->start));
	return tf_json_fail(j, TUFSIGN_ERR_METADATA,
			    "%s at offset %zu contains an unpaired surrogate escape", what,
			    (size_t)(at - j->start));
}

tufsign_status tf_json_number(tf_json *j, const unsigned char **text, size_t *len)
{
	const unsigned char *s;

	tf_json_peek(j);
	s = j->p;
	if (j->p >= j->end || (*j->p != '-' && (*j->p < '0' || *j->p > '9')))
		return tf_json_syntax(j, "expected a value");
	if (j->p < j->end && *j->p == '-')
		j->p++;
	if (j->p >= j->end || *j->p < '0' || *j->p > '9')
		return tf_json_syntax(j, "invalid number");
	if (*j->p == '0')
		j->p++;
	else
		while (j->p < j->end && *j->p >= '0' && *j->p <= '9')
			j->p++;
	if (j->p < j->end && *j->p == '.') {
		j->p++;
		if (j->p >= j->end || *j->p < '0' || *j->p > '9')
			return tf_json_syntax(j, "invalid number");
		while (j->p < j->end && *j->p >= '0' && *j->p <= '9')
			j->p++;
	}
	if (j->p < j->end && (*j->p == 'e' || *j->p == 'E')) {
		j->p++;
		if (j->p < j->end && (*j->p == '+' || *j->p == '-'))
			j->p++;
		if (j->p >= j->end || *j->p < '0' || *j->p > '9')
			return tf_json_syntax(j, "invalid number");
		while (j->p < j->end && *j->p >= '0' && *j->p <= '9')
			j->p++;
	}
	*text = s;
	*len = (size_t)(j->p - s);
	return TUFSIGN_OK;
}

tufsign_status tf_json_int(tf_json *j, int64_t min, int64_t *value)
{
	const unsigned char *s = NULL;
	size_t len = 0, i;
	int64_t v = 0;
	tufsign_status st;

	if (tf_json_peek(j) == '"')
		return tf_json_fail(j, TUFSIGN_ERR_METADATA, "expected an integer, found a string");
	st = tf_json_number(j, &s, &len);
	if (st != TUFSIGN_OK)
		return st;
	for (i = s[0] == '-' ? 1 : 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9' || (s[0] == '-' && s[1] == '0'))
			return tf_json_fail(j, TUFSIGN_ERR_METADATA,
					    "number %.*s is not a plain integer literal", (int)len,
					    (const char *)s);
		if (v > TF_JSON_MAX_INT / 10)
			v = TF_JSON_MAX_INT + 1;
		else
			v = v * 10 + (s[i] - '0');
	}
	if (s[0] == '-')
		v = -v;
	if (v > TF_JSON_MAX_INT || v < -TF_JSON_MAX_INT)
		return tf_json_fail(j, TUFSIGN_ERR_METADATA,
				    "number %.*s is not below 2^53, so notary would round it",
				    (int)len, (const char *)s);
	if (v < min)
		return tf_json_fail(j, TUFSIGN_ERR_METADATA, "number %.*s is below %lld", (int)len,
				    (const char *)s, (long long)min);
	*value = v;
	return TUFSIGN_OK;
}

int tf_json_null(tf_json *j)
{
	if (tf_json_peek(j) == 'n' && j->end - j->p >= 4 && memcmp(j->p, "null", 4) == 0) {
		j->p += 4;
		return 1;
	}
	return 0;
}

static tufsign_status skip_literal(tf_json *j)
{
	static const char *const words[] = {"true", "false", "null"};
	size_t i, n;

	for (i = 0; i < TF_ARRAY_LEN(words); i++) {
		n = strlen(words[i]);
		if ((size_t)(j->end - j->p) >= n && memcmp(j->p, words[i], n) == 0) {
			j->p += n;
			return TUFSIGN_OK;
		}
	}
	return tf_json_syntax(j, "invalid value");
}

static tufsign_status skip_container(tf_json *j, char close)
{
	tufsign_status st = TUFSIGN_OK;
	int more;

	if (++j->depth > TF_JSON_MAX_DEPTH)
		return tf_json_fail(j, TUFSIGN_ERR_JSON, "JSON nested deeper than %d levels",
				    TF_JSON_MAX_DEPTH);
	j->p++;
	if (tf_json_peek(j) == close) {
		j->p++;
		j->depth--;
		return TUFSIGN_OK;
	}
	do {
		if (close == '}') {
			st = tf_json_string_skip(j);
			if (st == TUFSIGN_OK)
				st = tf_json_expect(j, ':');
		}
		if (st == TUFSIGN_OK)
			st = tf_json_skip(j);
		if (st != TUFSIGN_OK)
			return st;
		more = tf_json_next(j, close);
	} while (more == 1);
	j->depth--;
	return more == 0 ? TUFSIGN_OK : TUFSIGN_ERR_JSON;
}

tufsign_status tf_json_string_skip(tf_json *j)
{
	if (tf_json_peek(j) != '"')
		return tf_json_syntax(j, "expected a string");
	j->p++;
	while (j->p < j->end) {
		unsigned char c = *j->p;

		if (c == '"') {
			j->p++;
			return TUFSIGN_OK;
		}
		if (c < 0x20)
			return tf_json_syntax(j, "control character in string");
		if (c == '\\') {
			j->p++;
			if (j->p >= j->end)
				break;
			if (*j->p == 'u') {
				if (hex4(j->p + 1, j->end) < 0)
					return tf_json_syntax(j, "invalid \\u escape in string");
				j->p += 4;
			} else if (strchr("\"\\/bfnrt", *j->p) == NULL || *j->p == '\0') {
				return tf_json_syntax(j, "invalid escape in string");
			}
		}
		j->p++;
	}
	return tf_json_syntax(j, "unterminated string");
}

tufsign_status tf_json_skip(tf_json *j)
{
	const unsigned char *s = NULL;
	size_t n = 0;

	switch (tf_json_peek(j)) {
	case '{':
		return skip_container(j, '}');
	case '[':
		return skip_container(j, ']');
	case '"':
		return tf_json_string_skip(j);
	case 't':
	case 'f':
	case 'n':
		return skip_literal(j);
	default:
		return tf_json_number(j, &s, &n);
	}
}

static int needs_escape(unsigned char c, int html)
{
	return c == '"' || c == '\\' || (html && (c == '<' || c == '>' || c == '&' || c == 0xe2));
}

/* Write str with the given escaping. With quote_escapes set, '"' and '\' are
 * escaped too (string content); otherwise they pass unchanged because the
 * input is canonical text that already carries their escapes. */
static int put_escaped(tf_buf *out, const char *str, size_t len, int html, int quote_escapes)
{
	const unsigned char *s = (const unsigned char *)str, *end = s + len, *run;
	char esc[8];

	while (s < end) {
		run = s;
		while (s < end && !needs_escape(*s, html))
			s++;
		if (s > run && tf_buf_append(out, run, (size_t)(s - run)))
			return -1;
		if (s >= end)
			break;
		if (*s == 0xe2) {
			if (end - s >= 3 && s[1] == 0x80 && (s[2] == 0xa8 || s[2] == 0xa9)) {
				if (tf_buf_append(out, s[2] == 0xa8 ? "\\u2028" : "\\u2029", 6))
					return -1;
				s += 3;
			} else {
				if (tf_buf_append_byte(out, *s++))
					return -1;
			}
			continue;
		}
		if (*s == '"' || *s == '\\') {
			if (quote_escapes) {
				esc[0] = '\\';
				esc[1] = (char)*s;
				if (tf_buf_append(out, esc, 2))
					return -1;
			} else if (tf_buf_append_byte(out, *s)) {
				return -1;
			}
			s++;
			continue;
		}
		snprintf(esc, sizeof(esc), "\\u%04x", *s);
		if (tf_buf_append(out, esc, 6))
			return -1;
		s++;
	}
	return 0;
}

int tf_json_put_string(tf_buf *out, const char *s, size_t len, int html)
{
	if (tf_buf_reserve(out, len + 2) || tf_buf_append_byte(out, '"'))
		return -1;
	if (put_escaped(out, s, len, html, 1))
		return -1;
	return tf_buf_append_byte(out, '"');
}

int tf_json_put_raw(tf_buf *out, const char *s, size_t len, int html)
{
	if (!html)
		return tf_buf_append(out, s, len);
	return put_escaped(out, s, len, 1, 0);
}
