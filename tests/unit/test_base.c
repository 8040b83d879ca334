/* Unit tests of the error object, buffers, hex and base64 helpers and file
 * reading. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "internal.h"

static void test_error_first_wins(void **state)
{
	tufsign_error err;

	(void)state;
	tufsign_error_clear(&err);
	assert_int_equal(tufsign_error_set(&err, TUFSIGN_ERR_PIN_LOCKED, "login to '%s'", "ci"),
			 TUFSIGN_ERR_PIN_LOCKED);
	assert_int_equal(tufsign_error_set(&err, TUFSIGN_ERR_IO, "later"), TUFSIGN_ERR_IO);
	assert_int_equal(err.status, TUFSIGN_ERR_PIN_LOCKED);
	assert_string_equal(err.message, "login to 'ci'");
}

static void test_error_locate_and_prefix(void **state)
{
	tufsign_error err;

	(void)state;
	tufsign_error_clear(&err);
	tufsign_error_set(&err, TUFSIGN_ERR_METADATA, "bad length");
	tufsign_error_locate(&err, "targets", "signed.targets.latest.length");
	tufsign_error_locate(&err, "root", "ignored");
	tufsign_error_prefix(&err, "cannot publish '%s': ", "targets");
	assert_string_equal(err.role, "targets");
	assert_string_equal(err.path, "signed.targets.latest.length");
	assert_string_equal(err.message, "cannot publish 'targets': bad length");
}

static void test_status_names_complete(void **state)
{
	int s;

	(void)state;
	for (s = 0; s <= TUFSIGN_STATUS_MAX; s++) {
		assert_non_null(tufsign_strerror((tufsign_status)s));
		assert_string_not_equal(tufsign_status_name((tufsign_status)s),
					"TUFSIGN_ERR_UNKNOWN");
	}
	assert_string_equal(tufsign_status_name(TUFSIGN_ERR_CONFLICT), "TUFSIGN_ERR_CONFLICT");
	assert_string_equal(tufsign_strerror((tufsign_status)999), "unknown status");
}

static void test_buf_printf_grows(void **state)
{
	tf_buf b;
	size_t len = 0;
	unsigned char *p;
	int i;

	(void)state;
	tf_buf_init(&b);
	for (i = 0; i < 1000; i++)
		assert_int_equal(tf_buf_printf(&b, "%04d,", i), 0);
	assert_int_equal(b.len, 5000);
	assert_memory_equal(b.data + 4995, "0999,", 5);
	p = tf_buf_steal(&b, &len);
	assert_int_equal(len, 5000);
	assert_null(b.data);
	free(p);
}

static void test_hex_round_trip(void **state)
{
	const unsigned char in[] = {0x00, 0x7f, 0x80, 0xff};
	unsigned char out[4];
	char hex[9];

	(void)state;
	tf_hex_encode(in, sizeof(in), hex);
	assert_string_equal(hex, "007f80ff");
	assert_int_equal(tf_hex_decode("007F80ff", out, sizeof(out)), 0);
	assert_memory_equal(out, in, sizeof(in));
	assert_int_equal(tf_hex_decode("007f80f", out, sizeof(out)), -1);
	assert_int_equal(tf_hex_decode("007f80fg", out, sizeof(out)), -1);
}

static void test_base64_vectors(void **state)
{
	static const struct {
		const char *plain;
		const char *encoded;
	} cases[] = {
		{"", ""}, {"f", "Zg=="}, {"fo", "Zm8="}, {"foo", "Zm9v"}, {"foobar", "Zm9vYmFy"},
	};
	size_t i;

	(void)state;
	for (i = 0; i < TF_ARRAY_LEN(cases); i++) {
		char *enc = tf_base64_encode((const unsigned char *)cases[i].plain,
					     strlen(cases[i].plain));
		unsigned char *dec;
		size_t n;
		int bad;

		assert_string_equal(enc, cases[i].encoded);
		dec = tf_base64_decode(enc, strlen(enc), &n, &bad);
		assert_non_null(dec);
		assert_int_equal(n, strlen(cases[i].plain));
		assert_memory_equal(dec, cases[i].plain, n);
		free(enc);
		free(dec);
	}
}

static void test_base64_rejects_bad_input(void **state)
{
	static const char *bad_inputs[] = {"Zg", "Zg=", "Z===", "Zm9v\n", "Zm-v", "=Zm9"};
	size_t i, n;
	int bad;

	(void)state;
	for (i = 0; i < TF_ARRAY_LEN(bad_inputs); i++) {
		assert_null(tf_base64_decode(bad_inputs[i], strlen(bad_inputs[i]), &n, &bad));
		assert_int_equal(bad, 1);
	}
}

/* A file that needs several chunks and buffer growths reads back intact,
 * and the same file over the cap is rejected with no data. */
static void test_read_file_grows_and_caps(void **state)
{
	char path[] = "/tmp/tufsign-read-file.XXXXXX";
	size_t size = 200000, i, len = 1;
	unsigned char *expected = malloc(size), *data = NULL;
	tufsign_error err;
	int fd = mkstemp(path);

	(void)state;
	assert_non_null(expected);
	assert_true(fd >= 0);
	for (i = 0; i < size; i++)
		expected[i] = (unsigned char)(i * 7 + i / 251);
	assert_int_equal(write(fd, expected, size), (ssize_t)size);
	close(fd);

	tufsign_error_clear(&err);
	assert_int_equal(tf_read_file(path, 300000, &data, &len, &err), TUFSIGN_OK);
	assert_int_equal(len, size);
	assert_memory_equal(data, expected, size);
	assert_int_equal(data[len], 0);
	free(data);

	assert_int_equal(tf_read_file(path, 100000, &data, &len, &err), TUFSIGN_ERR_TOO_LARGE);
	assert_null(data);
	assert_int_equal(len, 0);
	assert_non_null(strstr(err.message, "is larger than 100000 bytes"));
	unlink(path);
	free(expected);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_error_first_wins),
		cmocka_unit_test(test_error_locate_and_prefix),
		cmocka_unit_test(test_status_names_complete),
		cmocka_unit_test(test_buf_printf_grows),
		cmocka_unit_test(test_hex_round_trip),
		cmocka_unit_test(test_base64_vectors),
		cmocka_unit_test(test_base64_rejects_bad_input),
		cmocka_unit_test(test_read_file_grows_and_caps),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
