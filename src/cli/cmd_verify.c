/* tufsign verify: Exit 0 only if the tag is signed (and has the given digest). */
#include "cli.h"

static const cli_option options[] = {
	{OPT_DIGEST, "digest", 0, "sha256:HEX", "required digest of the tag"},
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

const cli_command cmd_verify = {
	.name = "verify",
	.operands = "GUN TAG [--digest sha256:HEX]",
	.summary = "Exit 0 only if the tag is signed (and has the given digest)",
	.options = options,
	.min_operands = 2,
	.max_operands = 2,
	.run = run,
};
