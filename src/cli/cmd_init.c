/* tufsign init: Create a repository on the Notary server with keys on the token. */
#include "cli.h"

static const cli_option options[] = {
	{OPT_ROOT_KEY, "root-key", 0, "URI", "root key (PKCS#11 URI or key file)"},
	{OPT_TARGETS_KEY, "targets-key", 0, "URI", "targets key (PKCS#11 URI or key file)"},
	{OPT_SNAPSHOT_KEY, "snapshot-key", 0, "URI", "sign the snapshot locally with this key instead of letting the server hold it"},
	{OPT_NONE, NULL, 0, NULL, NULL},
};

static int run(cli_context *ctx, const cli_args *args)
{
	(void)args;
	/* TODO: placeholder until the command is implemented. */
	cli_error("'%s' is not implemented yet", ctx->command->name);
	return EXIT_FAILED;
}

const cli_command cmd_init = {
	.name = "init",
	.operands = "GUN --root-key URI --targets-key URI [--snapshot-key URI]",
	.summary = "Create a repository on the Notary server with keys on the token",
	.options = options,
	.min_operands = 1,
	.max_operands = 1,
	.run = run,
};
