/* A pull scanner over JSON text following the grammar of notary's decoder
 * (docker/go, a fork of Go 1.5 encoding/json), and the string writers of the
 * canonical and file encodings. Private to the metadata core. */
#ifndef TF_JSON_SCAN_H
#define TF_JSON_SCAN_H

#include <stddef.h>
#include <stdint.h>

#include "internal.h"
#include "tufsign/json.h"

/* Deepest nesting of arrays and objects accepted. */
#define TF_JSON_MAX_DEPTH 512

/* Largest integer tufsign writes or accepts in typed fields: 2^53 - 1. */
#define TF_JSON_MAX_INT 9007199254740991LL

/* Flags a decoded string may carry; strict callers reject each of them. */
enum {
	TF_STR_CONTROL = 1,   /* an escaped character U+0000..U+001F */
	TF_STR_BAD_UTF8 = 2,  /* a byte sequence that is not UTF-8 */
	TF_STR_SURROGATE = 4, /* a \u escape of an unpaired surrogate */
};

/* JSON path of the value being read, for error messages: "signed.targets". */
typedef struct tf_jpath {
	char text[256];
	size_t len;
	int truncated;
} tf_jpath;

typedef struct tf_json {
	const unsigned char *start;
	const unsigned char *p;
	const unsigned char *end;
	int depth;
	tf_jpath path;
	tufsign_error *err;
	const char *role; /* for error messages, may be NULL */
} tf_json;

void tf_json_init(tf_json *j, const void *data, size_t len, tufsign_error *err);

/* Path helpers: push returns the previous length for tf_jpath_pop(). */
size_t tf_jpath_push_key(tf_jpath *path, const char *key, size_t len);
size_t tf_jpath_push_index(tf_jpath *path, size_t index);
void tf_jpath_pop(tf_jpath *path, size_t len);

/* Record a JSON syntax error at the current position. */
tufsign_status tf_json_syntax(tf_json *j, const char *what);
/* Record err with status, role and the current path; message from fmt. */
tufsign_status tf_json_fail(tf_json *j, tufsign_status status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Skip whitespace (space, tab, LF, CR) and return the next byte, or -1 at
 * the end of the input. */
int tf_json_peek(tf_json *j);
/* Consume byte c after whitespace, or fail with a syntax error. */
tufsign_status tf_json_expect(tf_json *j, char c);
/* After whitespace, consume ',' and return 1, or consume close and return 0;
 * -1 on anything else (error recorded). */
int tf_json_next(tf_json *j, char close);
/* Fail unless only whitespace remains. */
tufsign_status tf_json_end(tf_json *j);

/* Decode the string at the current position into out (appended, so several
 * strings can share a buffer), replacing invalid UTF-8 byte by byte and
 * unpaired surrogates with U+FFFD as notary's decoder does. *flags gets the
 * TF_STR_ bits. */
tufsign_status tf_json_string(tf_json *j, tf_buf *out, unsigned *flags);
/* Decode a string and reject every TF_STR_ flag; what names the value kind
 * for the message ("key", "string"). */
tufsign_status tf_json_string_strict(tf_json *j, tf_buf *out, const char *what);

/* Scan a number; *text and *len receive its literal. */
tufsign_status tf_json_number(tf_json *j, const unsigned char **text, size_t *len);
/* Read a plain integer literal in min..TF_JSON_MAX_INT into *value. */
tufsign_status tf_json_int(tf_json *j, int64_t min, int64_t *value);
/* Consume "null" if it is next; return 1 if it was. */
int tf_json_null(tf_json *j);

/* Validate and skip one string without decoding it. */
tufsign_status tf_json_string_skip(tf_json *j);

/* Validate and skip one value of any kind. */
tufsign_status tf_json_skip(tf_json *j);

/* Append s[0..len) as a JSON string with quotes: '"' and '\' escaped, and
 * with html also '<' '>' '&' U+2028 U+2029 as notary's file encoding does. */
int tf_json_put_string(tf_buf *out, const char *s, size_t len, int html);
/* Append canonical text, applying the file escaping when html is set. */
int tf_json_put_raw(tf_buf *out, const char *s, size_t len, int html);

/* Give an empty buffer exactly n bytes of room (plus the NUL). tf_buf grows
 * by powers of two, which would count up to twice the size of a large
 * document against its memory. */
int tf_buf_presize(tf_buf *b, size_t n);

/* Canonicalize the value at the current position into out. */
tufsign_status tf_json_canon_value(tf_json *j, tufsign_canon_mode mode, tf_buf *out);

#endif
