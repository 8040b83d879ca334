/* tufsign init: Create a repository on the Notary server with keys on the token. */
#include "cli.h"

static const cli_option options[] = {
	{OPT_ROOT_KEY, "root-key", 0, "URI", "root key (PKCS#11 URI or key file): ECDSA or RSA"},
	{OPT_TARGETS_KEY, "targets-key", 0, "URI", "targets key (PKCS#11 URI or key file)"},
	{OPT_SNAPSHOT_KEY, "snapshot-key", 0, "URI",
	 "sign the snapshot locally with this key instead of letting the server hold it"},
	{OPT_NONE, NULL, 0, NULL, NULL},
};

static int print_result(const cli_context *ctx, const char *gun, const tufsign_init_result *r)
{
	const char *held = r->server_snapshot ? "server" : "client";

	if (ctx->json) {
		json_t *doc = json_pack("{s:b,s:s,s:s,s:b,s:s,s:s,s:s,s:s,s:s,s:s}", "ok", 1,
					"command", "init", "gun", gun, "created", r->created,
					"root_key_id", r->root_key_id, "root_canonical_key_id",
					r->root_canonical_id, "targets_key_id", r->targets_key_id,
					"snapshot_key_id", r->snapshot_key_id, "timestamp_key_id",
					r->timestamp_key_id, "snapshot", held);

		return cli_print_json(doc) == 0 ? EXIT_OK : EXIT_FAILED;
	}
	if (r->created)
		printf("created repository %s\n", gun);
	else
		printf("repository %s already exists with this root key; nothing to do\n", gun);
	printf("  %-43s %s\n", "root key ID (root.json, docker's Root Key):", r->root_key_id);
	printf("  %-43s %s\n", "root key ID of the plain key (key list):", r->root_canonical_id);
	printf("  %-43s %s\n", "targets key ID:", r->targets_key_id);
	printf("  %-43s %s (signed by the %s)\n", "snapshot key ID:", r->snapshot_key_id, held);
	printf("  %-43s %s (signed by the server)\n", "timestamp key ID:", r->timestamp_key_id);
	return EXIT_OK;
}

static int check_operands(const cli_context *ctx, const cli_args *args)
{
	int rc = cli_check_gun(ctx, args->positional[0]);

	if (rc != EXIT_OK)
		return rc;
	if (args->value[OPT_ROOT_KEY] == NULL || args->value[OPT_TARGETS_KEY] == NULL)
		return cli_usage_error(ctx, "both --root-key URI and --targets-key URI are "
					    "required");
	return cli_repo_check_options(ctx, args);
}

static int run(cli_context *ctx, const cli_args *args)
{
	const char *gun = args->positional[0];
	cli_key root = {0}, targets = {0}, snapshot = {0};
	tufsign_init_options opts = {0};
	tufsign_init_result result;
	tufsign_error err;
	cli_repo repo = {0};
	int rc = check_operands(ctx, args);

	if (rc != EXIT_OK)
		return rc;
	tufsign_error_clear(&err);
	if (cli_repo_open(ctx, args, &repo, &err) != TUFSIGN_OK ||
	    cli_key_open(ctx, args->value[OPT_ROOT_KEY], &root, &err) != TUFSIGN_OK ||
	    cli_key_open(ctx, args->value[OPT_TARGETS_KEY], &targets, &err) != TUFSIGN_OK ||
	    (args->value[OPT_SNAPSHOT_KEY] != NULL &&
	     cli_key_open(ctx, args->value[OPT_SNAPSHOT_KEY], &snapshot, &err) != TUFSIGN_OK)) {
		rc = cli_fail(ctx, &err);
		goto out;
	}
	opts.root = &root.signer;
	opts.targets = &targets.signer;
	opts.snapshot = snapshot.key != NULL ? &snapshot.signer : NULL;
	if (tufsign_repo_init(&repo.context, gun, &opts, &result, &err) != TUFSIGN_OK)
		rc = cli_fail(ctx, &err);
	else
		rc = print_result(ctx, gun, &result);
out:
	cli_key_close(&snapshot);
	cli_key_close(&targets);
	cli_key_close(&root);
	cli_keys_shutdown();
	cli_repo_release(&repo);
	return rc;
}

const cli_command cmd_init = {
	.name = "init",
	.operands = "GUN --root-key URI --targets-key URI [--snapshot-key URI]",
	.summary = "Create a repository on the Notary server with keys on the token",
	.description = "Makes the root certificate (CN = GUN) with the root key, fetches the "
		       "server's timestamp key (and snapshot key, unless --snapshot-key is "
		       "given), signs root and targets version 1, uploads them and checks what "
		       "the server published. If the GUN already exists with this root key, "
		       "it says so and exits 0.",
	.options = options,
	.min_operands = 1,
	.max_operands = 1,
	.run = run,
};
