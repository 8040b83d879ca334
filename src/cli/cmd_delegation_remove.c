/* tufsign delegation remove: Remove a signer's delegation and publish it. */
#include "cli.h"

static const cli_option options[] = {
	{OPT_KEY, "key", 'k', "URI", "targets key (PKCS#11 URI or key file)"},
	{OPT_SNAPSHOT_KEY, "snapshot-key", 0, "URI",
	 "snapshot key, when the snapshot is signed locally"},
	{OPT_ROOT_KEY_ID, "root-key-id", 0, "ID",
	 "trust only a root with this key ID on first use"},
	{OPT_ROOT_CERT, "root-cert", 0, "FILE",
	 "trust only a root with this certificate on first use"},
	{OPT_NONE, NULL, 0, NULL, NULL},
};

static int report(const cli_context *ctx, const char *gun, const char *name,
		  const tufsign_publish_result *r)
{
	if (ctx->json)
		return cli_print_json(json_pack(
			       "{s:b,s:s,s:s,s:s,s:s+,s:b,s:I,s:I,s:I,s:i,s:s,"
			       "s:b}",
			       "ok", 1, "command", "delegation remove", "gun", gun, "name", name,
			       "role", "targets/", name, "published", r->published,
			       "targets_version", (json_int_t)r->targets_version,
			       "snapshot_version", (json_int_t)r->snapshot_version,
			       "timestamp_version", (json_int_t)r->timestamp_version, "attempts",
			       (int)r->attempts, "targets_key_id", r->targets_key_id, "first_use",
			       r->first_use)) == 0
			       ? EXIT_OK
			       : EXIT_FAILED;
	cli_info(ctx, "removed signer '%s' from %s: targets version %lld", name, gun,
		 (long long)r->targets_version);
	return EXIT_OK;
}

static int run(cli_context *ctx, const cli_args *args)
{
	const char *gun = args->positional[0];
	tufsign_publish_result result;
	cli_signing s;
	tufsign_error err;
	int rc = cli_check_signer_operands(ctx, args);

	if (rc == EXIT_OK)
		rc = cli_repo_check_options(ctx, args);
	if (rc != EXIT_OK)
		return rc;
	tufsign_error_clear(&err);
	if (cli_signing_open(ctx, args, &s, &err) != TUFSIGN_OK ||
	    tufsign_repo_delegation_remove(&s.repo.context, gun, &s.options, &result, &err) !=
		    TUFSIGN_OK)
		rc = cli_fail(ctx, &err);
	else {
		cli_warn_expiring(gun, result.expiring, result.expiring_count);
		rc = report(ctx, gun, s.options.name, &result);
	}
	cli_signing_close(&s);
	return rc;
}

const cli_command cmd_delegation_remove = {
	.name = "delegation remove",
	.operands = "GUN NAME --key URI [--snapshot-key URI] [--root-key-id ID | --root-cert FILE]",
	.summary = "Remove a signer's delegation and publish it",
	.description = "Removes the role targets/NAME and takes its keys out of "
		       "targets/releases (unless another signer still lists them), as 'docker "
		       "trust signer remove' does, then re-signs targets with the targets key.",
	.options = options,
	.min_operands = 2,
	.max_operands = 2,
	.run = run,
};
