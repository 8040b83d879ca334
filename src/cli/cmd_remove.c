/* tufsign remove: Remove a tag and publish the change. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const cli_option options[] = {
	{OPT_KEY, "key", 'k', "URI",
	 "targets key, or with --role the delegation's signing key (PKCS#11 URI or key file)"},
	{OPT_SNAPSHOT_KEY, "snapshot-key", 0, "URI",
	 "snapshot key, when the snapshot is signed locally"},
	{OPT_ROLE, "role", 0, "ROLE",
	 "sign into this delegation (targets/releases, targets/NAME) with its key; repeat "
	 "or separate with commas for several"},
	{OPT_ROOT_KEY_ID, "root-key-id", 0, "ID",
	 "trust only a root with this key ID on first use"},
	{OPT_ROOT_CERT, "root-cert", 0, "FILE",
	 "trust only a root with this certificate on first use"},
	{OPT_NONE, NULL, 0, NULL, NULL},
};

static int print_result(const cli_context *ctx, const char *gun,
			const tufsign_target_change *changes, size_t count,
			const tufsign_publish_result *r)
{
	char versions[1024];

	(void)count;
	if (ctx->json)
		return cli_print_json(json_pack(
			       "{s:b,s:s,s:s,s:b,s:[s],s:I,s:I,s:I,s:i,s:s,s:b,s:o}", "ok", 1,
			       "command", "remove", "gun", gun, "published", r->published,
			       "removed", changes[0].name, "targets_version",
			       (json_int_t)r->targets_version, "snapshot_version",
			       (json_int_t)r->snapshot_version, "timestamp_version",
			       (json_int_t)r->timestamp_version, "attempts", (int)r->attempts,
			       "targets_key_id", r->targets_key_id, "first_use", r->first_use,
			       "expiring", cli_json_expiring(r->expiring, r->expiring_count))) == 0
			       ? EXIT_OK
			       : EXIT_FAILED;
	printf("%s\n", changes[0].name);
	cli_signed_versions(r, versions, sizeof(versions));
	cli_info(ctx, "removed tag '%s' from %s: %s, snapshot %lld, timestamp %lld",
		 changes[0].name, gun, versions, (long long)r->snapshot_version,
		 (long long)r->timestamp_version);
	return EXIT_OK;
}

static int run(cli_context *ctx, const cli_args *args)
{
	const char *gun = args->positional[0];
	tufsign_target_change change;
	tufsign_error err;
	int rc = cli_check_gun(ctx, gun);

	memset(&change, 0, sizeof(change));
	tufsign_error_clear(&err);
	if (rc == EXIT_OK &&
	    tufsign_repo_check_target_name(args->positional[1], &err) != TUFSIGN_OK)
		rc = cli_usage_from_error(ctx, &err);
	if (rc == EXIT_OK && args->value[OPT_KEY] == NULL)
		rc = cli_usage_error(ctx, "missing --key URI: the targets key of %s", gun);
	if (rc == EXIT_OK)
		rc = cli_repo_check_options(ctx, args);
	if (rc != EXIT_OK)
		return rc;
	change.name = args->positional[1];
	change.remove = 1;
	return cli_publish_changes(ctx, args, gun, &change, 1, print_result);
}

const cli_command cmd_remove = {
	.name = "remove",
	.operands = "GUN TAG --key URI [--snapshot-key URI] [--role ROLE]... [--root-key-id ID | "
		    "--root-cert FILE]",
	.summary = "Remove a tag and publish the change",
	.description = "Fails with exit code 8 when the tag is not signed in the targets role "
		       "(with --role, in that delegation).",
	.options = options,
	.min_operands = 2,
	.max_operands = 2,
	.run = run,
};
