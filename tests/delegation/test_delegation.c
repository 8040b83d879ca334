/* Unit tests of the delegation inputs: signer names as docker accepts them
 * and signer keys read from PEM certificates and public keys. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "tufsign/repo.h"

/* A P-256 public key and the key ID of its plain "ecdsa" key. */
static const char example_pem[] =
	"-----BEGIN PUBLIC KEY-----\n"
	"MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEMsw2xPW76Ftvf2R93jGFd1u8qXEp\n"
	"SAV3Q4ymgFpPosnEJqR0aGYXySU03LPdbLZSO5Luor4m1O2xzrQDfj1zhA==\n"
	"-----END PUBLIC KEY-----\n";
static const char example_id[] = "77e5c1e054e7d27966572f3d1e8605c119d51c95973effc2cf475669a48f8948";

static tufsign_status check_name(const char *name)
{
	tufsign_error err;

	tufsign_error_clear(&err);
	return tufsign_repo_check_signer_name(name, &err);
}

static void test_signer_names(void **state)
{
	char longest[248];

	(void)state;
	assert_int_equal(check_name("alice"), TUFSIGN_OK);
	assert_int_equal(check_name("0ci_bot-2"), TUFSIGN_OK);
	assert_int_equal(check_name(""), TUFSIGN_ERR_INVALID_ARGUMENT);
	assert_int_equal(check_name("releases"), TUFSIGN_ERR_INVALID_ARGUMENT);
	assert_int_equal(check_name("Alice"), TUFSIGN_ERR_INVALID_ARGUMENT);
	assert_int_equal(check_name("_alice"), TUFSIGN_ERR_INVALID_ARGUMENT);
	assert_int_equal(check_name("-alice"), TUFSIGN_ERR_INVALID_ARGUMENT);
	assert_int_equal(check_name("al/ice"), TUFSIGN_ERR_INVALID_ARGUMENT);
	assert_int_equal(check_name("al.ice"), TUFSIGN_ERR_INVALID_ARGUMENT);
	/* "targets/" and 247 bytes make the longest role name notary takes. */
	memset(longest, 'a', sizeof(longest) - 1);
	longest[sizeof(longest) - 1] = '\0';
	assert_int_equal(check_name(longest), TUFSIGN_OK);
}

static void test_name_too_long(void **state)
{
	char name[249];

	(void)state;
	memset(name, 'a', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	assert_int_equal(check_name(name), TUFSIGN_ERR_INVALID_ARGUMENT);
}

static void test_reserved_message(void **state)
{
	tufsign_error err;

	(void)state;
	tufsign_error_clear(&err);
	tufsign_repo_check_signer_name("releases", &err);
	assert_non_null(strstr(err.message, "invalid signer name 'releases'"));
}

static void test_public_key_pem(void **state)
{
	tufsign_pubkey key;
	tufsign_error err;

	(void)state;
	tufsign_error_clear(&err);
	assert_int_equal(
		tufsign_repo_signer_key_from_pem(example_pem, strlen(example_pem), &key, &err),
		TUFSIGN_OK);
	assert_int_equal(key.type, TUFSIGN_KEYTYPE_ECDSA);
	assert_string_equal(key.id, example_id);
	tufsign_pubkey_release(&key);
}

/* Make a self-signed P-256 certificate in PEM, which the caller frees. */
static char *make_cert_pem(void)
{
	EVP_PKEY *pkey = EVP_EC_gen("P-256");
	X509 *cert = X509_new();
	BIO *bio = BIO_new(BIO_s_mem());
	char *data = NULL, *pem;
	long len;

	assert_non_null(pkey);
	X509_set_version(cert, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(cert), 1);
	X509_gmtime_adj(X509_getm_notBefore(cert), 0);
	X509_gmtime_adj(X509_getm_notAfter(cert), 86400);
	X509_set_pubkey(cert, pkey);
	X509_NAME_add_entry_by_txt(X509_get_subject_name(cert), "CN", MBSTRING_ASC,
				   (const unsigned char *)"alice", -1, -1, 0);
	X509_set_issuer_name(cert, X509_get_subject_name(cert));
	assert_true(X509_sign(cert, pkey, EVP_sha256()) > 0);
	assert_int_equal(PEM_write_bio_X509(bio, cert), 1);
	len = BIO_get_mem_data(bio, &data);
	pem = strndup(data, (size_t)len);
	BIO_free(bio);
	X509_free(cert);
	EVP_PKEY_free(pkey);
	return pem;
}

static void test_certificate_pem(void **state)
{
	char *pem = make_cert_pem();
	tufsign_pubkey key;
	char canonical[TUFSIGN_KEYID_SIZE];
	tufsign_error err;

	(void)state;
	tufsign_error_clear(&err);
	assert_int_equal(tufsign_repo_signer_key_from_pem(pem, strlen(pem), &key, &err),
			 TUFSIGN_OK);
	assert_int_equal(key.type, TUFSIGN_KEYTYPE_ECDSA_X509);
	assert_int_equal(tufsign_pubkey_canonical_id(&key, canonical, &err), TUFSIGN_OK);
	assert_string_not_equal(canonical, key.id);
	tufsign_pubkey_release(&key);
	free(pem);
}

static void test_not_a_key(void **state)
{
	static const char text[] = "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n";
	static const char broken[] = "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n";
	tufsign_pubkey key;
	tufsign_error err;

	(void)state;
	tufsign_error_clear(&err);
	assert_int_equal(tufsign_repo_signer_key_from_pem(text, strlen(text), &key, &err),
			 TUFSIGN_ERR_INVALID_ARGUMENT);
	assert_string_equal(err.message,
			    "no CERTIFICATE or PUBLIC KEY block in the signer key PEM");
	tufsign_error_clear(&err);
	assert_int_equal(tufsign_repo_signer_key_from_pem(broken, strlen(broken), &key, &err),
			 TUFSIGN_ERR_INVALID_ARGUMENT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_signer_names),     cmocka_unit_test(test_name_too_long),
		cmocka_unit_test(test_reserved_message), cmocka_unit_test(test_public_key_pem),
		cmocka_unit_test(test_certificate_pem),  cmocka_unit_test(test_not_a_key),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
