/* Signatures per second through the PKCS#11 engine beside a minimal loop of
 * raw C_SignInit/C_Sign calls on the same key, in the same process. The
 * engine's extra work per signature is the host SHA-256 and the OpenSSL
 * verification of every signature before it is returned.
 *
 * usage: bench_sign [-n COUNT] [-r ROUNDS] MODULE TOKEN_LABEL KEY_LABEL...
 * The PIN comes from TUFSIGN_PIN. Each round times COUNT raw signatures and
 * then COUNT engine signatures per key; the best round of each is printed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/sha.h>
#include <p11-kit/p11-kit.h>

#include "tufsign/key.h"
#include "tufsign/pkcs11.h"

typedef struct raw_key {
	CK_FUNCTION_LIST *f;
	CK_SESSION_HANDLE session;
	CK_OBJECT_HANDLE key;
	CK_MECHANISM mech;
	CK_RSA_PKCS_PSS_PARAMS pss;
	const unsigned char *input;
	CK_ULONG input_len;
} raw_key;

static unsigned char message[1024];
static unsigned char digest[SHA256_DIGEST_LENGTH];

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int die(const char *what, CK_RV rv)
{
	fprintf(stderr, "bench_sign: %s failed: 0x%lx\n", what, (unsigned long)rv);
	exit(1);
}

static CK_SLOT_ID find_slot(CK_FUNCTION_LIST *f, const char *label)
{
	CK_SLOT_ID slots[64];
	CK_ULONG n = 64, i;
	CK_TOKEN_INFO ti;
	char padded[32];

	memset(padded, ' ', sizeof(padded));
	memcpy(padded, label, strlen(label) < 32 ? strlen(label) : 32);
	if (f->C_GetSlotList(CK_TRUE, slots, &n) != CKR_OK)
		die("C_GetSlotList", 0);
	for (i = 0; i < n; i++)
		if (f->C_GetTokenInfo(slots[i], &ti) == CKR_OK && memcmp(ti.label, padded, 32) == 0)
			return slots[i];
	die("finding the token", 0);
	return 0;
}

/* The same mechanism the engine picks for the key's type on SoftHSM. */
static void raw_plan(raw_key *r, CK_KEY_TYPE type)
{
	r->pss = (CK_RSA_PKCS_PSS_PARAMS){CKM_SHA256, CKG_MGF1_SHA256, 32};
	if (type == CKK_EC) {
		r->mech = (CK_MECHANISM){CKM_ECDSA, NULL, 0};
		r->input = digest;
		r->input_len = sizeof(digest);
	} else if (type == CKK_RSA) {
		r->mech = (CK_MECHANISM){CKM_SHA256_RSA_PKCS_PSS, &r->pss, sizeof(r->pss)};
		r->input = message;
		r->input_len = sizeof(message);
	} else {
		r->mech = (CK_MECHANISM){CKM_EDDSA, NULL, 0};
		r->input = message;
		r->input_len = sizeof(message);
	}
}

static void raw_open(raw_key *r, CK_FUNCTION_LIST *f, CK_SLOT_ID slot, const char *label)
{
	CK_OBJECT_CLASS cls = CKO_PRIVATE_KEY;
	CK_ATTRIBUTE tmpl[2] = {{CKA_CLASS, &cls, sizeof(cls)},
				{CKA_LABEL, (void *)label, strlen(label)}};
	CK_KEY_TYPE type = 0;
	CK_ATTRIBUTE kt = {CKA_KEY_TYPE, &type, sizeof(type)};
	const char *pin = getenv("TUFSIGN_PIN");
	CK_ULONG found = 0;
	CK_RV rv;

	memset(r, 0, sizeof(*r));
	r->f = f;
	rv = f->C_OpenSession(slot, CKF_SERIAL_SESSION, NULL, NULL, &r->session);
	if (rv != CKR_OK)
		die("C_OpenSession", rv);
	rv = f->C_Login(r->session, CKU_USER, (CK_UTF8CHAR *)pin, pin ? strlen(pin) : 0);
	if (rv != CKR_OK && rv != CKR_USER_ALREADY_LOGGED_IN)
		die("C_Login", rv);
	if (f->C_FindObjectsInit(r->session, tmpl, 2) != CKR_OK ||
	    f->C_FindObjects(r->session, &r->key, 1, &found) != CKR_OK || found != 1)
		die("finding the key", 0);
	f->C_FindObjectsFinal(r->session);
	if (f->C_GetAttributeValue(r->session, r->key, &kt, 1) != CKR_OK)
		die("C_GetAttributeValue", 0);
	raw_plan(r, type);
}

static double raw_rate(raw_key *r, long count)
{
	unsigned char sig[1024];
	double start = now();
	long i;

	for (i = 0; i < count; i++) {
		CK_ULONG len = sizeof(sig);
		CK_RV rv = r->f->C_SignInit(r->session, &r->mech, r->key);

		if (rv == CKR_OK)
			rv = r->f->C_Sign(r->session, (CK_BYTE *)r->input, r->input_len, sig, &len);
		if (rv != CKR_OK)
			die("C_Sign", rv);
	}
	return (double)count / (now() - start);
}

static double engine_rate(tufsign_signer *s, tufsign_sig_scheme scheme, long count)
{
	double start = now();
	tufsign_error err;
	long i;

	tufsign_error_clear(&err);
	for (i = 0; i < count; i++) {
		unsigned char *sig = NULL;
		size_t len = 0;

		if (s->sign(s->ctx, scheme, message, sizeof(message), &sig, &len, &err) !=
		    TUFSIGN_OK) {
			fprintf(stderr, "bench_sign: %s\n", err.message);
			exit(1);
		}
		free(sig);
	}
	return (double)count / (now() - start);
}

static tufsign_sig_scheme scheme_of(tufsign_key_algo algo)
{
	if (algo == TUFSIGN_ALGO_RSA)
		return TUFSIGN_SIG_RSA_PSS_SHA256;
	if (algo == TUFSIGN_ALGO_ED25519)
		return TUFSIGN_SIG_ED25519;
	return TUFSIGN_SIG_ECDSA_SHA256;
}

static void bench_key(CK_FUNCTION_LIST *f, CK_SLOT_ID slot, const char *module, const char *token,
		      const char *label, long count, int rounds)
{
	char uri[512];
	tufsign_key_options opts = {0};
	tufsign_key *key = NULL;
	tufsign_signer signer;
	tufsign_error err;
	double best_raw = 0, best_engine = 0;
	raw_key r;
	int i;

	tufsign_error_clear(&err);
	snprintf(uri, sizeof(uri), "pkcs11:token=%s;object=%s?module-path=%s", token, label,
		 module);
	if (tufsign_key_open(uri, &opts, &key, &err) != TUFSIGN_OK ||
	    tufsign_key_signer(key, &signer, &err) != TUFSIGN_OK) {
		fprintf(stderr, "bench_sign: %s\n", err.message);
		exit(1);
	}
	raw_open(&r, f, slot, label);
	for (i = 0; i < rounds; i++) {
		double raw = raw_rate(&r, count);
		double eng = engine_rate(&signer, scheme_of(signer.algo), count);

		best_raw = raw > best_raw ? raw : best_raw;
		best_engine = eng > best_engine ? eng : best_engine;
	}
	printf("%-12s %-11s %8ld %12.1f %12.1f %7.1f%%\n", label,
	       tufsign_key_algo_name(signer.algo), count, best_raw, best_engine,
	       100.0 * best_engine / best_raw);
	f->C_CloseSession(r.session);
	tufsign_key_free(key);
}

int main(int argc, char **argv)
{
	CK_FUNCTION_LIST *f = NULL;
	long count = 200;
	int rounds = 3, c, i;

	while ((c = getopt(argc, argv, "n:r:")) != -1) {
		if (c == 'n')
			count = strtol(optarg, NULL, 10);
		else if (c == 'r')
			rounds = (int)strtol(optarg, NULL, 10);
		else
			return 2;
	}
	if (argc - optind < 3 || count <= 0 || rounds <= 0) {
		fprintf(stderr, "usage: bench_sign [-n COUNT] [-r ROUNDS] MODULE TOKEN KEY...\n");
		return 2;
	}
	memset(message, 'x', sizeof(message));
	SHA256(message, sizeof(message), digest);
	f = p11_kit_module_load(argv[optind], 0);
	if (f == NULL || p11_kit_module_initialize(f) != CKR_OK)
		die("loading the module", 0);
	printf("%-12s %-11s %8s %12s %12s %8s\n", "key", "algorithm", "count", "raw sig/s",
	       "engine sig/s", "ratio");
	for (i = optind + 2; i < argc; i++)
		bench_key(f, find_slot(f, argv[optind + 1]), argv[optind], argv[optind + 1],
			  argv[i], count, rounds);
	tufsign_pkcs11_shutdown();
	p11_kit_module_finalize(f);
	p11_kit_module_release(f);
	return 0;
}
