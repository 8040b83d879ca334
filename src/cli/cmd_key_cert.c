/* tufsign key cert: the self-signed X.509 certificate of a key for a GUN,
 * signed on the token, as notary lists root keys. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "tufsign/cert.h"
#include "tufsign/pkcs11.h"
#include "tufsign/pubkey.h"

static const cli_option options[] = {
	{OPT_DAYS, "days", 0, "N", "validity in days (default 3650)"},
	{OPT_OUT, "out", 'o', "FILE", "write the PEM certificate to FILE instead of stdout"},
	{OPT_STORE, "store", 0, NULL, "also store the certificate on the token beside the key"},
	{OPT_NONE, NULL, 0, NULL, NULL},
};

/* Write through a temporary file and rename, so a failed run leaves FILE
 * complete or untouched. The directory is not synced, so a power loss right
 * after the rename may still lose the new file. */
static int write_atomic(const char *path, const char *data, size_t len)
{
	char *tmp = malloc(strlen(path) + 8);
	int fd = -1, ok = 0;

	if (tmp == NULL)
		return -1;
	snprintf(tmp, strlen(path) + 8, "%s.XXXXXX", path);
	fd = mkstemp(tmp);
	if (fd >= 0)
		ok = write(fd, data, len) == (ssize_t)len && fsync(fd) == 0;
	if (fd >= 0 && close(fd) != 0)
		ok = 0;
	if (ok)
		ok = rename(tmp, path) == 0;
	if (!ok && fd >= 0)
		unlink(tmp);
	free(tmp);
	return ok ? 0 : -1;
}

static int parse_days(const cli_context *ctx, const char *text, unsigned *days)
{
	char *end = NULL;
	unsigned long v;

	*days = 0;
	if (text == NULL)
		return 0;
	errno = 0;
	v = strtoul(text, &end, 10);
	if (errno != 0 || end == text || *end != '\0' || v == 0 || v > 36500)
		return cli_usage_error(
			ctx, "--days must be a whole number from 1 to 36500, not '%s'", text);
	*days = (unsigned)v;
	return 0;
}

/* Make the certificate on the token; *pem is the caller's to free. */
static tufsign_status make_cert(const cli_context *ctx, const char *gun, const char *uri,
				unsigned days, char **pem, size_t *pem_len, tufsign_error *err)
{
	tufsign_cert_options opts;
	tufsign_key *key = NULL;
	tufsign_signer signer;
	tufsign_status st;

	memset(&opts, 0, sizeof(opts));
	opts.days = days;
	st = tufsign_key_open(uri, &ctx->key_options, &key, err);
	if (st == TUFSIGN_OK)
		st = tufsign_key_signer(key, &signer, err);
	if (st == TUFSIGN_OK)
		st = tufsign_cert_create(&signer, gun, &opts, pem, pem_len, err);
	tufsign_key_free(key);
	return st;
}

static int report(const cli_context *ctx, const char *uri, const char *pem, size_t pem_len,
		  const char *out, int stored)
{
	tufsign_pubkey key;
	char canonical[TUFSIGN_KEYID_SIZE] = "";
	tufsign_error err;
	json_t *doc = NULL;

	tufsign_error_clear(&err);
	if (tufsign_pubkey_from_cert_pem(&key, pem, pem_len, &err) != TUFSIGN_OK ||
	    tufsign_pubkey_canonical_id(&key, canonical, &err) != TUFSIGN_OK) {
		tufsign_pubkey_release(&key);
		return cli_fail(ctx, &err);
	}
	if (ctx->json) {
		doc = json_pack("{s:b,s:s,s:{s:s,s:s,s:s,s:s,s:s?,s:b,s:s}}", "ok", 1, "command",
				"key cert", "certificate", "keytype",
				tufsign_keytype_name(key.type), "keyid", key.id, "canonical_keyid",
				canonical, "uri", uri, "file", out, "stored", stored, "pem", pem);
		cli_print_json(doc);
	} else {
		if (out == NULL)
			fputs(pem, stdout);
		cli_info(ctx, "%s certificate key ID %s (canonical key ID %s)%s%s%s",
			 tufsign_keytype_name(key.type), key.id, canonical,
			 out ? ", written to " : "", out ? out : "",
			 stored ? ", stored on the token" : "");
	}
	tufsign_pubkey_release(&key);
	return EXIT_OK;
}

static int run(cli_context *ctx, const cli_args *args)
{
	const char *gun = args->positional[0], *uri = args->positional[1];
	const char *out = args->value[OPT_OUT];
	int store = args->count[OPT_STORE] > 0, rc;
	unsigned days = 0;
	char *pem = NULL;
	size_t pem_len = 0;
	tufsign_error err;

	rc = parse_days(ctx, args->value[OPT_DAYS], &days);
	if (rc != 0)
		return rc;
	tufsign_error_clear(&err);
	if (store && strncmp(uri, "pkcs11:", 7) != 0)
		return cli_usage_error(ctx, "--store needs a key on a token (a pkcs11: URI)");
	if (make_cert(ctx, gun, uri, days, &pem, &pem_len, &err) != TUFSIGN_OK ||
	    (store &&
	     tufsign_pkcs11_cert_store(uri, &ctx->key_options, pem, pem_len, &err) != TUFSIGN_OK)) {
		rc = cli_fail(ctx, &err);
	} else if (out != NULL && write_atomic(out, pem, pem_len) != 0) {
		cli_error("cannot write the certificate to '%s': %s", out, strerror(errno));
		rc = EXIT_FAILED;
	} else {
		rc = report(ctx, uri, pem, pem_len, out, store);
	}
	free(pem);
	tufsign_pkcs11_shutdown();
	return rc;
}

const cli_command cmd_key_cert = {
	.name = "key cert",
	.operands = "GUN URI [--days N] [--out FILE] [--store]",
	.summary = "Make the self-signed X.509 certificate of a key for a GUN",
	.description = "The certificate has notary's profile for root keys: CN = GUN, a random "
		       "positive serial, digital signature and key encipherment usage, code "
		       "signing, not a CA. The key signs it on the token (ECDSA or RSA; notary "
		       "cannot use Ed25519 certificates). --store keeps it on the token with the "
		       "key's CKA_ID.\n\n"
		       "Two key IDs are printed. The certificate key ID is what a root.json "
		       "holding this certificate lists; it differs for every certificate "
		       "(the serial is random), and init makes its own root certificate, so "
		       "after init it is not the ID of the repository's root. The canonical key "
		       "ID is that of the plain key, as key list shows, and stays the same.",
	.options = options,
	.min_operands = 2,
	.max_operands = 2,
	.run = run,
};
