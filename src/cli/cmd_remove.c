/* tufsign remove: Remove a tag and publish the change. */
#include "cli.h"

static const cli_option options[] = {
	{OPT_KEY, "key", 'k', "URI", "targets key (PKCS#11 URI or key file)"},
	{OPT_SNAPSHOT_KEY, "snapshot-key", 0, "URI", "snapshot key, when the snapshot is signed locally"},
	{OPT_NONE, NULL, 0, NULL, NULL},
};

static int run(cli_context *ctx, const cli_args *args)
{
	(void)args;
	/* TODO: placeholder until the command is implemented. */
	cli_error("'%s' is not implemented yet", ctx->command->name);
	return EXIT_FAILED;
}

const cli_command cmd_remove = {
	.name = "remove",
	.operands = "GUN TAG --key URI",
	.summary = "Remove a tag and publish the change",
	.options = options,
	.min_operands = 2,
	.max_operands = 2,
	.run = run,
};
