/* tufsign sign: Add or replace a signed tag and publish it. */
#include "cli.h"

static const cli_option options[] = {
	{OPT_KEY, "key", 'k', "URI", "targets key (PKCS#11 URI or key file)"},
	{OPT_DIGEST, "digest", 0, "sha256:HEX", "digest of the manifest the tag names"},
	{OPT_SIZE, "size", 0, "N", "size of the manifest in bytes"},
	{OPT_MANIFEST, "manifest", 0, "FILE", "take digest and size from the bytes of FILE"},
	{OPT_TARGETS_FILE, "targets-file", 0, "FILE", "sign many tags at once: lines of TAG sha256:HEX SIZE"},
	{OPT_CUSTOM, "custom", 0, "JSON", "custom target data (any JSON without floats)"},
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

const cli_command cmd_sign = {
	.name = "sign",
	.operands = "GUN [TAG] --key URI (--digest sha256:HEX --size N | --manifest FILE | --targets-file FILE)",
	.summary = "Add or replace a signed tag and publish it",
	.options = options,
	.min_operands = 1,
	.max_operands = 2,
	.run = run,
};
