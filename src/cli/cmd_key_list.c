/* tufsign key list: the private keys on a token (or in a key file or
 * directory) with their TUF key IDs. */
#include "cli.h"
#include "tufsign/pkcs11.h"

static const cli_option options[] = {
	{OPT_NONE, NULL, 0, NULL, NULL},
};

static json_t *key_json(const tufsign_key_info *k)
{
	return json_pack("{s:s,s:s,s:s,s:i,s:s,s:b,s:s?,s:s}", "label", k->label, "id", k->id_hex,
			 "algorithm", tufsign_key_algo_name(k->algo), "bits", (int)k->bits, "keyid",
			 k->keyid, "certificate", k->has_cert, "certificate_keyid",
			 k->cert_keyid[0] ? k->cert_keyid : NULL, "uri", k->uri);
}

static void print_key(const tufsign_key_info *k)
{
	printf("%s\n  id:          %s\n  type:        %s (%u bits)%s\n", k->label, k->id_hex,
	       tufsign_key_algo_name(k->algo), k->bits, k->has_cert ? ", certificate stored" : "");
	printf("  key ID:      %s (plain public key)\n", k->keyid);
	if (k->cert_keyid[0] != '\0')
		printf("  cert key ID: %s (as a root.json with the stored certificate lists it)\n",
		       k->cert_keyid);
	printf("  uri:         %s\n", k->uri);
}

static int print_keys(const cli_context *ctx, const tufsign_key_info *keys, size_t count)
{
	json_t *list = NULL;
	size_t i;

	if (!ctx->json) {
		for (i = 0; i < count; i++)
			print_key(&keys[i]);
		if (count == 0)
			cli_info(ctx, "no private keys found");
		return EXIT_OK;
	}
	list = json_array();
	for (i = 0; list != NULL && i < count; i++)
		json_array_append_new(list, key_json(&keys[i]));
	if (list == NULL || cli_print_json(json_pack("{s:b,s:s,s:o}", "ok", 1, "command",
						     "key list", "keys", list)) != 0) {
		cli_error("cannot write the key list");
		return EXIT_FAILED;
	}
	return EXIT_OK;
}

static int run(cli_context *ctx, const cli_args *args)
{
	tufsign_key_info *keys = NULL;
	size_t count = 0;
	tufsign_error err;
	int rc;

	tufsign_error_clear(&err);
	if (tufsign_key_list(args->positional[0], &ctx->key_options, &keys, &count, &err) !=
	    TUFSIGN_OK)
		rc = cli_fail(ctx, &err);
	else
		rc = print_keys(ctx, keys, count);
	tufsign_key_info_free(keys, count);
	tufsign_pkcs11_shutdown();
	return rc;
}

const cli_command cmd_key_list = {
	.name = "key list",
	.operands = "URI",
	.summary = "List the keys on a token with their TUF key IDs",
	.description = "URI is a token URI such as pkcs11:token=ci-signer (object= and id= narrow "
		       "the list), a key file, or a directory of key files such as a notary "
		       "trust directory. Listing private keys on a token needs its PIN.\n\n"
		       "The key ID is the TUF key ID of the plain public key, as notary lists "
		       "targets and delegation keys. A root key appears in root.json inside a "
		       "certificate, under the certificate's key ID, which init prints; "
		       "--root-key-id accepts either ID. With a certificate stored beside the key, "
		       "its key ID is shown too.",
	.options = options,
	.min_operands = 1,
	.max_operands = 1,
	.run = run,
};
