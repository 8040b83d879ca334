/* Helpers shared by the modules of libtufsign. Not installed; the prefix of
 * every symbol here is tf_ so it cannot clash with the public tufsign_ API. */
#ifndef TF_INTERNAL_H
#define TF_INTERNAL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "tufsign/error.h"
#include "tufsign/log.h"

#define TF_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* Growable byte buffer. Always NUL-terminated when data != NULL, so text can
 * be used as a C string; len never counts the terminator. */
typedef struct tf_buf {
	unsigned char *data;
	size_t len;
	size_t cap;
	int failed; /* an allocation failed; all later appends are no-ops */
} tf_buf;

void tf_buf_init(tf_buf *b);
/* Release the buffer; with wipe != 0 the contents are cleansed first. */
void tf_buf_release(tf_buf *b, int wipe);
int tf_buf_reserve(tf_buf *b, size_t extra);
int tf_buf_append(tf_buf *b, const void *data, size_t len);
int tf_buf_append_str(tf_buf *b, const char *s);
int tf_buf_append_byte(tf_buf *b, unsigned char c);
int tf_buf_printf(tf_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Hand the contents to the caller (malloc'd, NUL-terminated) and reset b. */
unsigned char *tf_buf_steal(tf_buf *b, size_t *len);

/* Cleanse len bytes at p (OPENSSL_cleanse, so the compiler keeps it). */
void tf_wipe(void *p, size_t len);
/* Cleanse and free a NUL-terminated secret; NULL is accepted. */
void tf_free_secret(char *s);
/* Cleanse len bytes and free; NULL is accepted. */
void tf_free_wiped(void *p, size_t len);

char *tf_strdup(const char *s);
char *tf_strndup(const char *s, size_t n);
/* malloc'd printf; NULL on allocation failure. */
char *tf_asprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Lower-case hex of len bytes into out (2 * len + 1 bytes). */
void tf_hex_encode(const unsigned char *in, size_t len, char *out);
/* Decode exactly out_len bytes from hex; returns 0 on success, -1 on bad input. */
int tf_hex_decode(const char *hex, unsigned char *out, size_t out_len);

/* Standard base64 with padding, no line breaks. Returns malloc'd string. */
char *tf_base64_encode(const unsigned char *in, size_t len);
/* Strict decode of standard base64 with padding; malloc'd; NULL on error
 * (sets *bad = 1) or allocation failure (*bad = 0). */
unsigned char *tf_base64_decode(const char *in, size_t in_len, size_t *out_len, int *bad);

/* Read a whole file, capped at max bytes. */
tufsign_status tf_read_file(const char *path, size_t max, unsigned char **data, size_t *len,
			    tufsign_error *err);

/* Drain OpenSSL's error queue into err as "<what>: <openssl reasons>". */
tufsign_status tf_openssl_error(tufsign_error *err, tufsign_status status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Logging for library code: goes to the handler set by the application. */
void tf_log(tufsign_log_level level, const char *component, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int tf_log_enabled(tufsign_log_level level, const char *component);

#define TF_ERROR(comp, ...) tf_log(TUFSIGN_LOG_ERROR, comp, __VA_ARGS__)
#define TF_WARN(comp, ...)  tf_log(TUFSIGN_LOG_WARN, comp, __VA_ARGS__)
#define TF_INFO(comp, ...)  tf_log(TUFSIGN_LOG_INFO, comp, __VA_ARGS__)
#define TF_DEBUG(comp, ...) tf_log(TUFSIGN_LOG_DEBUG, comp, __VA_ARGS__)
#define TF_TRACE(comp, ...) tf_log(TUFSIGN_LOG_TRACE, comp, __VA_ARGS__)

#endif
