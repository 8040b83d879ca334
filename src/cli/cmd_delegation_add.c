/* tufsign delegation add: Add a signer's delegation and publish it. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* Largest certificate or public key file read. */
#define MAX_KEY_FILE ((size_t)1 << 20)

static const cli_option options[] = {
	{OPT_KEY, "key", 'k', "URI", "targets key (PKCS#11 URI or key file)"},
	{OPT_SIGNER_KEY, "signer-key", 0, "URI",
	 "signer key on a token; published in a certificate with CN = NAME (repeatable)"},
	{OPT_SIGNER_CERT, "signer-cert", 0, "FILE", "signer certificate, PEM (repeatable)"},
	{OPT_SIGNER_PUBKEY, "signer-pubkey", 0, "FILE",
	 "signer PUBLIC KEY, PEM, as 'docker trust key generate' writes it (repeatable)"},
	{OPT_PATHS, "paths", 0, "P,...", "tag prefixes the signer may sign (default: every tag)"},
	{OPT_SNAPSHOT_KEY, "snapshot-key", 0, "URI",
	 "snapshot key, when the snapshot is signed locally"},
	{OPT_ROOT_KEY_ID, "root-key-id", 0, "ID",
	 "trust only a root with this key ID on first use"},
	{OPT_ROOT_CERT, "root-cert", 0, "FILE",
	 "trust only a root with this certificate on first use"},
	{OPT_NONE, NULL, 0, NULL, NULL},
};

/* Signer keys collected from the options. */
typedef struct signer_keys {
	tufsign_pubkey keys[3 * CLI_MAX_VALUES];
	char listed[3 * CLI_MAX_VALUES][TUFSIGN_KEYID_SIZE]; /* the IDs targets lists */
	size_t count;
} signer_keys;

static void signer_keys_release(signer_keys *s)
{
	size_t i;

	for (i = 0; i < s->count; i++)
		tufsign_pubkey_release(&s->keys[i]);
	s->count = 0;
}

static tufsign_status key_from_token(const cli_context *ctx, const char *uri, const char *name,
				     tufsign_pubkey *out, tufsign_error *err)
{
	cli_key k = {0};
	tufsign_status st = cli_key_open(ctx, uri, &k, err);

	if (st == TUFSIGN_OK)
		st = tufsign_repo_signer_key(&k.signer, name, out, err);
	cli_key_close(&k);
	return st;
}

static tufsign_status key_from_file(const char *path, tufsign_pubkey *out, tufsign_error *err)
{
	char *pem = NULL;
	size_t len = 0;
	tufsign_status st = cli_read_file(path, MAX_KEY_FILE, &pem, &len, err);

	if (st == TUFSIGN_OK)
		st = tufsign_repo_signer_key_from_pem(pem, len, out, err);
	if (st != TUFSIGN_OK)
		tufsign_error_prefix(err, "cannot read signer key '%s': ", path);
	free(pem);
	return st;
}

/* Read every --signer-* option in command-line order. */
static tufsign_status collect_keys(const cli_context *ctx, const cli_args *args, const char *name,
				   signer_keys *s, tufsign_error *err)
{
	tufsign_status st = TUFSIGN_OK;
	int i;

	for (i = 0; st == TUFSIGN_OK && i < args->ngiven; i++) {
		int id = args->given[i].id;
		const char *v = args->given[i].value;

		if (id != OPT_SIGNER_KEY && id != OPT_SIGNER_CERT && id != OPT_SIGNER_PUBKEY)
			continue;
		if (s->count == sizeof(s->keys) / sizeof(s->keys[0]))
			return tufsign_error_set(err, TUFSIGN_ERR_INVALID_ARGUMENT,
						 "too many signer keys");
		if (id == OPT_SIGNER_KEY)
			st = key_from_token(ctx, v, name, &s->keys[s->count], err);
		else
			st = key_from_file(v, &s->keys[s->count], err);
		if (st == TUFSIGN_OK)
			s->count++;
	}
	return st;
}

/* The plain key ID docker and notary show; empty when it cannot be made. */
static void canonical_id(const tufsign_pubkey *key, char out[TUFSIGN_KEYID_SIZE])
{
	tufsign_error ignored;

	out[0] = '\0';
	tufsign_error_clear(&ignored);
	tufsign_pubkey_canonical_id(key, out, &ignored);
}

static json_t *keys_json(const signer_keys *s)
{
	json_t *list = json_array();
	size_t i;

	for (i = 0; i < s->count; i++) {
		char canonical[TUFSIGN_KEYID_SIZE];

		canonical_id(&s->keys[i], canonical);
		json_array_append_new(list, json_pack("{s:s,s:s,s:s}", "key_id", s->listed[i],
						      "canonical_key_id", canonical, "keytype",
						      tufsign_keytype_name(s->keys[i].type)));
	}
	return list;
}

static int report(const cli_context *ctx, const char *gun, const char *name, const signer_keys *s,
		  const tufsign_publish_result *r)
{
	size_t i;

	if (ctx->json)
		return cli_print_json(json_pack(
			       "{s:b,s:s,s:s,s:s,s:s+,s:b,s:o,s:I,s:I,s:I,s:i,"
			       "s:s,s:b}",
			       "ok", 1, "command", "delegation add", "gun", gun, "name", name,
			       "role", "targets/", name, "published", r->published, "keys",
			       keys_json(s), "targets_version", (json_int_t)r->targets_version,
			       "snapshot_version", (json_int_t)r->snapshot_version,
			       "timestamp_version", (json_int_t)r->timestamp_version, "attempts",
			       (int)r->attempts, "targets_key_id", r->targets_key_id, "first_use",
			       r->first_use)) == 0
			       ? EXIT_OK
			       : EXIT_FAILED;
	for (i = 0; i < s->count; i++) {
		char canonical[TUFSIGN_KEYID_SIZE];

		canonical_id(&s->keys[i], canonical);
		printf("%s\tkey ID %s\tcanonical %s (docker, notary)\n", name, s->listed[i],
		       canonical);
	}
	if (r->published)
		cli_info(ctx,
			 "added signer '%s' to %s (targets/%s and targets/releases): targets "
			 "version %lld",
			 name, gun, name, (long long)r->targets_version);
	else
		cli_info(ctx,
			 "%s already delegates to signer '%s' with these keys; nothing to "
			 "publish",
			 gun, name);
	return EXIT_OK;
}

static int check_operands(const cli_context *ctx, const cli_args *args)
{
	int rc = cli_check_signer_operands(ctx, args);

	if (rc == EXIT_OK && args->count[OPT_SIGNER_KEY] + args->count[OPT_SIGNER_CERT] +
					     args->count[OPT_SIGNER_PUBKEY] ==
				     0)
		rc = cli_usage_error(ctx, "give the signer's key with --signer-key URI, "
					  "--signer-cert FILE or --signer-pubkey FILE");
	if (rc == EXIT_OK)
		rc = cli_repo_check_options(ctx, args);
	return rc;
}

static int run(cli_context *ctx, const cli_args *args)
{
	const char *gun = args->positional[0], *name = args->positional[1];
	const char *paths[CLI_MAX_VALUES];
	tufsign_publish_result result;
	signer_keys keys = {0};
	cli_signing s;
	tufsign_error err;
	int npaths = 0, rc = check_operands(ctx, args);

	if (rc == EXIT_OK && (npaths = cli_values(ctx, args, OPT_PATHS, 1, paths)) < 0)
		rc = EXIT_USAGE;
	if (rc != EXIT_OK)
		return rc;
	tufsign_error_clear(&err);
	memset(&s, 0, sizeof(s));
	if (collect_keys(ctx, args, name, &keys, &err) != TUFSIGN_OK ||
	    cli_signing_open(ctx, args, &s, &err) != TUFSIGN_OK) {
		rc = cli_fail(ctx, &err);
		goto out;
	}
	s.options.keys = keys.keys;
	s.options.key_count = keys.count;
	s.options.paths = npaths > 0 ? paths : NULL;
	s.options.path_count = (size_t)npaths;
	s.options.listed_ids = keys.listed;
	if (tufsign_repo_delegation_add(&s.repo.context, gun, &s.options, &result, &err) !=
	    TUFSIGN_OK)
		rc = cli_fail(ctx, &err);
	else {
		cli_warn_expiring(gun, result.expiring, result.expiring_count);
		rc = report(ctx, gun, name, &keys, &result);
	}
out:
	signer_keys_release(&keys);
	cli_signing_close(&s);
	return rc;
}

const cli_command cmd_delegation_add = {
	.name = "delegation add",
	.operands = "GUN NAME --key URI (--signer-key URI | --signer-cert FILE | --signer-pubkey "
		    "FILE)... [--paths P,...] [--snapshot-key URI] [--root-key-id ID | --root-cert "
		    "FILE]",
	.summary = "Add a signer's delegation and publish it",
	.description = "Adds the role targets/NAME with the signer's keys and appends the keys "
		       "to targets/releases (created when absent), paths [\"\"] and threshold 1, "
		       "as 'docker trust signer add' does, then re-signs targets with the "
		       "targets key. NAME is lower-case letters, digits, '_' and '-'; "
		       "'releases' is reserved. Prints NAME and each key ID it lists.",
	.options = options,
	.min_operands = 2,
	.max_operands = 2,
	.run = run,
};
