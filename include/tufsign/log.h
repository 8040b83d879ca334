/* Logging hooks. The library never writes to stdout or stderr itself: it
 * hands each message to the handler the application installs. Without a
 * handler, messages are dropped. */
#ifndef TUFSIGN_LOG_H
#define TUFSIGN_LOG_H

#include "tufsign/export.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum tufsign_log_level {
	TUFSIGN_LOG_ERROR = 0,
	TUFSIGN_LOG_WARN = 1,
	TUFSIGN_LOG_INFO = 2,  /* progress a user sees by default */
	TUFSIGN_LOG_DEBUG = 3, /* -v */
	TUFSIGN_LOG_TRACE = 4, /* -vv: protocol detail, never secrets */
} tufsign_log_level;

/* component is a short tag such as "pkcs11", "http", "tuf", "cache". */
typedef void (*tufsign_log_fn)(void *ctx, tufsign_log_level level, const char *component,
			       const char *message);

/* Install fn (NULL removes it). Messages above max_level are not formatted.
 * Not thread-safe: call before starting work. */
TUFSIGN_API void tufsign_log_set_handler(tufsign_log_fn fn, void *ctx, tufsign_log_level max_level);

/* Restrict DEBUG and TRACE messages to a comma-separated list of components
 * (the TUFSIGN_DEBUG variable); NULL or "" or "all" allows all. */
TUFSIGN_API void tufsign_log_set_components(const char *list);

#ifdef __cplusplus
}
#endif

#endif
