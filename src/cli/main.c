/* Entry point of the tufsign command: find the command, parse its options,
 * read the environment into the context and dispatch. */
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "cli.h"
#include "tufsign/log.h"
#include "tufsign/version.h"

const cli_command *const cli_commands[] = {
	&cmd_token_list,
	&cmd_key_generate,
	&cmd_key_list,
	&cmd_key_cert,
	&cmd_key_rotate,
	&cmd_init,
	&cmd_sign,
	&cmd_remove,
	&cmd_list,
	&cmd_verify,
	&cmd_delegation_add,
	&cmd_delegation_list,
	&cmd_delegation_remove,
	NULL,
};

static const char *level_names[] = {"error", "warning", "", "debug", "trace"};

static void log_to_stderr(void *ctx, tufsign_log_level level, const char *component,
			  const char *message)
{
	(void)ctx;
	if (level == TUFSIGN_LOG_INFO)
		fprintf(stderr, "%s\n", message);
	else if (level >= TUFSIGN_LOG_DEBUG)
		fprintf(stderr, "tufsign: %s [%s]: %s\n", level_names[level], component, message);
	else
		fprintf(stderr, "tufsign: %s: %s\n", level_names[level], message);
}

static const char *env_nonempty(const char *name)
{
	const char *v = getenv(name);

	return (v != NULL && v[0] != '\0') ? v : NULL;
}

/* The components the library logs under; keep in step with the TF_DEBUG and
 * TF_TRACE calls in src/ and engines/. */
static const char *const log_components[] = {"cache", "file", "http", "pkcs11", "repo", NULL};

/* Warn once when TUFSIGN_DEBUG names a component that never logs. */
static void check_debug_components(const char *list)
{
	const char *p = list;

	while (p != NULL && *p != '\0' && strcmp(list, "all") != 0) {
		size_t len = strcspn(p, ",");
		int i, known = 0;

		for (i = 0; log_components[i] != NULL; i++)
			known |= strlen(log_components[i]) == len &&
				 strncmp(log_components[i], p, len) == 0;
		if (!known && len > 0) {
			cli_error("warning: TUFSIGN_DEBUG names an unknown component '%.*s'; the "
				  "components are cache, file, http, pkcs11 and repo, or 'all'",
				  (int)len, p);
			return;
		}
		p += len + (p[len] == ',');
	}
}

static void setup_context(cli_context *ctx, const cli_command *cmd, const cli_args *args)
{
	tufsign_log_level level = TUFSIGN_LOG_INFO;

	memset(ctx, 0, sizeof(*ctx));
	ctx->command = cmd;
	ctx->args = args;
	ctx->json = args->count[OPT_JSON] > 0;
	ctx->verbosity = args->count[OPT_QUIET] ? -1 : args->count[OPT_VERBOSE];
	ctx->server = args->value[OPT_SERVER];
	if (ctx->server == NULL)
		ctx->server = env_nonempty("TUFSIGN_SERVER");
	if (ctx->server == NULL)
		ctx->server = env_nonempty("DOCKER_CONTENT_TRUST_SERVER");
	ctx->trust_dir = args->value[OPT_TRUST_DIR];
	if (ctx->trust_dir == NULL)
		ctx->trust_dir = env_nonempty("TUFSIGN_TRUST_DIR");
	ctx->tls_ca = args->value[OPT_TLS_CA];
	ctx->tls_cert = args->value[OPT_TLS_CERT];
	ctx->tls_key = args->value[OPT_TLS_KEY];
	ctx->insecure_plain_http = args->count[OPT_INSECURE_PLAIN_HTTP] > 0;
	ctx->username = args->value[OPT_USERNAME];
	ctx->password_file = args->value[OPT_PASSWORD_FILE];
	ctx->key_options.module_path = args->value[OPT_MODULE];
	ctx->key_options.pin_file = args->value[OPT_PIN_FILE];
	ctx->key_options.passphrase_file = args->value[OPT_PASSPHRASE_FILE];
	ctx->key_options.allow_prompt = 1;

	if (ctx->verbosity < 0)
		level = TUFSIGN_LOG_WARN;
	else if (ctx->verbosity == 1)
		level = TUFSIGN_LOG_DEBUG;
	else if (ctx->verbosity >= 2)
		level = TUFSIGN_LOG_TRACE;
	tufsign_log_set_handler(log_to_stderr, NULL, level);
	tufsign_log_set_components(getenv("TUFSIGN_DEBUG"));
	check_debug_components(getenv("TUFSIGN_DEBUG"));
	if (env_nonempty("TUFSIGN_DEBUG") != NULL && level < TUFSIGN_LOG_DEBUG)
		tufsign_log_set_handler(log_to_stderr, NULL, TUFSIGN_LOG_DEBUG);
}

/* Core dumps could carry a PIN or passphrase read later in the run. */
static void disable_core_dumps(void)
{
	struct rlimit rl = {0, 0};

	setrlimit(RLIMIT_CORE, &rl);
}

static int run_command(const cli_command *cmd, int argc, char **argv)
{
	cli_context ctx;
	cli_args args;
	int rc;

	rc = cli_parse_args(cmd, argc, argv, &args);
	if (rc != 0)
		return rc;
	if (args.count[OPT_HELP]) {
		cli_print_command_help(stdout, cmd);
		rc = EXIT_OK;
		goto out;
	}
	setup_context(&ctx, cmd, &args);
	if (args.npositional < cmd->min_operands || args.npositional > cmd->max_operands) {
		rc = cli_usage_error(&ctx, "expected %s", cmd->operands);
		goto out;
	}
	rc = cli_check_input_files(&args);
	if (rc == EXIT_OK)
		rc = cmd->run(&ctx, &args);
out:
	cli_args_release(&args);
	return rc;
}

/* Print the subcommands of group (the first word of two-word commands) on f,
 * as a comma-separated list or as one line each with its summary; a NULL f
 * only counts them. Returns how many there are. */
static int print_subcommands(FILE *f, const char *group, int with_summary)
{
	size_t len = strlen(group);
	int i, n = 0;

	for (i = 0; cli_commands[i] != NULL; i++) {
		const char *name = cli_commands[i]->name;

		if (strncmp(name, group, len) != 0 || name[len] != ' ')
			continue;
		if (f != NULL && with_summary)
			fprintf(f, "  %-16s %s\n", name + len + 1, cli_commands[i]->summary);
		else if (f != NULL)
			fprintf(f, "%s%s", n > 0 ? ", " : "", name + len + 1);
		n++;
	}
	return n;
}

/* Handle a command group named without a known subcommand: "tufsign key",
 * "tufsign key --help" or "tufsign key lst". Returns the exit code, or -1
 * when word names no group. */
static int run_group(int argc, char **argv, int word)
{
	const char *group = argv[word];
	const char *next = word + 1 < argc ? argv[word + 1] : NULL;

	if (print_subcommands(NULL, group, 0) == 0)
		return -1;
	if (next != NULL && (strcmp(next, "--help") == 0 || strcmp(next, "-h") == 0)) {
		printf("usage: tufsign %s SUBCOMMAND [options] [operands]\n\nSubcommands:\n",
		       group);
		print_subcommands(stdout, group, 1);
		printf("\nRun 'tufsign %s SUBCOMMAND --help' for its options.\n", group);
		return EXIT_OK;
	}
	if (next != NULL && next[0] != '-')
		fprintf(stderr, "tufsign: '%s %s' is not a command; ", group, next);
	else
		fputs("tufsign: ", stderr);
	fprintf(stderr, "'%s' needs a subcommand: ", group);
	print_subcommands(stderr, group, 0);
	fputc('\n', stderr);
	return EXIT_USAGE;
}

int main(int argc, char **argv)
{
	const cli_command *cmd = NULL;
	int first = 0, nwords = 0, i, n = 0, rc;
	char **rest;

	disable_core_dumps();
	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		if (strcmp(argv[i], "--version") == 0) {
			printf("tufsign %s\n", tufsign_version());
			return EXIT_OK;
		}
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			cli_print_usage(stdout);
			return EXIT_OK;
		}
	}
	if (cli_find_command(argc, argv, &cmd, &first, &nwords) != 0) {
		if (cli_check_leading_options(argc, argv) != EXIT_OK)
			return EXIT_USAGE;
		if (first > 0 && first < argc && (rc = run_group(argc, argv, first)) >= 0)
			return rc;
		if (first > 0 && first < argc)
			cli_error("unknown command '%s'; run 'tufsign --help' for the list",
				  argv[first]);
		else
			cli_print_usage(stderr);
		return EXIT_USAGE;
	}
	/* Hand the command everything but the command words themselves. */
	rest = calloc((size_t)argc + 1, sizeof(char *));
	if (rest == NULL) {
		cli_error("out of memory");
		return EXIT_FAILED;
	}
	for (i = 0; i < argc; i++)
		if (i < first || i >= first + nwords)
			rest[n++] = argv[i];
	rc = run_command(cmd, n, rest);
	free(rest);
	return rc;
}
