/* tufsign key list: List the keys on a token with their TUF key IDs. */
#include "cli.h"

static const cli_option options[] = {

	{OPT_NONE, NULL, 0, NULL, NULL},
};

static int run(cli_context *ctx, const cli_args *args)
{
	(void)args;
	/* TODO: placeholder until the command is implemented. */
	cli_error("'%s' is not implemented yet", ctx->command->name);
	return EXIT_FAILED;
}

const cli_command cmd_key_list = {
	.name = "key list",
	.operands = "URI",
	.summary = "List the keys on a token with their TUF key IDs",
	.options = options,
	.min_operands = 1,
	.max_operands = 1,
	.run = run,
};
