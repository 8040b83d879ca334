/* Byte-exact vectors: notary's worked targets example with an Ed25519 key,
 * the P-256 key ID example, and canonicalization of tricky JSON. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/sha.h>

#include "internal.h"
#include "soft_signer.h"
#include "tufsign/json.h"
#include "tufsign/metadata.h"
#include "tufsign/pubkey.h"

static const char example_canonical[] =
	"{\"_type\":\"Targets\",\"delegations\":{\"keys\":{},\"roles\":[]},\"expires\":"
	"\"2030-01-01T00:00:00Z\",\"targets\":{\"a<b&c/\xc3\xa9\":{\"hashes\":{\"sha256\":"
	"\"iTM7xx8CxkdTOrUuWSrSLGCXKPEuq/9v2gkgEJ20BAE=\"},\"length\":16},\"latest\":{"
	"\"hashes\":{\"sha256\":\"iTM7xx8CxkdTOrUuWSrSLGCXKPEuq/9v2gkgEJ20BAE=\"},\"length\":16"
	"}},\"version\":1}";

static const char example_file[] =
	"{\"signed\":{\"_type\":\"Targets\",\"delegations\":{\"keys\":{},\"roles\":[]},"
	"\"expires\":\"2030-01-01T00:00:00Z\",\"targets\":{\"a\\u003cb\\u0026c/\xc3\xa9\":{"
	"\"hashes\":{\"sha256\":\"iTM7xx8CxkdTOrUuWSrSLGCXKPEuq/9v2gkgEJ20BAE=\"},\"length\":16}"
	",\"latest\":{\"hashes\":{\"sha256\":\"iTM7xx8CxkdTOrUuWSrSLGCXKPEuq/9v2gkgEJ20BAE=\"},"
	"\"length\":16}},\"version\":1},\"signatures\":[{\"keyid\":"
	"\"85d97c754ed0999a37946f6df65e9488e32568c78fb6d5a32d4ab724e4b53db7\",\"method\":"
	"\"eddsa\",\"sig\":\"mGVY5Qn5WmeCZEi/knSFn7lWsAOQ4OcwyCwSQ+EmZgXKvrjKlf34Glq5X6pgipYwHh"
	"hkN+DmK8UaIVe4Vi4iAQ==\"}]}";

static tufsign_meta *example_doc(void)
{
	unsigned char digest[32];
	tufsign_meta *doc = NULL;
	tufsign_error err;

	tufsign_error_clear(&err);
	SHA256((const unsigned char *)"example manifest", 16, digest);
	assert_int_equal(tufsign_meta_new("targets", &doc, &err), TUFSIGN_OK);
	doc->expires = tufsign_time_from_unix(1893456000); /* 2030-01-01T00:00:00Z */
	assert_int_equal(tufsign_meta_set_target(doc, "latest", 16, digest, NULL, NULL, &err),
			 TUFSIGN_OK);
	assert_int_equal(
		tufsign_meta_set_target(doc, "a<b&c/\xc3\xa9", 16, digest, NULL, NULL, &err),
		TUFSIGN_OK);
	return doc;
}

static void worked_example_canonical(void **state)
{
	tufsign_meta *doc = example_doc();
	char *canon = NULL;
	size_t len = 0;

	(void)state;
	assert_int_equal(tufsign_meta_canonical(doc, &canon, &len, NULL), TUFSIGN_OK);
	assert_int_equal(len, 295);
	assert_string_equal(canon, example_canonical);
	free(canon);
	tufsign_meta_free(doc);
}

static void worked_example_signed_file(void **state)
{
	tufsign_meta *doc = example_doc();
	tufsign_signing_key sk;
	tufsign_digest digest;
	tufsign_pubkey key;
	soft_key k;
	char *file = NULL, hex[65];
	size_t len = 0;
	tufsign_error err;

	(void)state;
	tufsign_error_clear(&err);
	assert_int_equal(soft_key_ed25519(&k, "notary-wire-example-ed25519"), 0);
	assert_int_equal(tufsign_pubkey_from_signer(&key, &k.signer, &err), TUFSIGN_OK);
	assert_int_equal(key.type, TUFSIGN_KEYTYPE_ED25519);
	assert_string_equal(key.id,
			    "85d97c754ed0999a37946f6df65e9488e32568c78fb6d5a32d4ab724e4b53db7");
	sk.signer = &k.signer;
	sk.key = NULL;
	assert_int_equal(tufsign_meta_sign(doc, &sk, 1, &file, &len, &digest, &err), TUFSIGN_OK);
	assert_int_equal(len, 522);
	assert_string_equal(file, example_file);
	assert_int_equal(digest.length, 522);
	tf_hex_encode(digest.sha256, 32, hex);
	assert_string_equal(hex,
			    "e1d1bd3275cf4cb16caeb7732551f1a16dbb6731e6777d78539b57f6c8dcba8f");
	free(file);
	tufsign_pubkey_release(&key);
	tufsign_meta_free(doc);
	soft_key_release(&k);
}

static void worked_example_round_trip(void **state)
{
	tufsign_meta *doc = NULL;
	char *file = NULL;
	size_t len = 0;
	tufsign_error err;

	(void)state;
	tufsign_error_clear(&err);
	assert_int_equal(tufsign_meta_parse("targets", (const unsigned char *)example_file,
					    strlen(example_file), &doc, &err),
			 TUFSIGN_OK);
	assert_int_equal(doc->file_count, 2);
	assert_string_equal(doc->files[0].name, "a<b&c/\xc3\xa9");
	assert_int_equal(doc->signature_count, 1);
	assert_int_equal(tufsign_meta_file_bytes(doc, &file, &len, &err), TUFSIGN_OK);
	assert_string_equal(file, example_file);
	free(file);
	tufsign_meta_free(doc);
}

static void p256_key_id(void **state)
{
	static const char spki_hex[] =
		"3059301306072a8648ce3d020106082a8648ce3d0301070342000432cc36c4f5bbe85b6f7f647dde3"
		"185775bbca97129480577438ca6805a4fa2c9c426a474686617c92534dcb3dd6cb6523b92eea2be26"
		"d4edb1ceb4037e3d7384";
	char hex[2 * 91 + 1];
	tufsign_pubkey key;
	soft_key k;

	(void)state;
	assert_int_equal(soft_key_ec(&k, "notary-wire-example-p256", 0), 0);
	assert_int_equal(k.spki_len, 91);
	tf_hex_encode(k.spki, k.spki_len, hex);
	assert_string_equal(hex, spki_hex);
	assert_int_equal(tufsign_pubkey_from_signer(&key, &k.signer, NULL), TUFSIGN_OK);
	assert_int_equal(key.type, TUFSIGN_KEYTYPE_ECDSA);
	assert_string_equal(key.id,
			    "77e5c1e054e7d27966572f3d1e8605c119d51c95973effc2cf475669a48f8948");
	tufsign_pubkey_release(&key);
	soft_key_release(&k);
}

static void canon_expect(const char *in, size_t in_len, tufsign_canon_mode mode, const char *want,
			 size_t want_len)
{
	char *out = NULL;
	size_t len = 0;
	tufsign_error err;

	tufsign_error_clear(&err);
	assert_int_equal(tufsign_json_canonicalize(in, in_len, mode, &out, &len, &err), TUFSIGN_OK);
	assert_int_equal(len, want_len);
	assert_memory_equal(out, want, want_len);
	free(out);
}

static void canon_verifier_table(void **state)
{
	static const char in1[] =
		"{\"b\":1,\"a\":[1.0,-0,1e2,\"x\\u003cy\",\"\\ud800\",\"tab\\tend\"]}";
	static const char out1[] =
		"{\"a\":[1,0,100,\"x<y\",\"\xef\xbf\xbd\",\"tab\tend\"],\"b\":1}";

	(void)state;
	canon_expect(in1, strlen(in1), TUFSIGN_CANON_VERIFIER, out1, strlen(out1));
	canon_expect("{\"n\":9007199254740993}", 22, TUFSIGN_CANON_VERIFIER,
		     "{\"n\":9007199254740992}", 22);
	/* duplicate keys: the last one wins */
	canon_expect("{\"a\":1,\"a\":2}", 13, TUFSIGN_CANON_VERIFIER, "{\"a\":2}", 7);
	/* invalid UTF-8: one U+FFFD per bad byte */
	canon_expect("\"\xe2\x82x\"", 5, TUFSIGN_CANON_VERIFIER, "\"\xef\xbf\xbd\xef\xbf\xbdx\"",
		     9);
	/* a lone high surrogate keeps the escape that follows it */
	canon_expect("\"\\ud800\\u0041\"", 14, TUFSIGN_CANON_VERIFIER,
		     "\"\xef\xbf\xbd"
		     "A\"",
		     6);
	canon_expect("\"\\ud83d\\ude00\"", 14, TUFSIGN_CANON_VERIFIER, "\"\xf0\x9f\x98\x80\"", 6);
	canon_expect(" [ true , false , null , \"\\\"\\\\\\/\" ] ", 36, TUFSIGN_CANON_VERIFIER,
		     "[true,false,null,\"\\\"\\\\/\"]", 25);
	canon_expect("[1e-400,-5,123456789012345678901234]", 36, TUFSIGN_CANON_VERIFIER,
		     "[0,-5,-9223372036854775808]", 27);
}

static void canon_rejects(void **state)
{
	static const struct {
		const char *in;
		tufsign_canon_mode mode;
		tufsign_status status;
		const char *path;
		const char *message;
	} cases[] = {
		{"{\"a\":1.5}", TUFSIGN_CANON_VERIFIER, TUFSIGN_ERR_JSON, "a",
		 "number 1.5 is not an integer"},
		{"[1e400]", TUFSIGN_CANON_VERIFIER, TUFSIGN_ERR_JSON, "[0]",
		 "number 1e400 is out of the double range"},
		{"{\"a\":[1,{\"b\":1.0}]}", TUFSIGN_CANON_STRICT, TUFSIGN_ERR_METADATA, "a[1].b",
		 "number 1.0 is not a plain integer literal"},
		{"{\"a\":9007199254740992}", TUFSIGN_CANON_STRICT, TUFSIGN_ERR_METADATA, "a",
		 "not below 2^53"},
		{"{\"a\":1,\"a\":1}", TUFSIGN_CANON_STRICT, TUFSIGN_ERR_METADATA, "",
		 "duplicate key \"a\""},
		{"{\"a\":\"x\\ny\"}", TUFSIGN_CANON_STRICT, TUFSIGN_ERR_METADATA, "a",
		 "control character"},
		{"{\"a\":\"\\udc00\"}", TUFSIGN_CANON_STRICT, TUFSIGN_ERR_METADATA, "a",
		 "unpaired surrogate"},
		{"{\"a\":\"\xff\"}", TUFSIGN_CANON_STRICT, TUFSIGN_ERR_METADATA, "a",
		 "not valid UTF-8"},
		{"{\"a\":-0}", TUFSIGN_CANON_STRICT, TUFSIGN_ERR_METADATA, "a",
		 "not a plain integer literal"},
		{"{\"a\":\"x\ty\"}", TUFSIGN_CANON_VERIFIER, TUFSIGN_ERR_JSON, "a",
		 "control character in string"},
		{"[1,]", TUFSIGN_CANON_VERIFIER, TUFSIGN_ERR_JSON, "[1]", "expected a value"},
		{"{\"a\":1} x", TUFSIGN_CANON_VERIFIER, TUFSIGN_ERR_JSON, "",
		 "unexpected data after the value"},
		{"NaN", TUFSIGN_CANON_VERIFIER, TUFSIGN_ERR_JSON, "", "expected a value"},
		{"-", TUFSIGN_CANON_VERIFIER, TUFSIGN_ERR_JSON, "", "invalid number"},
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *out = NULL;
		size_t len = 0;
		tufsign_error err;

		tufsign_error_clear(&err);
		assert_int_equal(tufsign_json_canonicalize(cases[i].in, strlen(cases[i].in),
							   cases[i].mode, &out, &len, &err),
				 cases[i].status);
		assert_null(out);
		if (strcmp(err.path, cases[i].path) != 0)
			fail_msg("case %zu: path \"%s\", expected \"%s\"", i, err.path,
				 cases[i].path);
		if (strstr(err.message, cases[i].message) == NULL)
			fail_msg("case %zu: message \"%s\" lacks \"%s\"", i, err.message,
				 cases[i].message);
	}
}

static void escape_html_bytes(void **state)
{
	static const char in[] = "{\"a\":\"<>&\xe2\x80\xa8\xe2\x80\xa9\xe2\x82\xac\\\"\"}";
	static const char want[] =
		"{\"a\":\"\\u003c\\u003e\\u0026\\u2028\\u2029\xe2\x82\xac\\\"\"}";
	char *out = NULL;
	size_t len = 0;

	(void)state;
	assert_int_equal(tufsign_json_escape_html(in, strlen(in), &out, &len, NULL), TUFSIGN_OK);
	assert_string_equal(out, want);
	assert_int_equal(len, strlen(want));
	free(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(worked_example_canonical),
		cmocka_unit_test(worked_example_signed_file),
		cmocka_unit_test(worked_example_round_trip),
		cmocka_unit_test(p256_key_id),
		cmocka_unit_test(canon_verifier_table),
		cmocka_unit_test(canon_rejects),
		cmocka_unit_test(escape_html_bytes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
