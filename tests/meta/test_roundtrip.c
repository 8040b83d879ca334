/* Round trips over generated documents: strings with HTML characters,
 * non-ASCII, U+2028, quotes and backslashes, and nested unsorted custom
 * data. For each document the file bytes must parse back to the same bytes,
 * the verifier's re-canonicalization of "signed" must equal the canonical
 * bytes, and the file's "signed" must be those bytes with the file escaping. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "internal.h"
#include "meta/json_scan.h"
#include "tufsign/json.h"
#include "tufsign/metadata.h"
#include "tufsign/verify.h"

static const char *const fragments[] = {
	"<",
	">",
	"&",
	"\xc3\xa9",
	"\xe4\xb8\xad",
	"\xe2\x80\xa8",
	"\xe2\x80\xa9",
	"\"",
	"\\",
	"/",
	"a",
	"Z",
	"0",
	" ",
	"\x7f",
	"\xf0\x9f\x98\x80",
	"latest",
	"v1.2.3",
};

static unsigned next_rand(unsigned *state)
{
	*state = *state * 1103515245u + 12345u;
	return (*state >> 16) & 0x7fff;
}

static void random_string(unsigned *rng, tf_buf *out)
{
	unsigned n = 1 + next_rand(rng) % 6, i;

	for (i = 0; i < n; i++)
		tf_buf_append_str(out, fragments[next_rand(rng) % TF_ARRAY_LEN(fragments)]);
}

/* Unsorted, nested custom JSON text with escapes the canonicalizer removes. */
static void random_custom(unsigned *rng, tf_buf *out, int depth)
{
	unsigned kind = depth > 2 ? next_rand(rng) % 3 : next_rand(rng) % 5, n, i;

	if (depth == 0)
		kind = 4; /* notary drops a top-level null, so start with an object */
	tf_buf s;

	switch (kind) {
	case 0:
		tf_buf_printf(out, "%d", (int)(next_rand(rng) % 20000) - 10000);
		break;
	case 1:
		tf_buf_init(&s);
		random_string(rng, &s);
		tf_json_put_string(out, (const char *)s.data, s.len, next_rand(rng) % 2);
		tf_buf_release(&s, 0);
		break;
	case 2:
		tf_buf_append_str(out, next_rand(rng) % 2 ? " true" : "null ");
		break;
	case 3:
		n = next_rand(rng) % 4;
		tf_buf_append_str(out, "[ ");
		for (i = 0; i < n; i++) {
			if (i > 0)
				tf_buf_append_str(out, " ,");
			random_custom(rng, out, depth + 1);
		}
		tf_buf_append_str(out, "]");
		break;
	default:
		n = next_rand(rng) % 4;
		tf_buf_append_str(out, "{");
		for (i = 0; i < n; i++) {
			if (i > 0)
				tf_buf_append_str(out, ",\n");
			/* distinct keys written in descending order */
			tf_buf_printf(out, "\"k%u\\u00e9\" : ", 9 - i);
			random_custom(rng, out, depth + 1);
		}
		tf_buf_append_str(out, "}");
		break;
	}
}

static tufsign_meta *random_targets(unsigned seed)
{
	unsigned rng = seed, n = 1 + next_rand(&rng) % 30, i;
	unsigned char sha256[32], sha512[64];
	tufsign_meta *doc = NULL;
	tf_buf name, custom;

	assert_int_equal(tufsign_meta_new("targets/releases", &doc, NULL), TUFSIGN_OK);
	doc->version = 1 + next_rand(&rng);
	doc->expires.seconds = 1700000000 + next_rand(&rng) * 1000;
	doc->expires.nanos = (int32_t)(next_rand(&rng) % 3 == 0 ? next_rand(&rng) * 1000 : 0);
	doc->expires.offset_minutes = (int32_t)(next_rand(&rng) % 3) * 330 - 330;
	for (i = 0; i < n; i++) {
		tf_buf_init(&name);
		tf_buf_init(&custom);
		random_string(&rng, &name);
		memset(sha256, (int)i, sizeof(sha256));
		memset(sha512, (int)(i + 7), sizeof(sha512));
		if (next_rand(&rng) % 2)
			random_custom(&rng, &custom, 0);
		assert_int_equal(tufsign_meta_set_target(
					 doc, (const char *)name.data, next_rand(&rng) * 977,
					 sha256, next_rand(&rng) % 2 ? sha512 : NULL,
					 custom.len ? (const char *)custom.data : NULL, NULL),
				 TUFSIGN_OK);
		tf_buf_release(&name, 0);
		tf_buf_release(&custom, 0);
	}
	return doc;
}

static void check_document(tufsign_meta *doc)
{
	char *canon = NULL, *file = NULL, *again = NULL, *msg = NULL, *escaped = NULL;
	size_t canon_len = 0, file_len = 0, again_len = 0, msg_len = 0, escaped_len = 0;
	tufsign_meta *parsed = NULL;
	tufsign_error err;
	unsigned char sig[64] = {0};

	tufsign_error_clear(&err);
	assert_int_equal(tufsign_meta_add_signature(doc,
						    "00000000000000000000000000000000000000"
						    "000000000000000000000000ab",
						    "eddsa", sig, sizeof(sig), NULL),
			 TUFSIGN_OK);
	assert_int_equal(tufsign_meta_canonical(doc, &canon, &canon_len, &err), TUFSIGN_OK);
	assert_int_equal(tufsign_meta_file_bytes(doc, &file, &file_len, &err), TUFSIGN_OK);
	if (tufsign_meta_parse(doc->role, (unsigned char *)file, file_len, &parsed, &err) !=
	    TUFSIGN_OK)
		fail_msg("%s at %s: %s\n%s", tufsign_status_name(err.status), err.path, err.message,
			 file);
	assert_int_equal(tufsign_meta_file_bytes(parsed, &again, &again_len, &err), TUFSIGN_OK);
	assert_int_equal(again_len, file_len);
	assert_memory_equal(again, file, file_len);
	assert_int_equal(
		tufsign_verify_message((unsigned char *)file, file_len, &msg, &msg_len, &err),
		TUFSIGN_OK);
	assert_int_equal(msg_len, canon_len);
	assert_memory_equal(msg, canon, canon_len);
	assert_int_equal(tufsign_json_escape_html(canon, canon_len, &escaped, &escaped_len, &err),
			 TUFSIGN_OK);
	assert_memory_equal(file, "{\"signed\":", 10);
	assert_memory_equal(file + 10, escaped, escaped_len);
	assert_null(memchr(file, '<', file_len));
	assert_null(strstr(file, "\xe2\x80\xa8"));
	free(canon);
	free(file);
	free(again);
	free(msg);
	free(escaped);
	tufsign_meta_free(parsed);
}

static void generated_targets(void **state)
{
	unsigned seed;

	(void)state;
	for (seed = 1; seed <= 200; seed++) {
		tufsign_meta *doc = random_targets(seed);

		check_document(doc);
		tufsign_meta_free(doc);
	}
}

static void edit_targets(void **state)
{
	unsigned char sha[32] = {9};
	tufsign_meta *doc = random_targets(7);
	size_t before = doc->file_count;
	tufsign_error err;

	(void)state;
	tufsign_error_clear(&err);
	assert_int_equal(
		tufsign_meta_set_target(doc, "zz", 1, sha, NULL, "{\"b\":1,\"a\":[]}", NULL),
		TUFSIGN_OK);
	assert_int_equal(doc->file_count, before + 1);
	assert_string_equal(tufsign_meta_find_file(doc, "zz")->custom, "{\"a\":[],\"b\":1}");
	assert_int_equal(tufsign_meta_set_target(doc, "zz", 2, sha, NULL, NULL, NULL), TUFSIGN_OK);
	assert_int_equal(doc->file_count, before + 1);
	assert_int_equal(tufsign_meta_find_file(doc, "zz")->length, 2);
	assert_null(tufsign_meta_find_file(doc, "zz")->custom);
	assert_int_equal(tufsign_meta_remove_target(doc, "zz", NULL), TUFSIGN_OK);
	assert_int_equal(tufsign_meta_remove_target(doc, "zz", &err), TUFSIGN_ERR_TAG_NOT_FOUND);
	assert_string_equal(err.message, "target 'zz' is not in 'targets/releases'");
	tufsign_error_clear(&err);
	assert_int_equal(tufsign_meta_set_target(doc, "x", 1, sha, NULL, "{\"a\":1.5}", &err),
			 TUFSIGN_ERR_METADATA);
	assert_string_equal(err.path, "a");
	tufsign_error_clear(&err);
	assert_int_equal(tufsign_meta_set_target(doc, "bad\nname", 1, sha, NULL, NULL, &err),
			 TUFSIGN_ERR_INVALID_ARGUMENT);
	assert_int_equal(tufsign_meta_set_target(doc, "x", -1, sha, NULL, NULL, NULL),
			 TUFSIGN_ERR_INVALID_ARGUMENT);
	assert_int_equal(tufsign_meta_set_target(doc, "x", 1, sha, NULL, " null", NULL),
			 TUFSIGN_ERR_INVALID_ARGUMENT);
	check_document(doc);
	tufsign_meta_free(doc);
}

static void edit_delegations(void **state)
{
	const char *id = "00000000000000000000000000000000000000000000000000000000000000ab";
	const char *paths[2] = {"", "a<b"};
	const char *kid;
	unsigned char raw[32];
	tufsign_pubkey key;
	tufsign_meta *doc = NULL;
	tufsign_error err;

	(void)state;
	tufsign_error_clear(&err);
	memset(raw, 5, sizeof(raw));
	assert_int_equal(tufsign_pubkey_init(&key, TUFSIGN_KEYTYPE_ED25519, raw, 32, NULL),
			 TUFSIGN_OK);
	assert_int_equal(tufsign_meta_new("targets", &doc, NULL), TUFSIGN_OK);
	doc->expires = tufsign_time_from_unix(1893456000);
	assert_int_equal(tufsign_meta_add_key(doc, &key, NULL), TUFSIGN_OK);
	kid = key.id;
	assert_int_equal(tufsign_meta_set_role(doc, "targets/b", &kid, 1, 1, paths, 2, NULL),
			 TUFSIGN_OK);
	assert_int_equal(tufsign_meta_set_role(doc, "targets/a", &kid, 1, 1, NULL, 0, NULL),
			 TUFSIGN_OK);
	/* order of delegations is kept as added */
	assert_string_equal(doc->roles[0].name, "targets/b");
	assert_int_equal(tufsign_meta_set_role(doc, "targets/B", &id, 1, 1, NULL, 0, &err),
			 TUFSIGN_ERR_METADATA);
	tufsign_error_clear(&err);
	assert_int_equal(tufsign_meta_set_role(doc, "targets/c", &id, 1, 1, NULL, 0, NULL),
			 TUFSIGN_OK);
	assert_int_equal(tufsign_meta_validate(doc, &err), TUFSIGN_ERR_METADATA);
	assert_non_null(strstr(err.message, "which is not in keys"));
	assert_int_equal(tufsign_meta_remove_role(doc, "targets/c", NULL), TUFSIGN_OK);
	check_document(doc);
	tufsign_pubkey_release(&key);
	tufsign_meta_free(doc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(generated_targets),
		cmocka_unit_test(edit_targets),
		cmocka_unit_test(edit_delegations),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
