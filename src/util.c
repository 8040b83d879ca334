/* Byte buffers, secret wiping, hex and base64, file reading. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>

#include "internal.h"
#include "tufsign/version.h"

const char *tufsign_version(void)
{
	return TUFSIGN_VERSION;
}

void tf_buf_init(tf_buf *b)
{
	memset(b, 0, sizeof(*b));
}

void tf_buf_release(tf_buf *b, int wipe)
{
	if (b->data != NULL && wipe)
		OPENSSL_cleanse(b->data, b->cap);
	free(b->data);
	tf_buf_init(b);
}

int tf_buf_reserve(tf_buf *b, size_t extra)
{
	size_t need, cap;
	unsigned char *p;

	if (b->failed)
		return -1;
	if (extra > SIZE_MAX - b->len - 1)
		goto fail;
	need = b->len + extra + 1;
	if (need <= b->cap)
		return 0;
	cap = b->cap ? b->cap : 64;
	while (cap < need)
		cap = cap > SIZE_MAX / 2 ? need : cap * 2;
	p = realloc(b->data, cap);
	if (p == NULL)
		goto fail;
	b->data = p;
	b->cap = cap;
	return 0;
fail:
	b->failed = 1;
	return -1;
}

int tf_buf_append(tf_buf *b, const void *data, size_t len)
{
	if (tf_buf_reserve(b, len) != 0)
		return -1;
	if (len > 0)
		memcpy(b->data + b->len, data, len);
	b->len += len;
	b->data[b->len] = '\0';
	return 0;
}

int tf_buf_append_str(tf_buf *b, const char *s)
{
	return tf_buf_append(b, s, strlen(s));
}

int tf_buf_append_byte(tf_buf *b, unsigned char c)
{
	return tf_buf_append(b, &c, 1);
}

int tf_buf_printf(tf_buf *b, const char *fmt, ...)
{
	va_list ap, ap2;
	int n;

	va_start(ap, fmt);
	va_copy(ap2, ap);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || tf_buf_reserve(b, (size_t)n) != 0) {
		va_end(ap2);
		b->failed = 1;
		return -1;
	}
	vsnprintf((char *)b->data + b->len, (size_t)n + 1, fmt, ap2);
	va_end(ap2);
	b->len += (size_t)n;
	return 0;
}

unsigned char *tf_buf_steal(tf_buf *b, size_t *len)
{
	unsigned char *p = b->data;

	if (b->failed) {
		tf_buf_release(b, 0);
		return NULL;
	}
	if (p == NULL) {
		p = calloc(1, 1);
		if (p == NULL)
			return NULL;
	}
	if (len != NULL)
		*len = b->len;
	tf_buf_init(b);
	return p;
}

void tf_wipe(void *p, size_t len)
{
	if (p != NULL && len > 0)
		OPENSSL_cleanse(p, len);
}

void tf_free_secret(char *s)
{
	if (s == NULL)
		return;
	OPENSSL_cleanse(s, strlen(s));
	free(s);
}

void tf_free_wiped(void *p, size_t len)
{
	if (p == NULL)
		return;
	OPENSSL_cleanse(p, len);
	free(p);
}

char *tf_strdup(const char *s)
{
	return s ? tf_strndup(s, strlen(s)) : NULL;
}

char *tf_strndup(const char *s, size_t n)
{
	char *p = malloc(n + 1);

	if (p == NULL)
		return NULL;
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *tf_asprintf(const char *fmt, ...)
{
	va_list ap, ap2;
	char *p;
	int n;

	va_start(ap, fmt);
	va_copy(ap2, ap);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	p = n < 0 ? NULL : malloc((size_t)n + 1);
	if (p != NULL)
		vsnprintf(p, (size_t)n + 1, fmt, ap2);
	va_end(ap2);
	return p;
}

void tf_hex_encode(const unsigned char *in, size_t len, char *out)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < len; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 0x0f];
	}
	out[2 * len] = '\0';
}

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int tf_hex_decode(const char *hex, unsigned char *out, size_t out_len)
{
	size_t i;

	if (strlen(hex) != 2 * out_len)
		return -1;
	for (i = 0; i < out_len; i++) {
		int hi = hex_value(hex[2 * i]);
		int lo = hex_value(hex[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return -1;
		out[i] = (unsigned char)(hi << 4 | lo);
	}
	return 0;
}

char *tf_base64_encode(const unsigned char *in, size_t len)
{
	size_t out_len = 4 * ((len + 2) / 3);
	char *out = malloc(out_len + 1);

	if (out == NULL)
		return NULL;
	/* EVP_EncodeBlock writes no line breaks, unlike the BIO filter. */
	EVP_EncodeBlock((unsigned char *)out, in, (int)len);
	out[out_len] = '\0';
	return out;
}

static int b64_value(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

/* RFC 4648 decoding with required padding, as Go's base64.StdEncoding reads
 * the byte fields of notary metadata. Like Go, non-zero trailing bits in the
 * last group are accepted. */
unsigned char *tf_base64_decode(const char *in, size_t in_len, size_t *out_len, int *bad)
{
	unsigned char *out;
	size_t i, o = 0, pad = 0;

	*bad = 0;
	*out_len = 0;
	if (in_len % 4 != 0) {
		*bad = 1;
		return NULL;
	}
	if (in_len >= 1 && in[in_len - 1] == '=')
		pad++;
	if (in_len >= 2 && in[in_len - 2] == '=')
		pad++;
	out = malloc(in_len / 4 * 3 + 1);
	if (out == NULL)
		return NULL;
	for (i = 0; i < in_len; i += 4) {
		int v[4], k;
		int last = (i + 4 == in_len);

		for (k = 0; k < 4; k++) {
			unsigned char c = (unsigned char)in[i + k];

			if (c == '=' && last && k >= 4 - (int)pad)
				v[k] = 0;
			else if ((v[k] = b64_value(c)) < 0)
				goto bad_input;
		}
		out[o++] = (unsigned char)(v[0] << 2 | v[1] >> 4);
		if (!(last && pad == 2))
			out[o++] = (unsigned char)((v[1] & 0x0f) << 4 | v[2] >> 2);
		if (!(last && pad >= 1))
			out[o++] = (unsigned char)((v[2] & 0x03) << 6 | v[3]);
	}
	*out_len = o;
	return out;
bad_input:
	/* The input may be credentials, so wipe what was decoded. */
	tf_free_wiped(out, o);
	*bad = 1;
	return NULL;
}

/* Append n bytes like tf_buf_append, but grow by copying and wiping instead
 * of realloc, so that no copy of a secret file stays in freed memory. */
static int append_wiped(tf_buf *b, const unsigned char *bytes, size_t n)
{
	size_t need = b->len + n + 1, cap = b->cap ? b->cap : 4096;
	unsigned char *grown;

	if (need <= b->cap)
		return tf_buf_append(b, bytes, n);
	while (cap < need && cap <= SIZE_MAX / 2)
		cap *= 2;
	grown = cap >= need ? malloc(cap) : NULL;
	if (grown == NULL) {
		b->failed = 1;
		return -1;
	}
	if (b->data != NULL) {
		memcpy(grown, b->data, b->len);
		OPENSSL_cleanse(b->data, b->cap);
		free(b->data);
	}
	b->data = grown;
	b->cap = cap;
	return tf_buf_append(b, bytes, n);
}

/* Files read here hold PINs, passphrases, private keys or credentials, so
 * every copy made while reading is wiped before it is freed. The caller
 * wipes the returned data, for example with tf_free_wiped. */
tufsign_status tf_read_file(const char *path, size_t max, unsigned char **data, size_t *len,
			    tufsign_error *err)
{
	tufsign_status st = TUFSIGN_OK;
	FILE *f = NULL;
	tf_buf b;
	unsigned char chunk[65536];
	size_t n;

	*data = NULL;
	*len = 0;
	tf_buf_init(&b);
	f = fopen(path, "rb");
	if (f == NULL) {
		st = tufsign_error_set(err, TUFSIGN_ERR_IO, "cannot open '%s': %s", path,
				       strerror(errno));
		goto out;
	}
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		if (b.len + n > max) {
			st = tufsign_error_set(err, TUFSIGN_ERR_TOO_LARGE,
					       "'%s' is larger than %zu bytes", path, max);
			goto out;
		}
		if (append_wiped(&b, chunk, n) != 0) {
			st = tufsign_error_set(err, TUFSIGN_ERR_NOMEM, "out of memory reading '%s'",
					       path);
			goto out;
		}
	}
	if (ferror(f)) {
		st = tufsign_error_set(err, TUFSIGN_ERR_IO, "cannot read '%s': %s", path,
				       strerror(errno));
		goto out;
	}
	*data = tf_buf_steal(&b, len);
	if (*data == NULL)
		st = tufsign_error_set(err, TUFSIGN_ERR_NOMEM, "out of memory reading '%s'", path);
out:
	OPENSSL_cleanse(chunk, sizeof(chunk));
	tf_buf_release(&b, 1);
	if (f != NULL)
		fclose(f);
	return st;
}

tufsign_status tf_openssl_error(tufsign_error *err, tufsign_status status, const char *fmt, ...)
{
	char what[256];
	char reasons[512] = "";
	size_t used = 0;
	unsigned long e;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	while ((e = ERR_get_error()) != 0) {
		char one[256];
		int n;

		ERR_error_string_n(e, one, sizeof(one));
		n = snprintf(reasons + used, sizeof(reasons) - used, "%s%s", used ? "; " : "", one);
		if (n < 0 || (size_t)n >= sizeof(reasons) - used)
			break;
		used += (size_t)n;
	}
	if (used == 0)
		return tufsign_error_set(err, status, "%s", what);
	return tufsign_error_set(err, status, "%s: %s", what, reasons);
}
