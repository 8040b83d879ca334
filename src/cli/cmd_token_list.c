/* tufsign token list: List the tokens of a PKCS#11 module with their URIs, flags and mechanisms. */
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

const cli_command cmd_token_list = {
	.name = "token list",
	.operands = "",
	.summary = "List the tokens of a PKCS#11 module with their URIs, flags and mechanisms",
	.options = options,
	.min_operands = 0,
	.max_operands = 0,
	.run = run,
};
