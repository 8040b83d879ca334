/* tufsign key rotate: Replace the root key of a repository. */
#include "cli.h"

static const cli_option options[] = {
	{OPT_ROOT_KEY, "root-key", 0, "URI", "the current root key (PKCS#11 URI or key file)"},
	{OPT_NEW_ROOT_KEY, "new-root-key", 0, "URI", "the new root key, ECDSA or RSA"},
	{OPT_SNAPSHOT_KEY, "snapshot-key", 0, "URI",
	 "snapshot key, when the snapshot is signed locally"},
	{OPT_ROOT_KEY_ID, "root-key-id", 0, "ID",
	 "trust only a root with this key ID on first use"},
	{OPT_ROOT_CERT, "root-cert", 0, "FILE",
	 "trust only a root with this certificate on first use"},
	{OPT_NONE, NULL, 0, NULL, NULL},
};

static int report(const cli_context *ctx, const char *gun, const tufsign_rotate_result *r)
{
	if (ctx->json)
		return cli_print_json(json_pack(
			       "{s:b,s:s,s:s,s:I,s:s,s:s,s:s,s:I,s:I}", "ok", 1, "command",
			       "key rotate", "gun", gun, "root_version",
			       (json_int_t)r->root_version, "old_root_key_id", r->old_root_key_id,
			       "new_root_key_id", r->new_root_key_id, "new_root_canonical_key_id",
			       r->new_root_canonical_id, "snapshot_version",
			       (json_int_t)r->snapshot_version, "timestamp_version",
			       (json_int_t)r->timestamp_version)) == 0
			       ? EXIT_OK
			       : EXIT_FAILED;
	printf("%s\n", r->new_root_key_id);
	cli_info(ctx, "rotated the root key of %s: root version %lld lists root key ID %s", gun,
		 (long long)r->root_version, r->new_root_key_id);
	return EXIT_OK;
}

static int run(cli_context *ctx, const cli_args *args)
{
	const char *gun = args->positional[0];
	tufsign_rotate_result result;
	tufsign_rotate_options opts = {0};
	cli_key old_key = {0}, new_key = {0}, snapshot = {0};
	cli_repo repo = {0};
	tufsign_error err;
	int rc = cli_check_gun(ctx, gun);

	if (rc == EXIT_OK &&
	    (args->value[OPT_ROOT_KEY] == NULL || args->value[OPT_NEW_ROOT_KEY] == NULL))
		rc = cli_usage_error(ctx, "give the current root key with --root-key URI and the "
					  "new one with --new-root-key URI");
	if (rc == EXIT_OK)
		rc = cli_repo_check_options(ctx, args);
	if (rc != EXIT_OK)
		return rc;
	tufsign_error_clear(&err);
	if (cli_repo_open(ctx, args, &repo, &err) != TUFSIGN_OK ||
	    cli_key_open(ctx, args->value[OPT_ROOT_KEY], &old_key, &err) != TUFSIGN_OK ||
	    cli_key_open(ctx, args->value[OPT_NEW_ROOT_KEY], &new_key, &err) != TUFSIGN_OK ||
	    (args->value[OPT_SNAPSHOT_KEY] != NULL &&
	     cli_key_open(ctx, args->value[OPT_SNAPSHOT_KEY], &snapshot, &err) != TUFSIGN_OK)) {
		rc = cli_fail(ctx, &err);
		goto out;
	}
	opts.old_root = &old_key.signer;
	opts.new_root = &new_key.signer;
	opts.snapshot = snapshot.key != NULL ? &snapshot.signer : NULL;
	if (tufsign_repo_rotate_root(&repo.context, gun, &opts, &result, &err) != TUFSIGN_OK)
		rc = cli_fail(ctx, &err);
	else
		rc = report(ctx, gun, &result);
out:
	cli_key_close(&snapshot);
	cli_key_close(&new_key);
	cli_key_close(&old_key);
	cli_keys_shutdown();
	cli_repo_release(&repo);
	return rc;
}

const cli_command cmd_key_rotate = {
	.name = "key rotate",
	.operands = "GUN --root-key URI --new-root-key URI [--snapshot-key URI] [--root-key-id ID "
		    "| --root-cert FILE]",
	.summary = "Replace the root key of a repository",
	.description = "Makes a certificate for the new root key (CN = GUN), writes root "
		       "version + 1 listing it as the only root key, signs it with the current "
		       "and the new root key and uploads it alone (with the snapshot, when "
		       "--snapshot-key signs it locally). Clients that trust the old "
		       "root walk to the new one. Prints the new root key ID.",
	.options = options,
	.min_operands = 1,
	.max_operands = 1,
	.run = run,
};
