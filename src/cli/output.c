/* Error reporting, exit codes and JSON output of the tufsign command. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"

void cli_error(const char *fmt, ...)
{
	va_list ap;

	fputs("tufsign: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void cli_info(const cli_context *ctx, const char *fmt, ...)
{
	va_list ap;

	if (ctx != NULL && ctx->verbosity < 0)
		return;
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int cli_exit_code(tufsign_status status)
{
	switch (status) {
	case TUFSIGN_OK:
		return EXIT_OK;
	case TUFSIGN_ERR_INVALID_ARGUMENT:
	case TUFSIGN_ERR_URI:
	case TUFSIGN_ERR_REPO_NOT_FOUND: /* a mistyped GUN: retrying cannot help */
		return EXIT_USAGE;
	case TUFSIGN_ERR_PIN_REQUIRED:
	case TUFSIGN_ERR_PIN_INCORRECT:
	case TUFSIGN_ERR_PIN_LOCKED:
	case TUFSIGN_ERR_PIN_INVALID:
	case TUFSIGN_ERR_PIN_EXPIRED:
		return EXIT_PIN;
	case TUFSIGN_ERR_MODULE:
	case TUFSIGN_ERR_TOKEN:
	case TUFSIGN_ERR_TOKEN_NOT_FOUND:
	case TUFSIGN_ERR_KEY_NOT_FOUND:
	case TUFSIGN_ERR_AMBIGUOUS:
	case TUFSIGN_ERR_MECHANISM:
	case TUFSIGN_ERR_KEY_EXISTS:
		return EXIT_TOKEN;
	case TUFSIGN_ERR_NETWORK:
	case TUFSIGN_ERR_TLS:
	case TUFSIGN_ERR_AUTH:
	case TUFSIGN_ERR_SERVER:
	case TUFSIGN_ERR_NOT_FOUND:
		return EXIT_NETWORK;
	case TUFSIGN_ERR_SIGNATURE:
	case TUFSIGN_ERR_EXPIRED:
	case TUFSIGN_ERR_ROLLBACK:
	case TUFSIGN_ERR_HASH_MISMATCH:
	case TUFSIGN_ERR_UNTRUSTED:
	case TUFSIGN_ERR_TOO_LARGE:
		return EXIT_UNTRUSTED;
	case TUFSIGN_ERR_CONFLICT:
		return EXIT_CONFLICT;
	case TUFSIGN_ERR_TAG_NOT_FOUND:
		return EXIT_NOT_SIGNED;
	default:
		return EXIT_FAILED;
	}
}

/* Return the exit code of st for the running command. A repository that
 * does not exist contains no signed tag, so verify exits "not signed". */
static int command_exit_code(const cli_context *ctx, tufsign_status st)
{
	if (st == TUFSIGN_ERR_REPO_NOT_FOUND && ctx != NULL && ctx->command == &cmd_verify)
		return EXIT_NOT_SIGNED;
	return cli_exit_code(st);
}

int cli_fail(const cli_context *ctx, const tufsign_error *err)
{
	tufsign_status st = err->status != TUFSIGN_OK ? err->status : TUFSIGN_ERR_INTERNAL;
	const char *msg = err->message[0] ? err->message : tufsign_strerror(st);
	int code = command_exit_code(ctx, st);

	if (ctx != NULL && ctx->json) {
		json_t *doc = json_pack("{s:b,s:{s:s,s:s,s:s,s:s,s:i}}", "ok", 0, "error", "code",
					tufsign_status_name(st), "message", msg, "role", err->role,
					"path", err->path, "exit_code", code);

		if (doc != NULL)
			cli_print_json(doc);
	}
	cli_error("%s", msg);
	return code;
}

int cli_usage_error(const cli_context *ctx, const char *fmt, ...)
{
	char message[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(message, sizeof(message), fmt, ap);
	va_end(ap);
	cli_error("%s: %s", ctx->command->name, message);
	fprintf(stderr, "usage: tufsign %s %s\n", ctx->command->name, ctx->command->operands);
	return EXIT_USAGE;
}

int cli_print_json(json_t *doc)
{
	int rc = json_dumpf(doc, stdout, JSON_COMPACT | JSON_ENSURE_ASCII);

	fputc('\n', stdout);
	json_decref(doc);
	return rc == 0 ? 0 : -1;
}
