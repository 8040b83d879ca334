/* tufsign list: List the signed tags, verified from the pinned root. */
#include "cli.h"

static const cli_option options[] = {
	{OPT_ROOT_KEY_ID, "root-key-id", 0, "ID", "trust only a root with this key ID on first use"},
	{OPT_ROOT_CERT, "root-cert", 0, "FILE", "trust only a root with this certificate on first use"},
	{OPT_NONE, NULL, 0, NULL, NULL},
};

static int run(cli_context *ctx, const cli_args *args)
{
	(void)args;
	/* TODO: placeholder until the command is implemented. */
	cli_error("'%s' is not implemented yet", ctx->command->name);
	return EXIT_FAILED;
}

const cli_command cmd_list = {
	.name = "list",
	.operands = "GUN",
	.summary = "List the signed tags, verified from the pinned root",
	.options = options,
	.min_operands = 1,
	.max_operands = 1,
	.run = run,
};
