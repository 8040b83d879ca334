/* tufsign key rotate: Replace the root, targets, snapshot or timestamp key
 * of a repository. */
#include <string.h>

#include "cli.h"

static const cli_option options[] = {
	{OPT_ROOT_KEY, "root-key", 0, "URI", "the current root key (PKCS#11 URI or key file)"},
	{OPT_NEW_ROOT_KEY, "new-root-key", 0, "URI", "root: the new root key, ECDSA or RSA"},
	{OPT_NEW_TARGETS_KEY, "new-targets-key", 0, "URI", "targets: the new targets key"},
	{OPT_SERVER_MANAGED, "server-managed", 0, NULL,
	 "snapshot, timestamp: the server creates and holds the new key"},
	{OPT_NEW_SNAPSHOT_KEY, "new-snapshot-key", 0, "URI",
	 "snapshot: the new snapshot key, which signs the snapshot locally from now on"},
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

/* Server, trust cache and keys of one rotation. */
typedef struct rotate_keys {
	cli_repo repo;
	cli_key root;     /* --root-key */
	cli_key new_key;  /* --new-root-key, --new-targets-key or --new-snapshot-key */
	cli_key snapshot; /* --snapshot-key */
} rotate_keys;

/* Open the repository, --root-key, new_ref (when not NULL) and
 * --snapshot-key (when given); on failure report it and return its exit
 * code. Release k with close_keys() on every path. */
static int open_keys(cli_context *ctx, const cli_args *args, const char *new_ref, rotate_keys *k)
{
	tufsign_error err;

	tufsign_error_clear(&err);
	if (cli_repo_open(ctx, args, &k->repo, &err) != TUFSIGN_OK ||
	    cli_key_open(ctx, args->value[OPT_ROOT_KEY], &k->root, &err) != TUFSIGN_OK ||
	    (new_ref != NULL && cli_key_open(ctx, new_ref, &k->new_key, &err) != TUFSIGN_OK) ||
	    (args->value[OPT_SNAPSHOT_KEY] != NULL &&
	     cli_key_open(ctx, args->value[OPT_SNAPSHOT_KEY], &k->snapshot, &err) != TUFSIGN_OK))
		return cli_fail(ctx, &err);
	return EXIT_OK;
}

static void close_keys(rotate_keys *k)
{
	cli_key_close(&k->snapshot);
	cli_key_close(&k->new_key);
	cli_key_close(&k->root);
	cli_keys_shutdown();
	cli_repo_release(&k->repo);
}

static const tufsign_signer *signer_of(const cli_key *k)
{
	return k->key != NULL ? &k->signer : NULL;
}

static int rotate_root(cli_context *ctx, const cli_args *args)
{
	const char *gun = args->positional[0];
	tufsign_rotate_result result;
	tufsign_rotate_options opts = {0};
	rotate_keys keys = {0};
	tufsign_error err;
	int rc = EXIT_OK;

	if (args->value[OPT_ROOT_KEY] == NULL || args->value[OPT_NEW_ROOT_KEY] == NULL)
		rc = cli_usage_error(ctx, "give the current root key with --root-key URI and the "
					  "new one with --new-root-key URI");
	if (rc == EXIT_OK)
		rc = cli_repo_check_options(ctx, args);
	if (rc != EXIT_OK)
		return rc;
	rc = open_keys(ctx, args, args->value[OPT_NEW_ROOT_KEY], &keys);
	if (rc != EXIT_OK)
		goto out;
	opts.old_root = &keys.root.signer;
	opts.new_root = &keys.new_key.signer;
	opts.snapshot = signer_of(&keys.snapshot);
	tufsign_error_clear(&err);
	if (tufsign_repo_rotate_root(&keys.repo.context, gun, &opts, &result, &err) != TUFSIGN_OK)
		rc = cli_fail(ctx, &err);
	else
		rc = report(ctx, gun, &result);
out:
	close_keys(&keys);
	return rc;
}

/* An option that one of the role forms takes, and what to do instead when
 * it is given to another. */
typedef struct role_option {
	int id;
	const char *name;
	const char *roles; /* space-separated roles that take it */
	const char *fix;
} role_option;

static const role_option role_options[] = {
	{OPT_NEW_ROOT_KEY, "new-root-key", "root",
	 "rotate the root key with 'key rotate GUN root'"},
	{OPT_NEW_TARGETS_KEY, "new-targets-key", "targets",
	 "rotate the targets key with 'key rotate GUN targets'"},
	{OPT_NEW_SNAPSHOT_KEY, "new-snapshot-key", "snapshot",
	 "rotate the snapshot key with 'key rotate GUN snapshot'"},
	{OPT_SERVER_MANAGED, "server-managed", "snapshot timestamp",
	 "only the snapshot and timestamp keys can be held by the server"},
	{OPT_SNAPSHOT_KEY, "snapshot-key", "root targets timestamp",
	 "give the new snapshot key, which signs the snapshot, with --new-snapshot-key URI"},
	{OPT_NONE, NULL, NULL, NULL},
};

/* Return 1 when the space-separated list contains word. */
static int list_has(const char *list, const char *word)
{
	size_t len = strlen(word);
	const char *p = list;

	while ((p = strstr(p, word)) != NULL) {
		if ((p == list || p[-1] == ' ') && (p[len] == ' ' || p[len] == '\0'))
			return 1;
		p += len;
	}
	return 0;
}

/* Check ROLE and that only options of its form were given. */
static int check_role_options(const cli_context *ctx, const cli_args *args, const char *role)
{
	const role_option *o;

	if (!list_has("root targets snapshot timestamp", role))
		return cli_usage_error(ctx,
				       "invalid role '%s'; use root, targets, snapshot or "
				       "timestamp",
				       role);
	for (o = role_options; o->id != OPT_NONE; o++)
		if (args->count[o->id] > 0 && !list_has(o->roles, role))
			return cli_usage_error(ctx, "--%s does not apply to a %s rotation; %s",
					       o->name, role, o->fix);
	return EXIT_OK;
}

/* Check the keys each non-root form requires. */
static int check_required(const cli_context *ctx, const cli_args *args, const char *role)
{
	int server = args->count[OPT_SERVER_MANAGED] > 0;
	int local = args->value[OPT_NEW_SNAPSHOT_KEY] != NULL;

	if (args->value[OPT_ROOT_KEY] == NULL)
		return cli_usage_error(ctx, "give the current root key with --root-key URI; it "
					    "signs the new root");
	if (strcmp(role, "targets") == 0 && args->value[OPT_NEW_TARGETS_KEY] == NULL)
		return cli_usage_error(ctx, "give the new targets key with --new-targets-key URI");
	if (strcmp(role, "timestamp") == 0 && !server)
		return cli_usage_error(ctx, "give --server-managed, because the server always "
					    "creates and holds the timestamp key");
	if (strcmp(role, "snapshot") == 0 && server == local)
		return cli_usage_error(ctx,
				       "give either --server-managed (the server creates and "
				       "holds the new snapshot key) or --new-snapshot-key URI "
				       "(a key on the token signs the snapshot)%s",
				       server ? ", not both" : "");
	return EXIT_OK;
}

static int report_role(const cli_context *ctx, const char *gun, const tufsign_key_rotate_result *r)
{
	json_t *targets_version = strcmp(r->role, "targets") == 0
					  ? json_integer((json_int_t)r->targets_version)
					  : json_null();

	if (ctx->json)
		return cli_print_json(json_pack(
			       "{s:b,s:s,s:s,s:s,s:b,s:I,s:s,s:s,s:b,s:o,s:I,s:I}", "ok", 1,
			       "command", "key rotate", "gun", gun, "role", r->role, "rotated",
			       r->rotated, "root_version", (json_int_t)r->root_version,
			       "old_key_id", r->old_key_id, "new_key_id", r->new_key_id,
			       "server_managed", r->server_managed, "targets_version",
			       targets_version, "snapshot_version", (json_int_t)r->snapshot_version,
			       "timestamp_version", (json_int_t)r->timestamp_version)) == 0
			       ? EXIT_OK
			       : EXIT_FAILED;
	json_decref(targets_version);
	printf("%s\n", r->new_key_id);
	if (!r->rotated)
		cli_info(ctx, "the %s key of %s is already key ID %s; nothing changed", r->role,
			 gun, r->new_key_id);
	else if (strcmp(r->role, "targets") == 0)
		cli_info(ctx,
			 "rotated the targets key of %s: root version %lld lists targets key "
			 "ID %s, and targets version %lld is signed with it",
			 gun, (long long)r->root_version, r->new_key_id,
			 (long long)r->targets_version);
	else
		cli_info(ctx, "rotated the %s key of %s: root version %lld lists %s key ID %s%s",
			 r->role, gun, (long long)r->root_version, r->role, r->new_key_id,
			 r->server_managed ? ", held by the server" : "");
	return EXIT_OK;
}

static int rotate_role(cli_context *ctx, const cli_args *args, const char *role)
{
	const char *gun = args->positional[0];
	const char *new_ref = strcmp(role, "targets") == 0 ? args->value[OPT_NEW_TARGETS_KEY]
							   : args->value[OPT_NEW_SNAPSHOT_KEY];
	tufsign_key_rotate_result result;
	tufsign_key_rotate_options opts = {0};
	rotate_keys keys = {0};
	tufsign_error err;
	int rc = check_required(ctx, args, role);

	if (rc == EXIT_OK)
		rc = cli_repo_check_options(ctx, args);
	if (rc != EXIT_OK)
		return rc;
	rc = open_keys(ctx, args, new_ref, &keys);
	if (rc != EXIT_OK)
		goto out;
	opts.role = role;
	opts.root = &keys.root.signer;
	opts.new_key = signer_of(&keys.new_key);
	opts.server_managed = args->count[OPT_SERVER_MANAGED] > 0;
	opts.snapshot = signer_of(&keys.snapshot);
	tufsign_error_clear(&err);
	if (tufsign_repo_rotate_key(&keys.repo.context, gun, &opts, &result, &err) != TUFSIGN_OK)
		rc = cli_fail(ctx, &err);
	else
		rc = report_role(ctx, gun, &result);
out:
	close_keys(&keys);
	return rc;
}

static int run(cli_context *ctx, const cli_args *args)
{
	const char *role = args->npositional > 1 ? args->positional[1] : "root";
	int rc = cli_check_gun(ctx, args->positional[0]);

	if (rc == EXIT_OK)
		rc = check_role_options(ctx, args, role);
	if (rc != EXIT_OK)
		return rc;
	if (strcmp(role, "root") == 0)
		return rotate_root(ctx, args);
	return rotate_role(ctx, args, role);
}

const cli_command cmd_key_rotate = {
	.name = "key rotate",
	.operands = "GUN [root] --root-key URI --new-root-key URI [--snapshot-key URI] "
		    "[--root-key-id ID | --root-cert FILE]\n"
		    "       tufsign key rotate GUN targets --root-key URI --new-targets-key URI "
		    "[--snapshot-key URI] [ROOT]\n"
		    "       tufsign key rotate GUN snapshot --root-key URI (--server-managed | "
		    "--new-snapshot-key URI) [ROOT]\n"
		    "       tufsign key rotate GUN timestamp --root-key URI --server-managed "
		    "[--snapshot-key URI] [ROOT]",
	.summary = "Replace the root, targets, snapshot or timestamp key of a repository",
	.description =
		"Root (the default ROLE): makes a certificate for the new root key (CN = GUN), "
		"writes root version + 1 listing it as the only root key, signs it with the "
		"current and the new root key and uploads it alone (with the snapshot, when "
		"--snapshot-key signs it locally). Clients that trust the old root walk to the "
		"new one. Prints the new root key ID. Other roles: root version + 1 lists only "
		"the new key for ROLE and is signed with the root key. For targets, targets is "
		"re-signed with the new key (version + 1) and uploaded together with the root. "
		"With --server-managed the server creates the new key first. With "
		"--new-snapshot-key the token signs the snapshot from now on. Prints the new "
		"key ID. ROOT is --root-key-id ID or --root-cert FILE.",
	.options = options,
	.min_operands = 1,
	.max_operands = 2,
	.run = run,
};
