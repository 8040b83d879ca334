/* Library logging: formats only what the installed handler will see. */
#include <stdio.h>
#include <string.h>

#include "internal.h"

static tufsign_log_fn log_fn;
static void *log_ctx;
static tufsign_log_level log_max = TUFSIGN_LOG_WARN;
static char log_components[256]; /* "" means every component */

void tufsign_log_set_handler(tufsign_log_fn fn, void *ctx, tufsign_log_level max_level)
{
	log_fn = fn;
	log_ctx = ctx;
	log_max = max_level;
}

void tufsign_log_set_components(const char *list)
{
	if (list == NULL || strcmp(list, "all") == 0)
		list = "";
	snprintf(log_components, sizeof(log_components), "%s", list);
}

/* Match component against the comma-separated list as whole words. */
static int component_listed(const char *component)
{
	size_t n = strlen(component);
	const char *p = log_components;

	while (*p != '\0') {
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);

		if (len == n && strncmp(p, component, n) == 0)
			return 1;
		if (end == NULL)
			break;
		p = end + 1;
	}
	return 0;
}

int tf_log_enabled(tufsign_log_level level, const char *component)
{
	if (log_fn == NULL || level > log_max)
		return 0;
	if (level >= TUFSIGN_LOG_DEBUG && log_components[0] != '\0' && component != NULL)
		return component_listed(component);
	return 1;
}

void tf_log(tufsign_log_level level, const char *component, const char *fmt, ...)
{
	char message[2048];
	va_list ap;

	if (!tf_log_enabled(level, component))
		return;
	va_start(ap, fmt);
	vsnprintf(message, sizeof(message), fmt, ap);
	va_end(ap);
	log_fn(log_ctx, level, component ? component : "tufsign", message);
}
