/* Helpers of the delegation commands: repeated option values and the
 * --role routing of sign and remove. */
#include <ctype.h>
#include <string.h>

#include "cli.h"
#include "tufsign/metadata.h"

/* Storage for the pieces of comma-separated values. One run parses one
 * command line, so static storage is enough. */
static char split_buf[4096];

/* Collect the values of option id into out, split at commas when split is
 * set. Returns their number, or -1 with *problem set. */
static int collect_values(const cli_args *args, int id, int split, const char *out[CLI_MAX_VALUES],
			  const char **problem)
{
	size_t used = 0;
	int i, n = 0;

	for (i = 0; i < args->ngiven; i++) {
		const char *v = args->given[i].value;
		size_t len = strlen(v);
		char *save = NULL, *piece;

		if (args->given[i].id != id)
			continue;
		if (!split) {
			if (n == CLI_MAX_VALUES)
				goto too_many;
			out[n++] = v;
			continue;
		}
		if (used + len + 1 > sizeof(split_buf)) {
			*problem = "the values of one option are too long";
			return -1;
		}
		memcpy(split_buf + used, v, len + 1);
		for (piece = strtok_r(split_buf + used, ",", &save); piece != NULL;
		     piece = strtok_r(NULL, ",", &save)) {
			if (n == CLI_MAX_VALUES)
				goto too_many;
			out[n++] = piece;
		}
		used += len + 1;
	}
	return n;
too_many:
	*problem = "too many values for one option";
	return -1;
}

int cli_values(const cli_context *ctx, const cli_args *args, int id, int split,
	       const char *out[CLI_MAX_VALUES])
{
	const char *problem = NULL;
	int n = collect_values(args, id, split, out, &problem);

	if (n < 0)
		cli_usage_error(ctx, "%s: give at most %d values in at most %zu bytes", problem,
				CLI_MAX_VALUES, sizeof(split_buf) - 1);
	return n;
}

/* Report an invalid --role value; when only its case is wrong, name the
 * lower-case role that would work. */
static void report_role(const char *role, const char *message)
{
	char lower[256];
	tufsign_error err;
	size_t i;

	tufsign_error_clear(&err);
	for (i = 0; role[i] != '\0' && i < sizeof(lower) - 1; i++)
		lower[i] = (char)tolower((unsigned char)role[i]);
	lower[i] = '\0';
	if (role[i] == '\0' && strcmp(lower, role) != 0 &&
	    tufsign_meta_check_role_name(lower, &err) == TUFSIGN_OK)
		cli_error("--role: %s; use lower case, for example '%s'", message, lower);
	else
		cli_error("--role: %s", message);
}

int cli_check_roles(const cli_context *ctx, const cli_args *args)
{
	const char *roles[CLI_MAX_VALUES];
	const char *problem = NULL;
	tufsign_error err;
	int i, n;

	(void)ctx;
	if (args->count[OPT_ROLE] == 0)
		return EXIT_OK;
	n = collect_values(args, OPT_ROLE, 1, roles, &problem);
	if (n < 0) {
		cli_error("invalid --role: %s; give at most %d roles", problem, CLI_MAX_VALUES);
		return EXIT_USAGE;
	}
	if (n == 0) {
		cli_error("--role needs a delegation role such as targets/releases");
		return EXIT_USAGE;
	}
	for (i = 0; i < n; i++) {
		tufsign_error_clear(&err);
		if (tufsign_meta_check_role_name(roles[i], &err) != TUFSIGN_OK) {
			report_role(roles[i], err.message);
			return EXIT_USAGE;
		}
	}
	return EXIT_OK;
}

tufsign_status cli_publish_roles(const cli_context *ctx, const cli_args *args,
				 const tufsign_repo_context *repo, const char *gun,
				 const tufsign_target_change *changes, size_t count,
				 const tufsign_publish_options *opts,
				 tufsign_publish_result *result, tufsign_error *err)
{
	const char *roles[CLI_MAX_VALUES];
	const char *problem = NULL;
	int n = collect_values(args, OPT_ROLE, 1, roles, &problem);

	(void)ctx;
	if (n < 0)
		return tufsign_error_set(err, TUFSIGN_ERR_INVALID_ARGUMENT,
					 "invalid --role: %s; give at most %d roles", problem,
					 CLI_MAX_VALUES);
	if (n == 0)
		return tufsign_error_set(err, TUFSIGN_ERR_INVALID_ARGUMENT,
					 "--role needs a delegation role such as "
					 "targets/releases");
	return tufsign_repo_publish_delegations(repo, gun, roles, (size_t)n, changes, count, opts,
						result, err);
}

int cli_check_signer_operands(const cli_context *ctx, const cli_args *args)
{
	tufsign_error err;
	int rc = cli_check_gun(ctx, args->positional[0]);

	tufsign_error_clear(&err);
	if (rc == EXIT_OK &&
	    tufsign_repo_check_signer_name(args->positional[1], &err) != TUFSIGN_OK)
		rc = cli_usage_from_error(ctx, &err);
	if (rc == EXIT_OK && args->value[OPT_KEY] == NULL)
		rc = cli_usage_error(ctx, "missing --key URI: the targets key of %s",
				     args->positional[0]);
	return rc;
}

tufsign_status cli_signing_open(const cli_context *ctx, const cli_args *args, cli_signing *s,
				tufsign_error *err)
{
	tufsign_status st;

	memset(s, 0, sizeof(*s));
	st = cli_repo_open(ctx, args, &s->repo, err);
	if (st == TUFSIGN_OK)
		st = cli_key_open(ctx, args->value[OPT_KEY], &s->targets, err);
	if (st == TUFSIGN_OK && args->value[OPT_SNAPSHOT_KEY] != NULL)
		st = cli_key_open(ctx, args->value[OPT_SNAPSHOT_KEY], &s->snapshot, err);
	s->options.targets = &s->targets.signer;
	s->options.snapshot = s->snapshot.key != NULL ? &s->snapshot.signer : NULL;
	s->options.name = args->positional[1];
	return st;
}

void cli_signing_close(cli_signing *s)
{
	cli_key_close(&s->snapshot);
	cli_key_close(&s->targets);
	cli_keys_shutdown();
	cli_repo_release(&s->repo);
}
