/* tufsign sign: Add or replace a signed tag and publish it. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "tufsign/json.h"

/* Largest manifest or targets file read. */
#define MAX_MANIFEST     ((size_t)64 << 20)
#define MAX_TARGETS_FILE ((size_t)256 << 20)

static const cli_option options[] = {
	{OPT_KEY, "key", 'k', "URI",
	 "targets key, or with --role the delegation's signing key (PKCS#11 URI or key file)"},
	{OPT_DIGEST, "digest", 0, "sha256:HEX", "digest of the manifest the tag names"},
	{OPT_SIZE, "size", 0, "N", "size of the manifest in bytes"},
	{OPT_MANIFEST, "manifest", 0, "FILE", "take digest and size from the bytes of FILE"},
	{OPT_TARGETS_FILE, "targets-file", 0, "FILE",
	 "sign many tags in one publish: lines of TAG sha256:HEX SIZE"},
	{OPT_CUSTOM, "custom", 0, "JSON", "custom target data (any JSON without floats)"},
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

/* Fill one change from --digest/--size or --manifest. */
static int single_change(const cli_context *ctx, const cli_args *args, tufsign_target_change *c)
{
	tufsign_digest digest;
	tufsign_error err;
	char *data = NULL;
	size_t len = 0;

	tufsign_error_clear(&err);
	if (args->value[OPT_MANIFEST] != NULL) {
		if (cli_read_file(args->value[OPT_MANIFEST], MAX_MANIFEST, &data, &len, &err) !=
		    TUFSIGN_OK)
			return cli_usage_from_error(ctx, &err);
		tufsign_digest_compute((unsigned char *)data, len, &digest, &err);
		free(data);
		memcpy(c->sha256, digest.sha256, 32);
		c->length = (uint64_t)digest.length;
		return EXIT_OK;
	}
	if (args->value[OPT_DIGEST] == NULL || args->value[OPT_SIZE] == NULL)
		return cli_usage_error(ctx, "--digest and --size go together; give both, or "
					    "--manifest FILE");
	if (tufsign_repo_parse_digest(args->value[OPT_DIGEST], c->sha256, &err) != TUFSIGN_OK ||
	    tufsign_repo_parse_size(args->value[OPT_SIZE], &c->length, &err) != TUFSIGN_OK)
		return cli_usage_from_error(ctx, &err);
	return EXIT_OK;
}

static int check_custom(const cli_context *ctx, const char *custom)
{
	tufsign_error err;
	char *canonical = NULL;
	size_t len = 0;

	tufsign_error_clear(&err);
	if (tufsign_json_canonicalize(custom, strlen(custom), TUFSIGN_CANON_STRICT, &canonical,
				      &len, &err) != TUFSIGN_OK)
		return cli_usage_error(ctx, "invalid --custom data%s%s: %s",
				       err.path[0] ? " at " : "", err.path, err.message);
	free(canonical);
	return EXIT_OK;
}

/* Docker's tag grammar: [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}. Notary accepts
 * other target names, which docker can never pull. */
static int is_docker_tag(const char *tag)
{
	size_t len = strlen(tag);

	if (len == 0 || len > 128 || tag[0] == '.' || tag[0] == '-')
		return 0;
	return strspn(tag, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-") ==
	       len;
}

/* Warn about a change that is valid TUF but likely a mistake; where is ""
 * or "FILE line N: ". */
static void warn_change(const char *where, const tufsign_target_change *c)
{
	if (!is_docker_tag(c->name))
		cli_error("warning: %stag '%s' is not a valid docker tag (at most 128 letters, "
			  "digits, '_', '.' and '-', not starting with '.' or '-'), so docker "
			  "cannot pull it%s",
			  where, c->name,
			  strchr(c->name, ':') != NULL
				  ? "; did you pass IMAGE:TAG? the GUN already names the image"
				  : "");
	if (c->length == 0)
		cli_error("warning: %ssize 0 for tag '%s': no image manifest is empty; give the "
			  "size in bytes of the manifest the digest names",
			  where, c->name);
}

/* Warn about each entry of a parsed targets file with its line number. The
 * k-th line that is neither blank nor a comment contains changes[k]. */
static void warn_targets_file(const char *path, const char *data,
			      const tufsign_target_change *changes, size_t count)
{
	const char *line = data;
	size_t lineno = 0, k = 0;

	while (*line != '\0' && k < count) {
		size_t len = strcspn(line, "\n");
		size_t lead = strspn(line, " \t\r");
		char where[64 + 4096];

		lineno++;
		if (lead < len && line[lead] != '#') {
			snprintf(where, sizeof(where), "%s line %zu: ", path, lineno);
			warn_change(where, &changes[k++]);
		}
		line += len + (line[len] == '\n');
	}
}

static int read_targets_file(const cli_context *ctx, const char *path,
			     tufsign_target_change **changes, size_t *count)
{
	tufsign_error err;
	char *data = NULL;
	size_t len = 0;
	int rc = EXIT_OK;

	tufsign_error_clear(&err);
	if (cli_read_file(path, MAX_TARGETS_FILE, &data, &len, &err) != TUFSIGN_OK ||
	    tufsign_repo_parse_targets(path, data, len, changes, count, &err) != TUFSIGN_OK)
		rc = cli_usage_from_error(ctx, &err);
	else
		warn_targets_file(path, data, *changes, *count);
	free(data);
	return rc;
}

/* Build the list of changes from the operands and options. */
static int parse_changes(const cli_context *ctx, const cli_args *args,
			 tufsign_target_change **changes, size_t *count)
{
	int sources = (args->value[OPT_DIGEST] || args->value[OPT_SIZE]) +
		      (args->value[OPT_MANIFEST] != NULL) + (args->value[OPT_TARGETS_FILE] != NULL);
	const char *tag = args->npositional > 1 ? args->positional[1] : NULL;
	tufsign_error err;
	int rc;

	*changes = NULL;
	*count = 0;
	if (sources != 1)
		return cli_usage_error(ctx, "give exactly one of --digest with --size, --manifest "
					    "FILE or --targets-file FILE");
	if (args->value[OPT_TARGETS_FILE] != NULL) {
		if (tag != NULL || args->value[OPT_CUSTOM] != NULL)
			return cli_usage_error(ctx, "--targets-file takes the tags from the file; "
						    "give no TAG operand and no --custom");
		return read_targets_file(ctx, args->value[OPT_TARGETS_FILE], changes, count);
	}
	if (tag == NULL)
		return cli_usage_error(ctx, "missing TAG: the tag to sign, e.g. 'latest'");
	tufsign_error_clear(&err);
	if (tufsign_repo_check_target_name(tag, &err) != TUFSIGN_OK)
		return cli_usage_from_error(ctx, &err);
	if (args->value[OPT_CUSTOM] != NULL && (rc = check_custom(ctx, args->value[OPT_CUSTOM])))
		return rc;
	*changes = calloc(1, sizeof(**changes));
	if (*changes == NULL)
		return cli_usage_error(ctx, "out of memory");
	*count = 1;
	(*changes)->name = strdup(tag);
	(*changes)->custom = args->value[OPT_CUSTOM] ? strdup(args->value[OPT_CUSTOM]) : NULL;
	if ((*changes)->name == NULL || (args->value[OPT_CUSTOM] && (*changes)->custom == NULL))
		return cli_usage_error(ctx, "out of memory");
	rc = single_change(ctx, args, *changes);
	if (rc == EXIT_OK)
		warn_change("", *changes);
	return rc;
}

static int print_result(const cli_context *ctx, const char *gun,
			const tufsign_target_change *changes, size_t count,
			const tufsign_publish_result *r)
{
	char digest[CLI_DIGEST_SIZE], versions[1024];
	json_t *list = ctx->json ? json_array() : NULL;
	size_t i;

	for (i = 0; i < count; i++) {
		cli_digest_text(changes[i].sha256, digest);
		if (list != NULL)
			json_array_append_new(
				list, json_pack("{s:s,s:s,s:I}", "tag", changes[i].name, "digest",
						digest, "size", (json_int_t)changes[i].length));
		else
			printf("%s\t%s\t%llu\n", changes[i].name, digest,
			       (unsigned long long)changes[i].length);
	}
	if (list != NULL)
		return cli_print_json(json_pack(
			       "{s:b,s:s,s:s,s:b,s:o,s:I,s:I,s:I,s:i,s:s,s:b,s:o}", "ok", 1,
			       "command", "sign", "gun", gun, "published", r->published, "targets",
			       list, "targets_version", (json_int_t)r->targets_version,
			       "snapshot_version", (json_int_t)r->snapshot_version,
			       "timestamp_version", (json_int_t)r->timestamp_version, "attempts",
			       (int)r->attempts, "targets_key_id", r->targets_key_id, "first_use",
			       r->first_use, "expiring",
			       cli_json_expiring(r->expiring, r->expiring_count))) == 0
			       ? EXIT_OK
			       : EXIT_FAILED;
	cli_signed_versions(r, versions, sizeof(versions));
	if (r->published) {
		cli_info(ctx, "signed %zu tag%s in %s: %s, snapshot %lld, timestamp %lld", count,
			 count == 1 ? "" : "s", gun, versions, (long long)r->snapshot_version,
			 (long long)r->timestamp_version);
	} else if (count == 1) {
		cli_digest_text(changes[0].sha256, digest);
		cli_info(ctx,
			 "%s already holds tag '%s' with digest %s and size %llu; nothing to "
			 "publish",
			 gun, changes[0].name, digest, (unsigned long long)changes[0].length);
	} else {
		cli_info(ctx,
			 "%s already holds all %zu tags with the digests and sizes given; "
			 "nothing to publish",
			 gun, count);
	}
	return EXIT_OK;
}

static int run(cli_context *ctx, const cli_args *args)
{
	const char *gun = args->positional[0];
	tufsign_target_change *changes = NULL;
	size_t count = 0;
	int rc = cli_check_gun(ctx, gun);

	if (rc == EXIT_OK && args->value[OPT_KEY] == NULL)
		rc = cli_usage_error(ctx, "missing --key URI: the targets key of %s", gun);
	if (rc == EXIT_OK)
		rc = parse_changes(ctx, args, &changes, &count);
	if (rc == EXIT_OK)
		rc = cli_repo_check_options(ctx, args);
	if (rc == EXIT_OK)
		rc = cli_publish_changes(ctx, args, gun, changes, count, print_result);
	tufsign_target_changes_free(changes, count);
	return rc;
}

const cli_command cmd_sign = {
	.name = "sign",
	.operands = "GUN [TAG] --key URI (--digest sha256:HEX --size N | --manifest FILE | "
		    "--targets-file FILE) [--custom JSON] [--snapshot-key URI] [--role ROLE]... "
		    "[--root-key-id ID | --root-cert FILE]",
	.summary = "Add or replace a signed tag and publish it",
	.description = "Fetches and verifies the repository, sets each tag to its digest and "
		       "size, signs targets (with --role, each delegation instead; and the "
		       "snapshot, with --snapshot-key) on the token, uploads and confirms the "
		       "change on the server. When another publisher wins the race, it fetches "
		       "again and retries. Prints one line per tag on stdout: TAG, digest, size.",
	.options = options,
	.min_operands = 1,
	.max_operands = 2,
	.run = run,
};
