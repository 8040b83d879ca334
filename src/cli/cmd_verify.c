/* tufsign verify: Exit 0 only if the tag is signed (and has the given digest). */
#include <string.h>

#include "cli.h"

static const cli_option options[] = {
	{OPT_DIGEST, "digest", 0, "sha256:HEX", "required digest of the tag"},
	{OPT_ROOT_KEY_ID, "root-key-id", 0, "ID",
	 "trust only a root with this key ID on first use"},
	{OPT_ROOT_CERT, "root-cert", 0, "FILE",
	 "trust only a root with this certificate on first use"},
	{OPT_NONE, NULL, 0, NULL, NULL},
};

static int report(const cli_context *ctx, const char *gun, const char *tag,
		  const tufsign_repo_target *t, const char *expected)
{
	char digest[CLI_DIGEST_SIZE] = "";
	int match;

	if (t != NULL && t->has_sha256)
		cli_digest_text(t->sha256, digest);
	match = t != NULL && t->has_sha256 && (expected == NULL || strcmp(digest, expected) == 0);
	if (ctx->json)
		cli_print_json(json_pack(
			"{s:b,s:s,s:s,s:s,s:b,s:s?,s:I,s:s?,s:s?,s:b}", "ok", match, "command",
			"verify", "gun", gun, "tag", tag, "signed", t != NULL, "digest",
			t ? digest : NULL, "size", (json_int_t)(t ? t->length : 0), "role",
			t ? t->role : NULL, "expected_digest", expected, "match", match));
	else if (match)
		printf("%s:%s is signed: %s %lld bytes (role %s)\n", gun, tag, digest,
		       (long long)t->length, t->role);
	if (t == NULL)
		cli_error("%s:%s is not signed", gun, tag);
	else if (!match)
		cli_error("%s:%s is signed with %s, not %s", gun, tag,
			  digest[0] ? digest : "no sha256",
			  expected ? expected : "a sha256 digest");
	return match ? EXIT_OK : EXIT_NOT_SIGNED;
}

static int run(cli_context *ctx, const cli_args *args)
{
	const char *gun = args->positional[0], *tag = args->positional[1];
	const char *expected = args->value[OPT_DIGEST];
	unsigned char sha256[32];
	tufsign_repo *repo = NULL;
	tufsign_error err;
	cli_repo r = {0};
	int rc = EXIT_OK;

	tufsign_error_clear(&err);
	if (tufsign_repo_check_target_name(tag, &err) != TUFSIGN_OK ||
	    (expected != NULL && tufsign_repo_parse_digest(expected, sha256, &err) != TUFSIGN_OK))
		return cli_usage_from_error(ctx, &err);
	rc = cli_open_verified(ctx, args, gun, &r, &repo);
	if (rc == EXIT_OK)
		rc = report(ctx, gun, tag, tufsign_repo_lookup(repo, tag), expected);
	tufsign_repo_free(repo);
	cli_repo_release(&r);
	return rc;
}

const cli_command cmd_verify = {
	.name = "verify",
	.operands = "GUN TAG [--digest sha256:HEX] [--root-key-id ID | --root-cert FILE]",
	.summary = "Exit 0 only if the tag is signed (and has the given digest)",
	.description = "Looks the tag up the way Docker clients do (targets/releases, then "
		       "targets, then other delegations). Exit code 8 when the tag is not "
		       "signed or has another digest.",
	.options = options,
	.min_operands = 2,
	.max_operands = 2,
	.run = run,
};
