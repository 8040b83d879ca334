/* tufsign key cert: Make the self-signed X.509 certificate of a key for a GUN. */
#include "cli.h"

static const cli_option options[] = {
	{OPT_DAYS, "days", 0, "N", "validity in days (default 3650)"},
	{OPT_OUT, "out", 'o', "FILE", "write the PEM certificate to FILE instead of stdout"},
	{OPT_STORE, "store", 0, NULL, "also store the certificate on the token beside the key"},
	{OPT_NONE, NULL, 0, NULL, NULL},
};

static int run(cli_context *ctx, const cli_args *args)
{
	(void)args;
	/* TODO: placeholder until the command is implemented. */
	cli_error("'%s' is not implemented yet", ctx->command->name);
	return EXIT_FAILED;
}

const cli_command cmd_key_cert = {
	.name = "key cert",
	.operands = "GUN URI [--days N] [--out FILE] [--store]",
	.summary = "Make the self-signed X.509 certificate of a key for a GUN",
	.options = options,
	.min_operands = 2,
	.max_operands = 2,
	.run = run,
};
