/* Test driver for the signing engines: opens every key given (all before
 * the first signature, as a publish run does), signs a message file with
 * each, and writes the signatures and public keys to files for openssl to
 * check. On failure it prints "status=<NAME>" and the message on stderr and
 * exits with 10 + the status number.
 *
 * usage: engine_sign [-m MODULE] [-p PIN_FILE] [-P PASSPHRASE_FILE] [-n COUNT]
 *                    [-s ecdsa|rsapss|rsapkcs1|eddsa] [-o PREFIX] [-c] [-v] MSG_FILE REF...
 * With -c every key is opened even after one fails, as a library caller that
 * handles each key on its own would; each failure is printed as it happens.
 * Files: PREFIX.K.pub.der (SPKI of key K, counted from 0) and PREFIX.K.I.sig. */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"
#include "tufsign/key.h"
#include "tufsign/log.h"
#include "tufsign/pkcs11.h"

typedef struct run_options {
	tufsign_key_options keys;
	const char *scheme;
	const char *prefix;
	long count;
	int open_all;
} run_options;

static void log_stderr(void *ctx, tufsign_log_level level, const char *component,
		       const char *message)
{
	(void)ctx;
	fprintf(stderr, "log %d [%s]: %s\n", (int)level, component, message);
}

static tufsign_sig_scheme scheme_for(const char *name, tufsign_key_algo algo)
{
	if (name != NULL && strcmp(name, "rsapkcs1") == 0)
		return TUFSIGN_SIG_RSA_PKCS1_SHA256;
	if (name != NULL && strcmp(name, "rsapss") == 0)
		return TUFSIGN_SIG_RSA_PSS_SHA256;
	if (name != NULL && strcmp(name, "eddsa") == 0)
		return TUFSIGN_SIG_ED25519;
	if (name != NULL && strcmp(name, "ecdsa") == 0)
		return TUFSIGN_SIG_ECDSA_SHA256;
	switch (algo) {
	case TUFSIGN_ALGO_RSA:
		return TUFSIGN_SIG_RSA_PSS_SHA256;
	case TUFSIGN_ALGO_ED25519:
		return TUFSIGN_SIG_ED25519;
	default:
		return TUFSIGN_SIG_ECDSA_SHA256;
	}
}

static int write_file(const char *prefix, size_t k, const char *suffix, const unsigned char *data,
		      size_t len)
{
	char *path = tf_asprintf("%s.%zu.%s", prefix, k, suffix);
	FILE *f = path ? fopen(path, "wb") : NULL;
	int ok = f != NULL && fwrite(data, 1, len, f) == len;

	if (f != NULL && fclose(f) != 0)
		ok = 0;
	free(path);
	return ok ? 0 : -1;
}

static tufsign_status sign_all(tufsign_key *key, size_t k, const run_options *o,
			       const unsigned char *msg, size_t msg_len, tufsign_error *err)
{
	tufsign_signer signer;
	tufsign_status st = tufsign_key_signer(key, &signer, err);
	long i;

	if (st == TUFSIGN_OK && o->prefix != NULL &&
	    write_file(o->prefix, k, "pub.der", signer.spki, signer.spki_len) != 0)
		st = tufsign_error_set(err, TUFSIGN_ERR_IO, "cannot write the public key");
	for (i = 0; st == TUFSIGN_OK && i < o->count; i++) {
		unsigned char *sig = NULL;
		size_t sig_len = 0;
		char suffix[32];

		st = signer.sign(signer.ctx, scheme_for(o->scheme, signer.algo), msg, msg_len, &sig,
				 &sig_len, err);
		if (st != TUFSIGN_OK)
			break;
		printf("key %zu signature %ld length %zu\n", k, i, sig_len);
		snprintf(suffix, sizeof(suffix), "%ld.sig", i);
		if (o->prefix != NULL && write_file(o->prefix, k, suffix, sig, sig_len) != 0)
			st = tufsign_error_set(err, TUFSIGN_ERR_IO, "cannot write a signature");
		free(sig);
	}
	return st;
}

static int parse_options(int argc, char **argv, run_options *o)
{
	int c;

	memset(o, 0, sizeof(*o));
	o->count = 1;
	while ((c = getopt(argc, argv, "m:p:P:n:s:o:cv")) != -1) {
		switch (c) {
		case 'm':
			o->keys.module_path = optarg;
			break;
		case 'p':
			o->keys.pin_file = optarg;
			break;
		case 'P':
			o->keys.passphrase_file = optarg;
			break;
		case 'n':
			o->count = strtol(optarg, NULL, 10);
			break;
		case 's':
			o->scheme = optarg;
			break;
		case 'o':
			o->prefix = optarg;
			break;
		case 'c':
			o->open_all = 1;
			break;
		case 'v':
			tufsign_log_set_handler(log_stderr, NULL, TUFSIGN_LOG_TRACE);
			break;
		default:
			return -1;
		}
	}
	return argc - optind >= 2 ? 0 : -1;
}

/* SoftHSM 2.6.1 leaks a few bytes at each EdDSA C_SignInit. Keeping it
 * mapped until exit lets LeakSanitizer name the module, so the suppression
 * file of these tests can hold back that leak and no other. */
static void keep_softhsm_loaded(void)
{
	const char *module = getenv("SOFTHSM2_MODULE");

	if (module != NULL)
		dlopen(module, RTLD_NOW | RTLD_NODELETE);
}

/* Open one key. With -c a failure is printed and kept in err, and the
 * function reports success so the caller goes on with the next key. */
static tufsign_status open_key(const char *ref, const run_options *o, tufsign_key **key,
			       tufsign_error *err)
{
	tufsign_error local;
	tufsign_status st;

	if (!o->open_all)
		return tufsign_key_open(ref, &o->keys, key, err);
	tufsign_error_clear(&local);
	st = tufsign_key_open(ref, &o->keys, key, &local);
	if (st != TUFSIGN_OK) {
		fprintf(stderr, "open failed: status=%s\n%s\n", tufsign_status_name(st),
			local.message);
		tufsign_error_set(err, st, "%s", local.message);
	}
	return TUFSIGN_OK;
}

int main(int argc, char **argv)
{
	tufsign_key **keys = calloc((size_t)argc, sizeof(*keys));
	unsigned char *msg = NULL;
	size_t msg_len = 0, n = 0, i;
	tufsign_error err;
	tufsign_status st;
	run_options o;

	keep_softhsm_loaded();
	tufsign_error_clear(&err);
	if (keys == NULL || parse_options(argc, argv, &o) != 0) {
		fprintf(stderr, "usage: engine_sign [-m MODULE] [-p PIN_FILE] [-P PASS_FILE] "
				"[-n COUNT] [-s SCHEME] [-o PREFIX] [-c] [-v] MSG_FILE REF...\n");
		free(keys);
		return 2;
	}
	st = tf_read_file(argv[optind], 1 << 24, &msg, &msg_len, &err);
	for (i = (size_t)optind + 1; st == TUFSIGN_OK && i < (size_t)argc; i++)
		st = open_key(argv[i], &o, &keys[n++], &err);
	if (st == TUFSIGN_OK && err.status != TUFSIGN_OK)
		st = err.status;
	for (i = 0; st == TUFSIGN_OK && i < n; i++)
		st = sign_all(keys[i], i, &o, msg, msg_len, &err);
	for (i = 0; i < n; i++)
		tufsign_key_free(keys[i]);
	tufsign_pkcs11_shutdown();
	free(keys);
	free(msg);
	if (st != TUFSIGN_OK) {
		fprintf(stderr, "status=%s\n%s\n", tufsign_status_name(st), err.message);
		return 10 + (int)st;
	}
	return 0;
}
