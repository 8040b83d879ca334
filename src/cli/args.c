/* Option parsing driven by each command's option table, so --help and the
 * parser can never disagree. */
#include <getopt.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const cli_option global_options[] = {
	{OPT_SERVER, "server", 's', "URL",
	 "Notary server URL (env TUFSIGN_SERVER, then DOCKER_CONTENT_TRUST_SERVER)"},
	{OPT_TRUST_DIR, "trust-dir", 'd', "DIR", "trust cache directory (env TUFSIGN_TRUST_DIR)"},
	{OPT_TLS_CA, "tls-ca", 0, "FILE", "CA certificates that verify the server, in PEM"},
	{OPT_TLS_CERT, "tls-cert", 0, "FILE", "client certificate for mutual TLS, in PEM"},
	{OPT_TLS_KEY, "tls-key", 0, "FILE", "private key of the client certificate, in PEM"},
	{OPT_INSECURE_PLAIN_HTTP, "insecure-plain-http", 0, NULL,
	 "allow an http:// server URL (no TLS)"},
	{OPT_USERNAME, "username", 0, "NAME",
	 "user for the server's token service (password from TUFSIGN_PASSWORD or --password-file); "
	 "without it, NOTARY_AUTH, then docker's config.json with its credential helpers"},
	{OPT_PASSWORD_FILE, "password-file", 0, "FILE",
	 "file whose first line is the token service password"},
	{OPT_MODULE, "module", 0, "PATH",
	 "PKCS#11 module when the URI names none (default: p11-kit proxy)"},
	{OPT_PIN_FILE, "pin-file", 0, "FILE",
	 "file whose first line is the token PIN (else TUFSIGN_PIN, else a prompt)"},
	{OPT_PASSPHRASE_FILE, "passphrase-file", 0, "FILE",
	 "passphrase of encrypted key files (else TUFSIGN_PASSPHRASE)"},
	{OPT_JSON, "json", 0, NULL, "print the result as one JSON document on stdout"},
	{OPT_VERBOSE, "verbose", 'v', NULL, "more detail on stderr; repeat for protocol traces"},
	{OPT_QUIET, "quiet", 'q', NULL, "only errors and warnings on stderr"},
	{OPT_HELP, "help", 'h', NULL, "show this help and exit"},
	{OPT_NONE, NULL, 0, NULL, NULL},
};

static size_t count_options(const cli_option *opts)
{
	size_t n = 0;

	while (opts != NULL && opts[n].id != OPT_NONE)
		n++;
	return n;
}

/* Build getopt_long tables from the global and the command options. */
static int build_tables(const cli_command *cmd, struct option **longs, char **shorts)
{
	const cli_option *lists[2] = {global_options, cmd ? cmd->options : NULL};
	size_t total = count_options(global_options) + count_options(lists[1]);
	size_t i, k = 0, s = 0;
	int l;

	*longs = calloc(total + 1, sizeof(**longs));
	*shorts = calloc(3 * total + 2, 1);
	if (*longs == NULL || *shorts == NULL)
		return -1;
	(*shorts)[s++] = '+'; /* stop at the first operand: commands re-parse */
	for (l = 0; l < 2; l++) {
		for (i = 0; i < count_options(lists[l]); i++) {
			const cli_option *o = &lists[l][i];

			(*longs)[k].name = o->long_name;
			(*longs)[k].has_arg = o->arg_name ? required_argument : no_argument;
			(*longs)[k].val = 256 + o->id;
			k++;
			if (o->short_name) {
				(*shorts)[s++] = o->short_name;
				if (o->arg_name)
					(*shorts)[s++] = ':';
			}
		}
	}
	return 0;
}

static int short_to_id(const cli_command *cmd, int c)
{
	const cli_option *lists[2] = {global_options, cmd ? cmd->options : NULL};
	size_t i;
	int l;

	for (l = 0; l < 2; l++)
		for (i = 0; i < count_options(lists[l]); i++)
			if (lists[l][i].short_name == c)
				return lists[l][i].id;
	return OPT_NONE;
}

/* Maximum number of edits between a mistyped long option and the option
 * suggested. */
#define MAX_SUGGEST_DISTANCE 2
/* Maximum length of an option name compared, plus one. Longer names are
 * never suggested. */
#define MAX_OPTION_NAME 64

/* Return the Levenshtein distance of a (alen bytes) and b: the fewest
 * insertions, deletions and substitutions that turn one into the other.
 * Names of MAX_OPTION_NAME bytes or more count as far apart. */
static size_t edit_distance(const char *a, size_t alen, const char *b)
{
	size_t blen = strlen(b), row[MAX_OPTION_NAME], i, j;

	if (alen >= MAX_OPTION_NAME || blen >= MAX_OPTION_NAME)
		return SIZE_MAX;
	for (j = 0; j <= blen; j++)
		row[j] = j;
	for (i = 1; i <= alen; i++) {
		size_t diagonal = row[0];

		row[0] = i;
		for (j = 1; j <= blen; j++) {
			size_t above = row[j];
			size_t best = diagonal + (a[i - 1] != b[j - 1]);

			if (above + 1 < best)
				best = above + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diagonal = above;
		}
	}
	return row[blen];
}

/* Return the long option of cmd or the global ones nearest to the unknown
 * "--name[=value]" arg, or NULL when none is within MAX_SUGGEST_DISTANCE
 * edits or arg names a known option (one whose value is missing). */
static const char *suggest_option(const cli_command *cmd, const char *arg)
{
	const cli_option *lists[2] = {global_options, cmd ? cmd->options : NULL};
	const char *name = arg + 2, *best = NULL;
	size_t len = strcspn(name, "="), best_distance = MAX_SUGGEST_DISTANCE + 1, i;
	int l;

	if (strncmp(arg, "--", 2) != 0 || len == 0)
		return NULL;
	for (l = 0; l < 2; l++) {
		for (i = 0; i < count_options(lists[l]); i++) {
			const char *known = lists[l][i].long_name;
			size_t d = edit_distance(name, len, known);

			if (d == 0)
				return NULL;
			if (d < best_distance) {
				best_distance = d;
				best = known;
			}
		}
	}
	return best;
}

/* Print the error of the unknown or incomplete option arg of cmd, or of
 * the global options when cmd is NULL. */
static void report_bad_option(const cli_command *cmd, const char *arg)
{
	const char *name = cmd ? cmd->name : "";
	const char *suggestion = suggest_option(cmd, arg);
	char where[64] = "", help[96] = "tufsign --help";

	if (cmd != NULL) {
		snprintf(where, sizeof(where), "%s: ", cmd->name);
		snprintf(help, sizeof(help), "tufsign %s --help", cmd->name);
	}
	if (suggestion != NULL)
		cli_error("%sinvalid or incomplete option '%s'; did you mean '--%s'? See '%s'",
			  where, arg, suggestion, help);
	else
		cli_error("%sinvalid or incomplete option '%s'; see '%s'", where, arg, help);
	if (cmd != NULL && arg[0] == '-' && arg[1] != '-' && short_to_id(cmd, arg[1]) == OPT_NONE)
		cli_error("an operand that starts with '-' goes after '--', which ends the "
			  "options: tufsign %s ... -- %s",
			  name, arg);
}

/* Options may appear anywhere between operands, so parse repeatedly; "--"
 * ends them, so every later argument is an operand. */
int cli_parse_args(const cli_command *cmd, int argc, char **argv, cli_args *out)
{
	struct option *longs = NULL;
	char *shorts = NULL;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	out->positional = calloc((size_t)argc + 1, sizeof(char *));
	out->given = calloc((size_t)argc + 1, sizeof(*out->given));
	if (out->positional == NULL || out->given == NULL ||
	    build_tables(cmd, &longs, &shorts) != 0) {
		cli_error("out of memory");
		rc = EXIT_FAILED;
		goto out;
	}
	optind = 1;
	opterr = 0;
	while (optind < argc) {
		/* getopt leaves optind on a cluster of short options until its
		 * last letter, so this is the argument the next option is in. */
		int at = optind;
		int c, id;

		if (strcmp(argv[at], "--") == 0) {
			for (at++; at < argc; at++)
				out->positional[out->npositional++] = argv[at];
			break;
		}
		c = getopt_long(argc, argv, shorts, longs, NULL);
		if (c == -1) {
			if (optind < argc)
				out->positional[out->npositional++] = argv[optind++];
			continue;
		}
		if (c == '?' || c == ':') {
			report_bad_option(cmd, argv[at]);
			rc = EXIT_USAGE;
			goto out;
		}
		id = c >= 256 ? c - 256 : short_to_id(cmd, c);
		out->count[id]++;
		out->value[id] = optarg;
		if (optarg != NULL)
			out->given[out->ngiven++] = (struct cli_given){id, optarg};
	}
out:
	free(longs);
	free(shorts);
	/* Callers release the arguments only after a successful parse. */
	if (rc != 0)
		cli_args_release(out);
	return rc;
}

void cli_args_release(cli_args *args)
{
	free(args->positional);
	free(args->given);
	memset(args, 0, sizeof(*args));
}

/* Help text is wrapped to fit an 80-column terminal. */
#define HELP_WIDTH 79

/* Print text word-wrapped: the first line continues at column col, later
 * lines start with indent spaces. Words longer than a line stay whole. A
 * newline in text ends the line there, so "\n\n" separates paragraphs. */
static void print_wrapped(FILE *f, const char *text, int col, int indent)
{
	const char *p = text;
	int line_start = 0; /* 1 after a newline whose indent is not printed yet */

	while (*p != '\0') {
		size_t word = strcspn(p, " \n");

		if (*p == '\n') {
			fputc('\n', f);
			col = indent;
			line_start = 1;
			p++;
			continue;
		}
		if (line_start) {
			fprintf(f, "%*s", indent, "");
			line_start = 0;
		} else if (col > indent && col + 1 + (int)word > HELP_WIDTH) {
			fprintf(f, "\n%*s", indent, "");
			col = indent;
		} else if (col > indent) {
			fputc(' ', f);
			col++;
		}
		fwrite(p, 1, word, f);
		col += (int)word;
		p += word;
		while (*p == ' ')
			p++;
	}
	fputc('\n', f);
}

static void print_options(FILE *f, const cli_option *opts)
{
	size_t i;

	for (i = 0; i < count_options(opts); i++) {
		const cli_option *o = &opts[i];
		char left[64];

		if (o->short_name)
			snprintf(left, sizeof(left), "-%c, --%s%s%s", o->short_name, o->long_name,
				 o->arg_name ? " " : "", o->arg_name ? o->arg_name : "");
		else
			snprintf(left, sizeof(left), "    --%s%s%s", o->long_name,
				 o->arg_name ? " " : "", o->arg_name ? o->arg_name : "");
		fprintf(f, "  %-28s ", left);
		print_wrapped(f, o->help, 31, 31);
	}
}

void cli_print_command_help(FILE *f, const cli_command *cmd)
{
	fprintf(f, "usage: tufsign %s %s\n\n%s.\n", cmd->name, cmd->operands, cmd->summary);
	if (cmd->description != NULL) {
		fputc('\n', f);
		print_wrapped(f, cmd->description, 0, 0);
	}
	if (count_options(cmd->options) > 0) {
		fprintf(f, "\nOptions:\n");
		print_options(f, cmd->options);
	}
	fprintf(f, "\nGlobal options: see 'tufsign --help'.\n");
}

void cli_print_usage(FILE *f)
{
	size_t i;

	fprintf(f, "usage: tufsign [global options] COMMAND [options] [operands]\n\n"
		   "Sign Notary v1 / TUF (Docker Content Trust) metadata with keys on PKCS#11 "
		   "tokens.\n\n"
		   "Commands:\n");
	for (i = 0; cli_commands[i] != NULL; i++)
		fprintf(f, "  %-18s %s\n", cli_commands[i]->name, cli_commands[i]->summary);
	fprintf(f, "\nGlobal options:\n");
	print_options(f, global_options);
	fprintf(f, "      --version                print the version and exit\n"
		   "\nRun 'tufsign COMMAND --help' for a command's options and 'man tufsign' for\n"
		   "exit codes and environment variables.\n");
}

/* Return 1 when arg is a global option that consumes the next argument. */
static int global_takes_value(const char *arg)
{
	size_t i;

	if (strncmp(arg, "--", 2) == 0) {
		if (strchr(arg, '=') != NULL)
			return 0;
		for (i = 0; i < count_options(global_options); i++)
			if (strcmp(arg + 2, global_options[i].long_name) == 0)
				return global_options[i].arg_name != NULL;
		return 0;
	}
	if (arg[0] == '-' && arg[1] != '\0' && arg[2] == '\0')
		for (i = 0; i < count_options(global_options); i++)
			if (global_options[i].short_name == arg[1])
				return global_options[i].arg_name != NULL;
	return 0;
}

int cli_check_leading_options(int argc, char **argv)
{
	size_t i, len;
	int k;

	for (k = 1; k < argc && argv[k][0] == '-' && strcmp(argv[k], "--") != 0; k++) {
		int known = strcmp(argv[k], "--version") == 0;

		if (global_takes_value(argv[k])) {
			k++;
			continue;
		}
		if (strncmp(argv[k], "--", 2) != 0)
			continue;
		len = strcspn(argv[k] + 2, "=");
		for (i = 0; i < count_options(global_options); i++)
			known |= strlen(global_options[i].long_name) == len &&
				 strncmp(argv[k] + 2, global_options[i].long_name, len) == 0;
		if (!known) {
			report_bad_option(NULL, argv[k]);
			return EXIT_USAGE;
		}
	}
	return EXIT_OK;
}

int cli_find_command(int argc, char **argv, const cli_command **cmd, int *first_word, int *nwords)
{
	int i, k;

	*cmd = NULL;
	for (i = 1; i < argc; i++) {
		if (argv[i][0] != '-')
			break;
		if (global_takes_value(argv[i]))
			i++;
	}
	if (i >= argc)
		return -1;
	*first_word = i;
	for (k = 0; cli_commands[k] != NULL; k++) {
		const char *name = cli_commands[k]->name;
		const char *space = strchr(name, ' ');

		if (space == NULL) {
			if (strcmp(name, argv[i]) == 0) {
				*cmd = cli_commands[k];
				*nwords = 1;
				return 0;
			}
			continue;
		}
		if (strncmp(name, argv[i], (size_t)(space - name)) == 0 &&
		    argv[i][space - name] == '\0' && i + 1 < argc &&
		    strcmp(space + 1, argv[i + 1]) == 0) {
			*cmd = cli_commands[k];
			*nwords = 2;
			return 0;
		}
	}
	return -1;
}
