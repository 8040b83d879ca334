/* tufsign delegation list: Delegations of targets, verified from the pinned root. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const cli_option options[] = {
	{OPT_ROOT_KEY_ID, "root-key-id", 0, "ID",
	 "trust only a root with this key ID on first use"},
	{OPT_ROOT_CERT, "root-cert", 0, "FILE",
	 "trust only a root with this certificate on first use"},
	{OPT_NONE, NULL, 0, NULL, NULL},
};

static json_t *role_json(const tufsign_chain *chain, const tufsign_role *role)
{
	const tufsign_meta *doc = tufsign_chain_find(chain, role->name);
	json_t *keys = json_array(), *paths = json_array();
	size_t i;

	for (i = 0; i < role->keyid_count; i++) {
		const tufsign_pubkey *key = tufsign_meta_find_key(chain->targets, role->keyids[i]);
		char canonical[TUFSIGN_KEYID_SIZE] = "";
		tufsign_error ignored;

		tufsign_error_clear(&ignored);
		if (key != NULL)
			tufsign_pubkey_canonical_id(key, canonical, &ignored);
		json_array_append_new(keys, json_pack("{s:s,s:s,s:s}", "key_id", role->keyids[i],
						      "canonical_key_id", canonical, "keytype",
						      key ? tufsign_keytype_name(key->type) : ""));
	}
	for (i = 0; i < role->path_count; i++)
		json_array_append_new(paths, json_string(role->paths[i]));
	return json_pack("{s:s,s:s,s:o,s:o,s:I,s:o}", "role", role->name, "name",
			 role->name + strlen("targets/"), "keys", keys, "paths", paths, "threshold",
			 (json_int_t)role->threshold, "version",
			 doc != NULL ? json_integer(doc->version) : json_null());
}

/* One line per role under the header: ROLE, threshold, paths, canonical key IDs. */
static void print_role(const tufsign_chain *chain, const tufsign_role *role)
{
	size_t i;

	printf("%s\t%lld\t", role->name, (long long)role->threshold);
	for (i = 0; i < role->path_count; i++)
		printf("%s\"%s\"", i ? "," : "", role->paths[i]);
	putchar('\t');
	for (i = 0; i < role->keyid_count; i++) {
		const tufsign_pubkey *key = tufsign_meta_find_key(chain->targets, role->keyids[i]);
		char canonical[TUFSIGN_KEYID_SIZE];
		tufsign_error ignored;

		tufsign_error_clear(&ignored);
		if (key == NULL || tufsign_pubkey_canonical_id(key, canonical, &ignored) != 0)
			snprintf(canonical, sizeof(canonical), "%s", role->keyids[i]);
		printf("%s%s", i ? "," : "", canonical);
	}
	putchar('\n');
}

static int run(cli_context *ctx, const cli_args *args)
{
	const char *gun = args->positional[0];
	const tufsign_chain *chain;
	tufsign_repo *repo = NULL;
	cli_repo r;
	json_t *list;
	size_t i;
	int rc = cli_open_verified(ctx, args, gun, &r, &repo);

	if (rc != EXIT_OK)
		goto out;
	chain = tufsign_repo_chain(repo);
	if (!ctx->json) {
		printf("ROLE\tTHRESHOLD\tPATHS\tKEY IDS\n");
		for (i = 0; i < chain->targets->role_count; i++)
			print_role(chain, &chain->targets->roles[i]);
		goto out;
	}
	list = json_array();
	for (i = 0; i < chain->targets->role_count; i++)
		json_array_append_new(list, role_json(chain, &chain->targets->roles[i]));
	rc = cli_print_json(json_pack("{s:b,s:s,s:s,s:I,s:o}", "ok", 1, "command",
				      "delegation list", "gun", gun, "targets_version",
				      (json_int_t)chain->targets->version, "delegations", list)) ==
			     0
		     ? EXIT_OK
		     : EXIT_FAILED;
out:
	tufsign_repo_free(repo);
	cli_repo_release(&r);
	return rc;
}

const cli_command cmd_delegation_list = {
	.name = "delegation list",
	.operands = "GUN [--root-key-id ID | --root-cert FILE]",
	.summary = "List the delegations of targets, verified from the pinned root",
	.description = "Prints a header row, then one tab-separated line per delegation of "
		       "targets: role, threshold, paths, and the canonical key IDs 'docker "
		       "trust inspect' shows.",
	.options = options,
	.min_operands = 1,
	.max_operands = 1,
	.run = run,
};
