/* Unit tests of the engine pieces that need no token: CK_RV names, URI
 * checks, public keys from PKCS#11 attributes, ECDSA padding and the file
 * engine with a generated key. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cmocka.h>
#include <openssl/ecdsa.h>
#include <openssl/pem.h>
#include <openssl/sha.h>

#include "engine_internal.h"
#include "pkcs11/p11.h"
#include "tufsign/pkcs11.h"

static void test_rv_names(void **state)
{
	(void)state;
	assert_string_equal(tf_p11_rv_name(CKR_PIN_INCORRECT), "CKR_PIN_INCORRECT");
	assert_string_equal(tf_p11_rv_name(CKR_DEVICE_REMOVED), "CKR_DEVICE_REMOVED");
	assert_string_equal(tf_p11_rv_name(0x80001234UL), "CKR_0x80001234");
	assert_string_equal(tf_p11_mech_name(CKM_EDDSA), "CKM_EDDSA");
}

static void test_login_status(void **state)
{
	(void)state;
	assert_int_equal(tf_p11_login_status(CKR_PIN_INCORRECT), TUFSIGN_ERR_PIN_INCORRECT);
	assert_int_equal(tf_p11_login_status(CKR_PIN_LOCKED), TUFSIGN_ERR_PIN_LOCKED);
	assert_int_equal(tf_p11_login_status(CKR_PIN_LEN_RANGE), TUFSIGN_ERR_PIN_INVALID);
	assert_int_equal(tf_p11_login_status(CKR_PIN_EXPIRED), TUFSIGN_ERR_PIN_EXPIRED);
	assert_int_equal(tf_p11_login_status(CKR_DEVICE_ERROR), TUFSIGN_ERR_TOKEN);
}

static void test_uri_rejects_pin_value(void **state)
{
	tufsign_error err;
	tf_p11_uri u;

	(void)state;
	tufsign_error_clear(&err);
	assert_int_equal(tf_p11_uri_parse("pkcs11:token=a;object=b?pin-value=1234", 1, &u, &err),
			 TUFSIGN_ERR_URI);
	assert_non_null(strstr(err.message, "pin-value"));
	assert_non_null(strstr(err.message, "TUFSIGN_PIN"));
	assert_null(strstr(err.message, "1234"));
}

static void test_uri_parts(void **state)
{
	tufsign_error err;
	tf_p11_uri u;

	(void)state;
	tufsign_error_clear(&err);
	assert_int_equal(tf_p11_uri_parse("pkcs11:token=a;slot-id=7;object=b?module-path=/m.so&"
					  "pin-source=file:/p",
					  1, &u, &err),
			 TUFSIGN_OK);
	assert_string_equal(u.module_path, "/m.so");
	assert_string_equal(u.pin_source, "file:/p");
	assert_int_equal(u.slot_id, 7);
	tf_p11_uri_release(&u);
	assert_int_equal(tf_p11_uri_parse("pkcs11:token=a;colour=red", 1, &u, &err),
			 TUFSIGN_ERR_URI);
	tufsign_error_clear(&err);
	assert_int_equal(tf_p11_uri_parse("pkcs11:token=a;type=cert", 1, &u, &err),
			 TUFSIGN_ERR_URI);
	tufsign_error_clear(&err);
	assert_int_equal(tf_p11_uri_parse("https://example.com", 1, &u, &err), TUFSIGN_ERR_URI);
}

/* Parse text, expecting TUFSIGN_ERR_URI with exactly message. */
static void expect_uri_error(const char *text, const char *message)
{
	tufsign_error err;
	tf_p11_uri u;

	tufsign_error_clear(&err);
	assert_int_equal(tf_p11_uri_parse(text, 1, &u, &err), TUFSIGN_ERR_URI);
	assert_string_equal(err.message, message);
}

static void test_uri_unknown_attribute_named(void **state)
{
	(void)state;
	expect_uri_error("pkcs11:token=try;object=targets;foo=bar",
			 "PKCS#11 URI 'pkcs11:token=try;object=targets;foo=bar' contains the "
			 "attribute 'foo', which tufsign does not recognize, so the URI matches "
			 "no token; the path attributes are token, object, id, type, serial, "
			 "model, manufacturer, slot-id, slot-description, slot-manufacturer, "
			 "library-description, library-manufacturer and library-version");
	expect_uri_error("pkcs11:token=try;type=foo",
			 "PKCS#11 URI 'pkcs11:token=try;type=foo' has type=foo; the object types "
			 "are cert, public, private, secret-key and data");
	expect_uri_error("pkcs11:serial=0123456789abcdef%41",
			 "PKCS#11 URI 'pkcs11:serial=0123456789abcdef%41' has a serial value of 17 "
			 "bytes, longer than the 16 bytes PKCS#11 allows, so it matches no token");
}

/* RFC 7512 query attributes in the path part are rejected, with the URI that
 * has them after '?'; p11-kit itself would take pin-source there. */
static void test_uri_query_attribute_in_path(void **state)
{
	(void)state;
	expect_uri_error("pkcs11:token=try;object=targets;module-path=/nonexist.so",
			 "PKCS#11 URI 'pkcs11:token=try;object=targets;module-path=/nonexist.so' "
			 "has the query attribute module-path in its path part; RFC 7512 puts "
			 "query attributes after '?', as in "
			 "'pkcs11:token=try;object=targets?module-path=/nonexist.so'");
	expect_uri_error("pkcs11:token=try;pin-source=file:/p;module-name=softhsm2?slot=1",
			 "PKCS#11 URI 'pkcs11:token=try;pin-source=file:/p;module-name=softhsm2?"
			 "slot=1' has the query attributes pin-source, module-name in its path "
			 "part; RFC 7512 puts query attributes after '?', as in "
			 "'pkcs11:token=try?slot=1&pin-source=file:/p&module-name=softhsm2'");
	expect_uri_error("pkcs11:pinfile=/p",
			 "PKCS#11 URI 'pkcs11:pinfile=/p' has the query attribute pinfile in its "
			 "path part; RFC 7512 puts query attributes after '?', as in "
			 "'pkcs11:?pinfile=/p'");
}

static EVP_PKEY *ec_key(const char *curve)
{
	return EVP_EC_gen(curve);
}

static void test_public_from_wrapped_point(void **state)
{
	static const unsigned char p256[] = {0x06, 0x08, 0x2a, 0x86, 0x48,
					     0xce, 0x3d, 0x03, 0x01, 0x07};
	EVP_PKEY *key = ec_key("P-256"), *bare = NULL, *wrapped = NULL;
	unsigned char point[65], der[67];
	size_t len = 0;
	tufsign_error err;

	(void)state;
	tufsign_error_clear(&err);
	assert_non_null(key);
	assert_int_equal(
		EVP_PKEY_get_octet_string_param(key, "encoded-pub-key", point, sizeof(point), &len),
		1);
	assert_int_equal(len, 65);
	der[0] = 0x04;
	der[1] = 65;
	memcpy(der + 2, point, 65);
	assert_int_equal(
		tf_p11_public_from_attrs(CKK_EC, p256, sizeof(p256), point, 65, &bare, &err),
		TUFSIGN_OK);
	assert_int_equal(
		tf_p11_public_from_attrs(CKK_EC, p256, sizeof(p256), der, 67, &wrapped, &err),
		TUFSIGN_OK);
	assert_int_equal(EVP_PKEY_eq(bare, key), 1);
	assert_int_equal(EVP_PKEY_eq(wrapped, key), 1);
	EVP_PKEY_free(key);
	EVP_PKEY_free(bare);
	EVP_PKEY_free(wrapped);
}

/* A DER signature whose r has leading zero bytes must still give 64 bytes
 * with r right-aligned in the first half. */
static void test_ecdsa_raw_padding(void **state)
{
	ECDSA_SIG *s = ECDSA_SIG_new();
	BIGNUM *r = BN_new(), *sv = BN_new();
	unsigned char *der = NULL, *raw = NULL;
	size_t raw_len = 0;
	int der_len;
	tufsign_error err;

	(void)state;
	tufsign_error_clear(&err);
	BN_set_word(r, 0x0102);
	BN_set_word(sv, 0x03);
	ECDSA_SIG_set0(s, r, sv);
	der_len = i2d_ECDSA_SIG(s, &der);
	assert_true(der_len > 0);
	assert_int_equal(tf_engine_ecdsa_der_to_raw(der, (size_t)der_len, 32, &raw, &raw_len, &err),
			 TUFSIGN_OK);
	assert_int_equal(raw_len, 64);
	assert_int_equal(raw[0], 0);
	assert_int_equal(raw[30], 0x01);
	assert_int_equal(raw[31], 0x02);
	assert_int_equal(raw[62], 0x00);
	assert_int_equal(raw[63], 0x03);
	free(raw);
	OPENSSL_free(der);
	ECDSA_SIG_free(s);
}

static void test_key_type_names(void **state)
{
	tufsign_pkcs11_key_type t;

	(void)state;
	assert_int_equal(tufsign_pkcs11_key_type_parse("rsa-3072", &t), 0);
	assert_int_equal(t, TUFSIGN_PKCS11_RSA_3072);
	assert_int_equal(tufsign_pkcs11_key_type_parse("ed25519", &t), 0);
	assert_int_equal(t, TUFSIGN_PKCS11_ED25519);
	assert_int_equal(tufsign_pkcs11_key_type_parse("rsa-1024", &t), -1);
	assert_int_equal(tufsign_pkcs11_key_type_parse(NULL, &t), -1);
}

static void test_verify_rejects_flipped_bit(void **state)
{
	EVP_PKEY *key = ec_key("P-384");
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	const unsigned char msg[] = "canonical bytes";
	unsigned char der[128], *raw = NULL;
	size_t der_len = sizeof(der), raw_len = 0;
	tufsign_error err;

	(void)state;
	tufsign_error_clear(&err);
	assert_int_equal(EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, key), 1);
	assert_int_equal(EVP_DigestSign(md, der, &der_len, msg, sizeof(msg)), 1);
	assert_int_equal(tf_engine_ecdsa_der_to_raw(der, der_len, 48, &raw, &raw_len, &err),
			 TUFSIGN_OK);
	assert_int_equal(raw_len, 96);
	assert_int_equal(tf_engine_verify(key, TUFSIGN_SIG_ECDSA_SHA256, msg, sizeof(msg), raw,
					  raw_len, &err),
			 TUFSIGN_OK);
	raw[50] ^= 1;
	assert_int_equal(tf_engine_verify(key, TUFSIGN_SIG_ECDSA_SHA256, msg, sizeof(msg), raw,
					  raw_len, &err),
			 TUFSIGN_ERR_SIGNATURE);
	free(raw);
	EVP_MD_CTX_free(md);
	EVP_PKEY_free(key);
}

/* The digest form of the check accepts the signature over the same digest
 * only: a flipped bit in the signature or in the digest is rejected. */
static void test_verify_digest_rejects_flipped_bit(void **state)
{
	EVP_PKEY *key = ec_key("P-256");
	EVP_PKEY_CTX *sign = EVP_PKEY_CTX_new_from_pkey(NULL, key, NULL);
	EVP_PKEY_CTX *verify = EVP_PKEY_CTX_new_from_pkey(NULL, key, NULL);
	unsigned char digest[32], der[128], *raw = NULL;
	size_t der_len = sizeof(der), raw_len = 0;
	tufsign_error err;

	(void)state;
	tufsign_error_clear(&err);
	SHA256((const unsigned char *)"canonical bytes", 15, digest);
	assert_int_equal(EVP_PKEY_sign_init(sign), 1);
	assert_int_equal(EVP_PKEY_sign(sign, der, &der_len, digest, sizeof(digest)), 1);
	assert_int_equal(tf_engine_ecdsa_der_to_raw(der, der_len, 32, &raw, &raw_len, &err),
			 TUFSIGN_OK);
	assert_int_equal(EVP_PKEY_verify_init(verify), 1);
	assert_int_equal(
		tf_engine_verify_ecdsa_digest(verify, digest, sizeof(digest), raw, raw_len, &err),
		TUFSIGN_OK);
	digest[0] ^= 1;
	assert_int_equal(
		tf_engine_verify_ecdsa_digest(verify, digest, sizeof(digest), raw, raw_len, &err),
		TUFSIGN_ERR_SIGNATURE);
	digest[0] ^= 1;
	raw[50] ^= 1;
	assert_int_equal(
		tf_engine_verify_ecdsa_digest(verify, digest, sizeof(digest), raw, raw_len, &err),
		TUFSIGN_ERR_SIGNATURE);
	raw[50] ^= 1;
	/* The context stays usable after a rejection. */
	assert_int_equal(
		tf_engine_verify_ecdsa_digest(verify, digest, sizeof(digest), raw, raw_len, &err),
		TUFSIGN_OK);
	free(raw);
	EVP_PKEY_CTX_free(verify);
	EVP_PKEY_CTX_free(sign);
	EVP_PKEY_free(key);
}

/* Loading a private key file turns core dumps off, as reading a PIN does. */
static void test_file_key_open_disables_core_dumps(void **state)
{
	char path[] = "/tmp/tufsign-file-key.XXXXXX";
	EVP_PKEY *pkey = ec_key("P-256");
	struct rlimit limit;
	tufsign_key *key = NULL;
	tufsign_error err;
	int fd = mkstemp(path);
	FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;

	(void)state;
	assert_non_null(f);
	assert_int_equal(PEM_write_PrivateKey(f, pkey, NULL, NULL, 0, NULL, NULL), 1);
	fclose(f);
	assert_int_equal(getrlimit(RLIMIT_CORE, &limit), 0);
	limit.rlim_cur = limit.rlim_max < 4096 ? limit.rlim_max : 4096;
	assert_int_equal(setrlimit(RLIMIT_CORE, &limit), 0);

	tufsign_error_clear(&err);
	assert_int_equal(tufsign_key_open(path, NULL, &key, &err), TUFSIGN_OK);
	assert_int_equal(getrlimit(RLIMIT_CORE, &limit), 0);
	assert_int_equal(limit.rlim_cur, 0);
	tufsign_key_free(key);
	unlink(path);
	EVP_PKEY_free(pkey);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rv_names),
		cmocka_unit_test(test_login_status),
		cmocka_unit_test(test_uri_rejects_pin_value),
		cmocka_unit_test(test_uri_parts),
		cmocka_unit_test(test_uri_unknown_attribute_named),
		cmocka_unit_test(test_uri_query_attribute_in_path),
		cmocka_unit_test(test_public_from_wrapped_point),
		cmocka_unit_test(test_ecdsa_raw_padding),
		cmocka_unit_test(test_key_type_names),
		cmocka_unit_test(test_verify_rejects_flipped_bit),
		cmocka_unit_test(test_verify_digest_rejects_flipped_bit),
		cmocka_unit_test(test_file_key_open_disables_core_dumps),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
