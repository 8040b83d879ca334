/* Decoding of notary-server error bodies,
 * {"errors":[{"code":"...","message":"...","detail":...}]}, into messages
 * and statuses. */
#include <string.h>

#include <jansson.h>

#include "net/net.h"

/* Maximum length of an unparsed body or detail copied into a message. */
#define SNIPPET_MAX 200
/* Part of the body Go's net/http sends for plain HTTP on a TLS port. */
#define PLAIN_HTTP_ON_TLS "HTTP request to an HTTPS server"

/* Append up to SNIPPET_MAX printable bytes of text, other bytes as '?'. */
static void append_snippet(tf_buf *b, const char *text, size_t len)
{
	size_t i;

	for (i = 0; i < len && i < SNIPPET_MAX; i++) {
		unsigned char c = (unsigned char)text[i];

		tf_buf_append_byte(b, c >= 0x20 && c < 0x7f ? c : '?');
	}
	if (len > SNIPPET_MAX)
		tf_buf_append_str(b, "...");
}

/* Validation failures carry {"Name":"ErrBadTargets","Error":{"Msg":"..."}},
 * sometimes with "Missing"; other details are strings or objects. */
static void append_detail(tf_buf *b, json_t *detail)
{
	const char *name = json_string_value(json_object_get(detail, "Name"));
	const char *msg =
		json_string_value(json_object_get(json_object_get(detail, "Error"), "Msg"));
	const char *missing = json_string_value(json_object_get(detail, "Missing"));
	char *dump;

	if (json_is_string(detail)) {
		tf_buf_append_str(b, ": ");
		append_snippet(b, json_string_value(detail), json_string_length(detail));
		return;
	}
	if (name != NULL || msg != NULL) {
		tf_buf_printf(b, ": %s%s%s", name ? name : "", name && msg ? ": " : "",
			      msg ? msg : "");
		if (missing != NULL)
			tf_buf_printf(b, " (missing %s)", missing);
		return;
	}
	if (detail == NULL || json_is_null(detail) ||
	    (json_is_object(detail) && json_object_size(detail) == 0))
		return;
	dump = json_dumps(detail, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
	if (dump != NULL) {
		tf_buf_append_str(b, ": ");
		append_snippet(b, dump, strlen(dump));
	}
	free(dump);
}

static tufsign_status status_for(long http_status, const char *code)
{
	if (code != NULL && strcmp(code, "VERSION") == 0)
		return TUFSIGN_ERR_CONFLICT;
	if (http_status == 401 || http_status == 403)
		return TUFSIGN_ERR_AUTH;
	if (http_status == 404)
		return TUFSIGN_ERR_NOT_FOUND;
	return TUFSIGN_ERR_SERVER;
}

/* Advice on the caller's next step, by status. */
static const char *advice_for(tufsign_status st)
{
	switch (st) {
	case TUFSIGN_ERR_CONFLICT:
		return "; another publisher changed the repository first: fetch it again and retry";
	case TUFSIGN_ERR_AUTH:
		return "; check the credentials and that the user may access this repository";
	default:
		return "";
	}
}

tufsign_status tf_server_error(tufsign_error *err, const char *what, long status,
			       const unsigned char *body, size_t len)
{
	tufsign_status st;
	json_t *doc = json_loadb((const char *)body, len, 0, NULL);
	json_t *first = json_array_get(json_object_get(doc, "errors"), 0);
	const char *code = json_string_value(json_object_get(first, "code"));
	const char *message = json_string_value(json_object_get(first, "message"));
	tf_buf b;

	tf_buf_init(&b);
	st = status_for(status, code);
	tf_buf_printf(&b, "%s failed: HTTP %ld", what, status);
	if (code != NULL)
		tf_buf_printf(&b, " %s", code);
	if (message != NULL) {
		size_t n = strlen(message);

		/* Messages end with a period; the detail follows them here. */
		while (n > 0 && message[n - 1] == '.')
			n--;
		tf_buf_printf(&b, ": %.*s", (int)n, message);
	}
	if (first != NULL) {
		append_detail(&b, json_object_get(first, "detail"));
	} else if (len > 0) {
		/* Plain-text bodies end with a newline, which would print as '?'. */
		while (len > 0 && (body[len - 1] == '\n' || body[len - 1] == '\r' ||
				   body[len - 1] == ' ' || body[len - 1] == '.'))
			len--;
		tf_buf_append_str(&b, ": ");
		append_snippet(&b, (const char *)body, len);
		if (status == 400 &&
		    memmem(body, len, PLAIN_HTTP_ON_TLS, sizeof(PLAIN_HTTP_ON_TLS) - 1) != NULL)
			tf_buf_append_str(&b, "; the server speaks HTTPS: use an https:// URL");
	}
	tf_buf_append_str(&b, advice_for(st));
	if (b.failed)
		st = tufsign_error_set(err, TUFSIGN_ERR_NOMEM, "out of memory decoding an error");
	else
		tufsign_error_set(err, st, "%s", (const char *)b.data);
	tf_buf_release(&b, 0);
	json_decref(doc);
	return st;
}
