/* Benchmark of the metadata core on targets documents of 1,000, 10,000 and
 * 100,000 entries (sha256 + sha512 each, as the notary client writes them):
 * parse, verify, canonical serialization and file serialization times, the
 * peak memory of parsing and verifying file bytes, and jansson's
 * json_dumps(JSON_COMPACT | JSON_SORT_KEYS) of the same "signed" value in the
 * same run as the baseline for canonical serialization.
 *
 * Usage: bench_meta [COUNT...]   (default 1000 10000 100000)
 * Times are the best of several runs. Peak memory is the most heap in use
 * while the file bytes are read into memory, parsed and verified, so the file
 * itself is part of it. The malloc wrappers below count it as the usable size
 * of every live block (glibc only). */
#include <malloc.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <openssl/evp.h>
#include <openssl/sha.h>
#include <openssl/x509.h>

#include "tufsign/json.h"
#include "tufsign/metadata.h"
#include "tufsign/verify.h"

static EVP_PKEY *bench_key;

static tufsign_status bench_sign(void *ctx, tufsign_sig_scheme scheme, const unsigned char *msg,
				 size_t msg_len, unsigned char **sig, size_t *sig_len,
				 tufsign_error *err)
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	size_t len = 64;
	int ok;

	(void)ctx;
	(void)scheme;
	*sig = malloc(64);
	ok = md != NULL && *sig != NULL &&
	     EVP_DigestSignInit(md, NULL, NULL, NULL, bench_key) == 1 &&
	     EVP_DigestSign(md, *sig, &len, msg, msg_len) == 1;
	EVP_MD_CTX_free(md);
	if (!ok) {
		free(*sig);
		*sig = NULL;
		return tufsign_error_set(err, TUFSIGN_ERR_CRYPTO, "benchmark signer failed");
	}
	*sig_len = len;
	return TUFSIGN_OK;
}

static double now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(const char *what, const tufsign_error *err)
{
	fprintf(stderr, "bench_meta: %s failed: %s\n", what, err ? err->message : "");
	exit(1);
}

/* Heap accounting: glibc lets a program replace malloc, calloc, realloc and
 * free, and exports its own implementations under __libc_ names. Sanitizer
 * builds own malloc themselves, so there the peak columns read 0. */
static size_t heap_now, heap_peak;

#if !defined(__SANITIZE_ADDRESS__)
extern void *__libc_malloc(size_t size);
extern void *__libc_calloc(size_t n, size_t size);
extern void *__libc_realloc(void *p, size_t size);
extern void __libc_free(void *p);

static void heap_add(void *p)
{
	if (p == NULL)
		return;
	heap_now += malloc_usable_size(p);
	if (heap_now > heap_peak)
		heap_peak = heap_now;
}

void *malloc(size_t size)
{
	void *p = __libc_malloc(size);

	heap_add(p);
	return p;
}

void *calloc(size_t n, size_t size)
{
	void *p = __libc_calloc(n, size);

	heap_add(p);
	return p;
}

void *realloc(void *old, size_t size)
{
	size_t before = old ? malloc_usable_size(old) : 0;
	void *p = __libc_realloc(old, size);

	if (p != NULL || size == 0)
		heap_now -= before;
	heap_add(p);
	return p;
}

void free(void *p)
{
	if (p != NULL)
		heap_now -= malloc_usable_size(p);
	__libc_free(p);
}
#endif

static tufsign_meta *make_targets(size_t count, tufsign_signer *signer, tufsign_pubkey *key)
{
	unsigned char sha256[32], sha512[64], seed[16];
	tufsign_signing_key sk = {.signer = signer, .key = NULL};
	tufsign_meta *doc = NULL;
	tufsign_error err;
	char name[64];
	size_t i;

	tufsign_error_clear(&err);
	if (tufsign_meta_new("targets", &doc, &err) != TUFSIGN_OK)
		die("new", &err);
	doc->expires = tufsign_time_from_unix(1893456000);
	/* names come in sorted order, so each insertion appends */
	for (i = 0; i < count; i++) {
		snprintf(name, sizeof(name), "image-%07zu:v%zu.%zu", i, i % 97, i % 13);
		memcpy(seed, &i, sizeof(i));
		SHA256(seed, sizeof(seed), sha256);
		SHA512(seed, sizeof(seed), sha512);
		if (tufsign_meta_set_target(doc, name, (int64_t)(i * 1237 % 100000000), sha256,
					    sha512, NULL, &err) != TUFSIGN_OK)
			die("set_target", &err);
	}
	(void)key;
	if (tufsign_meta_sign(doc, &sk, 1, NULL, NULL, NULL, &err) != TUFSIGN_OK)
		die("sign", &err);
	return doc;
}

typedef struct timing {
	double parse, verify, canonical, file, jansson;
	size_t file_len, canonical_len, jansson_len;
} timing;

static void time_serializers(const tufsign_meta *doc, const char *file, size_t file_len, int runs,
			     timing *t)
{
	json_t *root, *signed_value;
	json_error_t jerr;
	char *out = NULL;
	size_t len = 0;
	double start;
	int i;

	t->canonical = t->file = t->jansson = 1e9;
	for (i = 0; i < runs; i++) {
		start = now_seconds();
		tufsign_meta_canonical(doc, &out, &len, NULL);
		if (now_seconds() - start < t->canonical)
			t->canonical = now_seconds() - start;
		t->canonical_len = len;
		free(out);
		start = now_seconds();
		tufsign_meta_file_bytes(doc, &out, &len, NULL);
		if (now_seconds() - start < t->file)
			t->file = now_seconds() - start;
		free(out);
	}
	root = json_loadb(file, file_len, 0, &jerr);
	signed_value = json_object_get(root, "signed");
	for (i = 0; i < runs && signed_value != NULL; i++) {
		start = now_seconds();
		out = json_dumps(signed_value, JSON_COMPACT | JSON_SORT_KEYS);
		if (now_seconds() - start < t->jansson)
			t->jansson = now_seconds() - start;
		t->jansson_len = out ? strlen(out) : 0;
		free(out);
	}
	json_decref(root);
}

/* Parse and verify file bytes, as a client does after a download. */
static void parse_and_verify(const char *file, size_t file_len, const tufsign_pubkey *key,
			     double *parse_s, double *verify_s)
{
	tufsign_role role = {0};
	char *ids[1] = {(char *)key->id};
	tufsign_meta *doc = NULL;
	char *msg = NULL;
	size_t msg_len = 0;
	tufsign_error err;
	double start;

	tufsign_error_clear(&err);
	start = now_seconds();
	if (tufsign_meta_parse("targets", (const unsigned char *)file, file_len, &doc, &err))
		die("parse", &err);
	*parse_s = now_seconds() - start;
	role.name = (char *)"targets";
	role.keyids = ids;
	role.keyid_count = 1;
	role.threshold = 1;
	start = now_seconds();
	if (tufsign_verify_message((const unsigned char *)file, file_len, &msg, &msg_len, &err) ||
	    tufsign_verify_threshold(doc, msg, msg_len, key, 1, &role, NULL, &err))
		die("verify", &err);
	*verify_s = now_seconds() - start;
	free(msg);
	tufsign_meta_free(doc);
}

/* Read the file from disk, parse and verify it, and return the peak heap
 * growth in bytes over the heap in use before the file was read. */
static size_t peak_bytes(const char *path, const tufsign_pubkey *key)
{
	unsigned char *data = NULL;
	size_t base = heap_now, len = 0;
	double a, b;
	FILE *f;

	heap_peak = heap_now;
	f = fopen(path, "rb");
	if (f == NULL || fseek(f, 0, SEEK_END) != 0)
		die("reading the temporary file", NULL);
	len = (size_t)ftell(f);
	fseek(f, 0, SEEK_SET);
	data = malloc(len);
	if (data == NULL || fread(data, 1, len, f) != len)
		die("reading the temporary file", NULL);
	fclose(f);
	parse_and_verify((const char *)data, len, key, &a, &b);
	free(data);
	return heap_peak - base;
}

/* Peak heap growth while the canonical bytes of doc are written. */
static size_t canonical_peak_bytes(const tufsign_meta *doc)
{
	size_t base = heap_now, len = 0;
	char *out = NULL;

	heap_peak = heap_now;
	tufsign_meta_canonical(doc, &out, &len, NULL);
	free(out);
	return heap_peak - base;
}

static void run(size_t count, tufsign_signer *signer, const tufsign_pubkey *key)
{
	char path[] = "/tmp/bench_meta.XXXXXX";
	tufsign_meta *doc = make_targets(count, signer, NULL);
	char *file = NULL;
	size_t file_len = 0;
	int runs = count >= 100000 ? 5 : 20, i, fd;
	timing t = {0};
	double p, v;
	size_t peak, canon_peak;

	tufsign_meta_file_bytes(doc, &file, &file_len, NULL);
	t.file_len = file_len;
	time_serializers(doc, file, file_len, runs, &t);
	t.parse = t.verify = 1e9;
	for (i = 0; i < runs; i++) {
		parse_and_verify(file, file_len, key, &p, &v);
		t.parse = p < t.parse ? p : t.parse;
		t.verify = v < t.verify ? v : t.verify;
	}
	fd = mkstemp(path);
	if (fd < 0 || write(fd, file, file_len) != (ssize_t)file_len)
		die("temporary file", NULL);
	close(fd);
	peak = peak_bytes(path, key);
	unlink(path);
	canon_peak = canonical_peak_bytes(doc);
	printf("%8zu %11zu %9.2f %9.2f %10.2f %9.2f %10.2f %8.2f %10zu %6.2f %7.2f\n", count,
	       file_len, t.parse * 1e3, t.verify * 1e3, t.canonical * 1e3, t.file * 1e3,
	       t.jansson * 1e3, t.jansson / t.canonical, peak / 1024,
	       (double)peak / (double)file_len, (double)canon_peak / (double)file_len);
	free(file);
	tufsign_meta_free(doc);
}

int main(int argc, char **argv)
{
	static const size_t defaults[] = {1000, 10000, 100000};
	unsigned char seed[32] = {42};
	unsigned char *spki = NULL;
	tufsign_signer signer = {0};
	tufsign_pubkey key;
	int spki_len, i;

	bench_key = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, seed, sizeof(seed));
	spki_len = i2d_PUBKEY(bench_key, &spki);
	signer.sign = bench_sign;
	signer.algo = TUFSIGN_ALGO_ED25519;
	signer.spki = spki;
	signer.spki_len = (size_t)spki_len;
	signer.label = "bench";
	if (tufsign_pubkey_from_signer(&key, &signer, NULL) != TUFSIGN_OK)
		die("key", NULL);
	printf("# times in ms, best of 20 runs (5 for 100000 targets); speedup = jansson dumps\n"
	       "# time / tufsign canonical time; peak = most heap in use while reading, parsing\n"
	       "# and verifying the file, also as a multiple of the file size (peak/f);\n"
	       "# canon/f = heap growth while writing the canonical bytes / file size\n");
	printf("%8s %11s %9s %9s %10s %9s %10s %8s %10s %6s %7s\n", "targets", "file_bytes",
	       "parse", "verify", "canonical", "file", "jansson", "speedup", "peak_KiB", "peak/f",
	       "canon/f");
	if (argc > 1)
		for (i = 1; i < argc; i++)
			run((size_t)strtoull(argv[i], NULL, 10), &signer, &key);
	else
		for (i = 0; i < 3; i++)
			run(defaults[i], &signer, &key);
	tufsign_pubkey_release(&key);
	OPENSSL_free(spki);
	EVP_PKEY_free(bench_key);
	return 0;
}
