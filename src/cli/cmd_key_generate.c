/* tufsign key generate: a key pair made on the token, never extractable. */
#include "cli.h"
#include "tufsign/pkcs11.h"

static const cli_option options[] = {
	{OPT_TYPE, "type", 0, "TYPE",
	 "ecdsa-p256 (default), ecdsa-p384, rsa-2048, rsa-3072, rsa-4096 or ed25519"},
	{OPT_NONE, NULL, 0, NULL, NULL},
};

static int print_key(const cli_context *ctx, const char *type, const tufsign_key_info *k)
{
	if (ctx->json) {
		json_t *doc =
			json_pack("{s:b,s:s,s:{s:s,s:s,s:s,s:s,s:i,s:s,s:s}}", "ok", 1, "command",
				  "key generate", "key", "label", k->label, "id", k->id_hex, "type",
				  type, "algorithm", tufsign_key_algo_name(k->algo), "bits",
				  (int)k->bits, "keyid", k->keyid, "uri", k->uri);

		return cli_print_json(doc) == 0 ? EXIT_OK : EXIT_FAILED;
	}
	printf("keyid: %s\nuri:   %s\n", k->keyid, k->uri);
	return EXIT_OK;
}

static int run(cli_context *ctx, const cli_args *args)
{
	const char *type_name = args->value[OPT_TYPE] ? args->value[OPT_TYPE] : "ecdsa-p256";
	tufsign_pkcs11_key_type type;
	tufsign_key_info *key = NULL;
	tufsign_error err;
	int rc;

	if (tufsign_pkcs11_key_type_parse(type_name, &type) != 0)
		return cli_usage_error(ctx,
				       "unknown key type '%s'; use ecdsa-p256, ecdsa-p384, "
				       "rsa-2048, rsa-3072, rsa-4096 or ed25519",
				       type_name);
	tufsign_error_clear(&err);
	if (tufsign_pkcs11_key_generate(args->positional[0], type, &ctx->key_options, &key, &err) !=
	    TUFSIGN_OK)
		rc = cli_fail(ctx, &err);
	else
		rc = print_key(ctx, type_name, key);
	tufsign_key_info_free(key, key ? 1 : 0);
	tufsign_pkcs11_shutdown();
	return rc;
}

const cli_command cmd_key_generate = {
	.name = "key generate",
	.operands = "URI [--type TYPE]",
	.summary = "Generate a key pair on the token, never extractable",
	.description = "The URI names the token and, with object=, the label of the new key, for "
		       "example pkcs11:token=ci-signer;object=targets. The private key is "
		       "sensitive, never extractable and may only sign; its CKA_ID is random. "
		       "Prints the TUF key ID and the URI of the new key.",
	.options = options,
	.min_operands = 1,
	.max_operands = 1,
	.run = run,
};
