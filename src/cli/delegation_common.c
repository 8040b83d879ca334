/* Helpers of the delegation commands: repeated option values and the
 * --role routing of sign and remove. */
#include <string.h>

#include "cli.h"

/* Storage for the pieces of comma-separated values; one run parses one
 * command line, so static storage is enough. */
static char split_buf[4096];

int cli_values(const cli_context *ctx, const cli_args *args, int id, int split,
	       const char *out[CLI_MAX_VALUES])
{
	size_t used = 0;
	int i, n = 0;

	for (i = 0; i < args->ngiven; i++) {
		const char *v = args->given[i].value;
		size_t len = strlen(v);
		char *p, *save = NULL, *piece;

		if (args->given[i].id != id)
			continue;
		if (!split || used + len + 1 > sizeof(split_buf)) {
			if (n == CLI_MAX_VALUES)
				goto too_many;
			out[n++] = v;
			continue;
		}
		p = memcpy(split_buf + used, v, len + 1);
		used += len + 1;
		for (piece = strtok_r(p, ",", &save); piece != NULL;
		     piece = strtok_r(NULL, ",", &save)) {
			if (n == CLI_MAX_VALUES)
				goto too_many;
			out[n++] = piece;
		}
	}
	return n;
too_many:
	cli_usage_error(ctx, "too many values for one option; the maximum is %d", CLI_MAX_VALUES);
	return -1;
}

tufsign_status cli_publish_roles(const cli_context *ctx, const cli_args *args,
				 const tufsign_repo_context *repo, const char *gun,
				 const tufsign_target_change *changes, size_t count,
				 const tufsign_publish_options *opts,
				 tufsign_publish_result *result, tufsign_error *err)
{
	const char *roles[CLI_MAX_VALUES];
	int n = cli_values(ctx, args, OPT_ROLE, 1, roles);

	if (n <= 0)
		return tufsign_error_set(err, TUFSIGN_ERR_INVALID_ARGUMENT,
					 "--role needs a delegation role such as "
					 "targets/releases");
	return tufsign_repo_publish_delegations(repo, gun, roles, (size_t)n, changes, count, opts,
						result, err);
}
