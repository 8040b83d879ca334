/* tufsign key generate: Generate a key pair on the token, never extractable. */
#include "cli.h"

static const cli_option options[] = {
	{OPT_TYPE, "type", 0, "TYPE", "ecdsa-p256 (default), ecdsa-p384, rsa-2048, rsa-3072, rsa-4096 or ed25519"},
	{OPT_NONE, NULL, 0, NULL, NULL},
};

static int run(cli_context *ctx, const cli_args *args)
{
	(void)args;
	/* TODO: placeholder until the command is implemented. */
	cli_error("'%s' is not implemented yet", ctx->command->name);
	return EXIT_FAILED;
}

const cli_command cmd_key_generate = {
	.name = "key generate",
	.operands = "URI [--type TYPE]",
	.summary = "Generate a key pair on the token, never extractable",
	.options = options,
	.min_operands = 1,
	.max_operands = 1,
	.run = run,
};
