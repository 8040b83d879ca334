/* tufsign token list: the tokens of a PKCS#11 module with their URIs, flags
 * and signing mechanisms. */
#include <string.h>

#include "cli.h"
#include "tufsign/pkcs11.h"

static const cli_option options[] = {
	{OPT_NONE, NULL, 0, NULL, NULL},
};

static json_t *token_json(const tufsign_pkcs11_token_info *t)
{
	return json_pack("{s:s,s:s,s:s,s:s,s:s,s:I,s:{s:b,s:b,s:b},s:{s:b,s:b,s:b}}", "label",
			 t->label, "serial", t->serial, "model", t->model, "manufacturer",
			 t->manufacturer, "uri", t->uri, "slot_id", (json_int_t)t->slot_id, "flags",
			 "login_required", t->login_required, "protected_authentication_path",
			 t->protected_auth_path, "initialized", t->initialized, "mechanisms",
			 "CKM_ECDSA", t->has_ecdsa, "CKM_RSA_PKCS_PSS", t->has_rsa_pss, "CKM_EDDSA",
			 t->has_eddsa);
}

static const char *yes_no(int v)
{
	return v ? "yes" : "no";
}

static void print_token(const tufsign_pkcs11_token_info *t)
{
	printf("token '%s'\n", t->label);
	printf("  uri:           %s\n", t->uri);
	printf("  manufacturer:  %s\n", t->manufacturer);
	printf("  model:         %s\n", t->model);
	printf("  serial:        %s\n", t->serial);
	printf("  slot:          %lu\n", t->slot_id);
	printf("  login required: %s, protected authentication path: %s, initialized: %s\n",
	       yes_no(t->login_required), yes_no(t->protected_auth_path), yes_no(t->initialized));
	printf("  mechanisms:    CKM_ECDSA %s, CKM_RSA_PKCS_PSS %s, CKM_EDDSA %s\n",
	       yes_no(t->has_ecdsa), yes_no(t->has_rsa_pss), yes_no(t->has_eddsa));
}

static int print_tokens(const cli_context *ctx, const tufsign_pkcs11_token_info *tokens,
			size_t count)
{
	json_t *list = NULL;
	size_t i;

	if (!ctx->json) {
		for (i = 0; i < count; i++)
			print_token(&tokens[i]);
		if (count == 0)
			cli_info(ctx, "no tokens found");
		return EXIT_OK;
	}
	list = json_array();
	for (i = 0; list != NULL && i < count; i++)
		json_array_append_new(list, token_json(&tokens[i]));
	if (list == NULL || cli_print_json(json_pack("{s:b,s:s,s:o}", "ok", 1, "command",
						     "token list", "tokens", list)) != 0) {
		cli_error("cannot write the token list");
		return EXIT_FAILED;
	}
	return EXIT_OK;
}

static int run(cli_context *ctx, const cli_args *args)
{
	tufsign_pkcs11_token_info *tokens = NULL;
	const char *uri = args->npositional > 0 ? args->positional[0] : NULL;
	size_t count = 0;
	tufsign_error err;
	int rc;

	tufsign_error_clear(&err);
	if (tufsign_pkcs11_token_list(uri, &ctx->key_options, &tokens, &count, &err) != TUFSIGN_OK)
		rc = cli_fail(ctx, &err);
	else
		rc = print_tokens(ctx, tokens, count);
	tufsign_pkcs11_token_info_free(tokens, count);
	tufsign_pkcs11_shutdown();
	return rc;
}

const cli_command cmd_token_list = {
	.name = "token list",
	.operands = "[URI]",
	.summary = "List the tokens of a PKCS#11 module with their URIs, flags and mechanisms",
	.description = "Without --module or a URI naming a module, the tokens of every module "
		       "p11-kit's proxy offers are listed. A URI such as pkcs11:token=ci "
		       "lists only the matching tokens. No PIN is needed.",
	.options = options,
	.min_operands = 0,
	.max_operands = 1,
	.run = run,
};
