/* Status strings and the caller-owned error object. */
#include <stdio.h>
#include <string.h>

#include "internal.h"

struct status_entry {
	const char *name;
	const char *text;
};

/* Indexed by tufsign_status; keep in the enum's order. */
static const struct status_entry status_table[] = {
	{"TUFSIGN_OK", "success"},
	{"TUFSIGN_ERR_NOMEM", "out of memory"},
	{"TUFSIGN_ERR_INVALID_ARGUMENT", "invalid argument"},
	{"TUFSIGN_ERR_IO", "file input or output failed"},
	{"TUFSIGN_ERR_JSON", "malformed JSON"},
	{"TUFSIGN_ERR_METADATA", "invalid TUF metadata"},
	{"TUFSIGN_ERR_CRYPTO", "cryptographic operation failed"},
	{"TUFSIGN_ERR_SIGNATURE", "signature verification failed"},
	{"TUFSIGN_ERR_EXPIRED", "expired"},
	{"TUFSIGN_ERR_ROLLBACK", "version rollback"},
	{"TUFSIGN_ERR_HASH_MISMATCH", "hash or length mismatch"},
	{"TUFSIGN_ERR_UNSUPPORTED", "not supported"},
	{"TUFSIGN_ERR_PIN_REQUIRED", "PIN required but no source available"},
	{"TUFSIGN_ERR_PIN_INCORRECT", "incorrect PIN or passphrase"},
	{"TUFSIGN_ERR_PIN_LOCKED", "PIN locked"},
	{"TUFSIGN_ERR_PIN_INVALID", "PIN invalid or of wrong length"},
	{"TUFSIGN_ERR_MODULE", "PKCS#11 module unavailable"},
	{"TUFSIGN_ERR_TOKEN", "token operation failed"},
	{"TUFSIGN_ERR_TOKEN_NOT_FOUND", "token not found"},
	{"TUFSIGN_ERR_KEY_NOT_FOUND", "key not found"},
	{"TUFSIGN_ERR_AMBIGUOUS", "more than one match"},
	{"TUFSIGN_ERR_MECHANISM", "mechanism not supported by the token"},
	{"TUFSIGN_ERR_KEY_EXISTS", "key already exists"},
	{"TUFSIGN_ERR_URI", "malformed URI"},
	{"TUFSIGN_ERR_NETWORK", "network error"},
	{"TUFSIGN_ERR_TLS", "TLS error"},
	{"TUFSIGN_ERR_AUTH", "authentication failed"},
	{"TUFSIGN_ERR_SERVER", "server error"},
	{"TUFSIGN_ERR_NOT_FOUND", "not found on the server"},
	{"TUFSIGN_ERR_TOO_LARGE", "download exceeds its size limit"},
	{"TUFSIGN_ERR_CONFLICT", "publish conflict"},
	{"TUFSIGN_ERR_LOCKED", "trust cache locked by another process"},
	{"TUFSIGN_ERR_UNTRUSTED", "data not trusted"},
	{"TUFSIGN_ERR_EXISTS", "already exists"},
	{"TUFSIGN_ERR_TAG_NOT_FOUND", "tag not found"},
	{"TUFSIGN_ERR_INTERNAL", "internal error"},
	{"TUFSIGN_ERR_CANCELLED", "cancelled"},
	{"TUFSIGN_ERR_PIN_EXPIRED", "PIN expired"},
	{"TUFSIGN_ERR_REPO_NOT_FOUND", "repository not found on the server"},
};

_Static_assert(TF_ARRAY_LEN(status_table) == TUFSIGN_STATUS_MAX + 1,
	       "status_table must have one entry per tufsign_status");

const char *tufsign_strerror(tufsign_status status)
{
	if ((unsigned)status > TUFSIGN_STATUS_MAX)
		return "unknown status";
	return status_table[status].text;
}

const char *tufsign_status_name(tufsign_status status)
{
	if ((unsigned)status > TUFSIGN_STATUS_MAX)
		return "TUFSIGN_ERR_UNKNOWN";
	return status_table[status].name;
}

void tufsign_error_clear(tufsign_error *err)
{
	if (err == NULL)
		return;
	memset(err, 0, sizeof(*err));
}

tufsign_status tufsign_error_vset(tufsign_error *err, tufsign_status status, const char *fmt,
				  va_list ap)
{
	if (err == NULL || err->status != TUFSIGN_OK || status == TUFSIGN_OK)
		return status;
	err->status = status;
	if (fmt == NULL)
		snprintf(err->message, sizeof(err->message), "%s", tufsign_strerror(status));
	else
		vsnprintf(err->message, sizeof(err->message), fmt, ap);
	return status;
}

tufsign_status tufsign_error_set(tufsign_error *err, tufsign_status status, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	tufsign_error_vset(err, status, fmt, ap);
	va_end(ap);
	return status;
}

void tufsign_error_locate(tufsign_error *err, const char *role, const char *path)
{
	if (err == NULL)
		return;
	if (role != NULL && err->role[0] == '\0')
		snprintf(err->role, sizeof(err->role), "%s", role);
	if (path != NULL && err->path[0] == '\0')
		snprintf(err->path, sizeof(err->path), "%s", path);
}

void tufsign_error_prefix(tufsign_error *err, const char *fmt, ...)
{
	char prefix[sizeof(err->message)];
	char old[sizeof(err->message)];
	va_list ap;

	if (err == NULL || err->status == TUFSIGN_OK)
		return;
	va_start(ap, fmt);
	vsnprintf(prefix, sizeof(prefix), fmt, ap);
	va_end(ap);
	memcpy(old, err->message, sizeof(old));
	/* Truncation keeps the start of the combined text, which is the part
	 * that names the failed operation. */
	if (snprintf(err->message, sizeof(err->message), "%s%s", prefix, old) < 0)
		err->message[0] = '\0';
}
