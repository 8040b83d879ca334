/* tufsign list: List the signed tags, verified from the pinned root. */
#include <string.h>

#include "cli.h"

static const cli_option options[] = {
	{OPT_ROOT_KEY_ID, "root-key-id", 0, "ID",
	 "trust only a root with this key ID on first use"},
	{OPT_ROOT_CERT, "root-cert", 0, "FILE",
	 "trust only a root with this certificate on first use"},
	{OPT_NONE, NULL, 0, NULL, NULL},
};

static json_t *target_json(const tufsign_repo_target *t)
{
	char digest[CLI_DIGEST_SIZE] = "";

	if (t->has_sha256)
		cli_digest_text(t->sha256, digest);
	return json_pack("{s:s,s:s?,s:I,s:s,s:o}", "tag", t->name, "digest",
			 t->has_sha256 ? digest : NULL, "size", (json_int_t)t->length, "role",
			 t->role, "custom", cli_json_custom(t->custom));
}

static int print_json(const char *gun, const tufsign_repo *repo,
		      const tufsign_repo_context *context)
{
	const tufsign_chain *chain = tufsign_repo_chain(repo);
	tufsign_expiring expiring[TUFSIGN_MAX_EXPIRING];
	size_t expiring_count = cli_chain_expiring(context, chain, expiring);
	const tufsign_role *root = tufsign_meta_find_role(chain->root, "root");
	const tufsign_repo_target *list = NULL;
	size_t count = tufsign_repo_targets(repo, &list), i;
	json_t *targets = json_array(), *root_ids = json_array();

	for (i = 0; root != NULL && i < root->keyid_count; i++)
		json_array_append_new(root_ids, json_string(root->keyids[i]));
	for (i = 0; i < count; i++)
		json_array_append_new(targets, target_json(&list[i]));
	return cli_print_json(json_pack("{s:b,s:s,s:s,s:o,s:I,s:o,s:o}", "ok", 1, "command", "list",
					"gun", gun, "root_key_ids", root_ids, "targets_version",
					(json_int_t)chain->targets->version, "targets", targets,
					"expiring", cli_json_expiring(expiring, expiring_count))) ==
			       0
		       ? EXIT_OK
		       : EXIT_FAILED;
}

/* Return 1 for code points that terminals draw two columns wide: the main
 * East Asian wide and fullwidth blocks. */
static int is_wide(unsigned cp)
{
	return (cp >= 0x1100 && cp <= 0x115f) || (cp >= 0x2e80 && cp <= 0xa4cf) ||
	       (cp >= 0xac00 && cp <= 0xd7a3) || (cp >= 0xf900 && cp <= 0xfaff) ||
	       (cp >= 0xfe30 && cp <= 0xfe4f) || (cp >= 0xff00 && cp <= 0xff60) ||
	       (cp >= 0xffe0 && cp <= 0xffe6) || (cp >= 0x20000 && cp <= 0x3fffd);
}

/* Return the terminal columns of UTF-8 text. Verified metadata contains
 * only valid UTF-8 without control characters. */
static size_t display_width(const char *text)
{
	const unsigned char *s = (const unsigned char *)text;
	size_t width = 0;

	while (*s != '\0') {
		unsigned cp = *s;
		int extra = 0;

		/* The lead byte gives the number of continuation bytes. */
		if (cp >= 0xf0)
			extra = 3;
		else if (cp >= 0xe0)
			extra = 2;
		else if (cp >= 0xc0)
			extra = 1;

		if (extra > 0)
			cp &= 0x3fu >> extra;
		for (s++; extra > 0 && (*s & 0xc0) == 0x80; extra--, s++)
			cp = (cp << 6) | (*s & 0x3fu);
		width += is_wide(cp) ? 2 : 1;
	}
	return width;
}

/* Print text left-aligned in a column of width terminal columns. */
static void print_column(const char *text, size_t width)
{
	size_t used = display_width(text);

	fputs(text, stdout);
	while (used++ < width)
		putchar(' ');
}

/* Widest TAG column; a longer tag overflows its own row only. */
#define MAX_TAG_COLUMN 40

/* Print one row per tag: TAG, SIZE, ROLE, DIGEST. The digest comes last so
 * that its fixed 71 columns need no padding. */
static void print_table(const cli_context *ctx, const char *gun, const tufsign_repo *repo)
{
	const tufsign_repo_target *list = NULL;
	size_t count = tufsign_repo_targets(repo, &list), i, width = 3, role_width = 4;

	for (i = 0; i < count; i++) {
		if (display_width(list[i].name) > width)
			width = display_width(list[i].name);
		if (strlen(list[i].role) > role_width)
			role_width = strlen(list[i].role);
	}
	if (width > MAX_TAG_COLUMN)
		width = MAX_TAG_COLUMN;
	print_column("TAG", width);
	printf("  %12s  %-*s  %s\n", "SIZE", (int)role_width, "ROLE", "DIGEST");
	for (i = 0; i < count; i++) {
		char digest[CLI_DIGEST_SIZE] = "-";

		if (list[i].has_sha256)
			cli_digest_text(list[i].sha256, digest);
		print_column(list[i].name, width);
		printf("  %12lld  %-*s  %s\n", (long long)list[i].length, (int)role_width,
		       list[i].role, digest);
	}
	if (count == 0)
		cli_info(ctx, "no signed tags in %s", gun);
}

static int run(cli_context *ctx, const cli_args *args)
{
	const char *gun = args->positional[0];
	tufsign_repo *repo = NULL;
	cli_repo r;
	int rc = cli_open_verified(ctx, args, gun, &r, &repo);

	if (rc == EXIT_OK && ctx->json)
		rc = print_json(gun, repo, &r.context);
	else if (rc == EXIT_OK)
		print_table(ctx, gun, repo);
	tufsign_repo_free(repo);
	cli_repo_release(&r);
	return rc;
}

const cli_command cmd_list = {
	.name = "list",
	.operands = "GUN [--root-key-id ID | --root-cert FILE]",
	.summary = "List the signed tags, verified from the pinned root",
	.description = "Prints one row per signed tag: TAG, SIZE, the ROLE that signed it "
		       "(targets, or a delegation such as targets/releases) and DIGEST. Tags "
		       "longer than 40 columns widen only their own row.",
	.options = options,
	.min_operands = 1,
	.max_operands = 1,
	.run = run,
};
