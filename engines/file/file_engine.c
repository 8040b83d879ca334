/* The file engine: PEM private keys in software, for tests, migration from
 * the notary client's key store and roles that need no token. Encrypted keys
 * are PKCS#8 (the notary client writes them with "role:" and "gun:" PEM
 * headers); the passphrase comes from --passphrase-file or the
 * TUFSIGN_PASSPHRASE variable. */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "engine_internal.h"

#define KEY_FILE_MAX   (1024 * 1024)
#define PASSPHRASE_MAX 1024

typedef struct file_key {
	char *path;
	EVP_PKEY *pkey;
	unsigned char *spki;
	size_t spki_len;
	tufsign_key_algo algo;
	unsigned bits;
} file_key;

static const char *strip_scheme(const char *ref)
{
	if (strncmp(ref, "file://", 7) == 0)
		return ref + 7;
	if (strncmp(ref, "file:", 5) == 0)
		return ref + 5;
	return ref;
}

static int file_accepts(const char *ref)
{
	return ref != NULL && ref[0] != '\0' && strncmp(ref, "pkcs11:", 7) != 0;
}

static tufsign_status read_passphrase(const tufsign_key_options *opts, const char *path,
				      char **pass, tufsign_error *err)
{
	const char *env = getenv("TUFSIGN_PASSPHRASE");
	unsigned char *data = NULL;
	size_t len = 0;
	tufsign_status st;

	*pass = NULL;
	if (opts != NULL && opts->passphrase_file != NULL) {
		st = tf_read_file(opts->passphrase_file, PASSPHRASE_MAX, &data, &len, err);
		if (st != TUFSIGN_OK)
			return st;
		*pass = tf_strndup((char *)data, strcspn((char *)data, "\r\n"));
		tf_free_wiped(data, len);
	} else if (env != NULL) {
		*pass = tf_strdup(env);
	} else {
		return tufsign_error_set(err, TUFSIGN_ERR_PIN_REQUIRED,
					 "key file '%s' is encrypted; give its passphrase with "
					 "--passphrase-file or TUFSIGN_PASSPHRASE",
					 path);
	}
	return *pass ? TUFSIGN_OK : tufsign_error_set(err, TUFSIGN_ERR_NOMEM, "out of memory");
}

static tufsign_status decrypt_pkcs8(const unsigned char *der, long len, const char *path,
				    const tufsign_key_options *opts, EVP_PKEY **pkey,
				    tufsign_error *err)
{
	const unsigned char *p = der;
	X509_SIG *enc = d2i_X509_SIG(NULL, &p, len);
	PKCS8_PRIV_KEY_INFO *info = NULL;
	char *pass = NULL;
	tufsign_status st;

	if (enc == NULL)
		return tf_openssl_error(err, TUFSIGN_ERR_CRYPTO,
					"'%s' is not an encrypted PKCS#8 key", path);
	st = read_passphrase(opts, path, &pass, err);
	if (st == TUFSIGN_OK) {
		info = PKCS8_decrypt(enc, pass, (int)strlen(pass));
		if (info == NULL) {
			ERR_clear_error();
			st = tufsign_error_set(err, TUFSIGN_ERR_PIN_INCORRECT,
					       "cannot decrypt key file '%s': wrong passphrase",
					       path);
		}
	}
	if (st == TUFSIGN_OK && (*pkey = EVP_PKCS82PKEY(info)) == NULL)
		st = tf_openssl_error(err, TUFSIGN_ERR_CRYPTO, "cannot read the key in '%s'", path);
	PKCS8_PRIV_KEY_INFO_free(info);
	X509_SIG_free(enc);
	tf_free_secret(pass);
	return st;
}

/* Take the first private key block of the PEM text, skipping certificates
 * and public keys that may sit beside it. */
static tufsign_status parse_pem(BIO *bio, const char *path, const tufsign_key_options *opts,
				EVP_PKEY **pkey, tufsign_error *err)
{
	char *name = NULL, *header = NULL;
	unsigned char *der = NULL;
	long len = 0;
	tufsign_status st = TUFSIGN_ERR_KEY_NOT_FOUND;

	while (st == TUFSIGN_ERR_KEY_NOT_FOUND && PEM_read_bio(bio, &name, &header, &der, &len)) {
		const unsigned char *p = der;

		if (strcmp(name, "ENCRYPTED PRIVATE KEY") == 0) {
			st = decrypt_pkcs8(der, len, path, opts, pkey, err);
		} else if (strstr(name, "PRIVATE KEY") != NULL) {
			if (strstr(header, "ENCRYPTED") != NULL)
				st = tufsign_error_set(err, TUFSIGN_ERR_UNSUPPORTED,
						       "key file '%s' uses legacy PEM encryption; "
						       "convert it to PKCS#8 with 'openssl pkcs8 "
						       "-topk8'",
						       path);
			else if ((*pkey = d2i_AutoPrivateKey(NULL, &p, len)) != NULL)
				st = TUFSIGN_OK;
			else
				st = tf_openssl_error(err, TUFSIGN_ERR_CRYPTO,
						      "cannot read the key in '%s'", path);
		}
		OPENSSL_free(name);
		OPENSSL_free(header);
		OPENSSL_clear_free(der, (size_t)len);
		name = header = NULL;
		der = NULL;
	}
	ERR_clear_error();
	if (st == TUFSIGN_ERR_KEY_NOT_FOUND)
		st = tufsign_error_set(err, TUFSIGN_ERR_KEY_NOT_FOUND,
				       "'%s' contains no PEM private key", path);
	return st;
}

static void file_close(void *handle)
{
	file_key *k = handle;

	if (k == NULL)
		return;
	EVP_PKEY_free(k->pkey);
	free(k->spki);
	free(k->path);
	free(k);
}

static tufsign_status load_key(file_key *k, const tufsign_key_options *opts, tufsign_error *err)
{
	unsigned char *data = NULL;
	size_t len = 0;
	BIO *bio = NULL;
	struct rlimit no_core = {0, 0};
	tufsign_status st;

	/* A core dump taken after this point could hold the private key or the
	 * passphrase that decrypts it. */
	setrlimit(RLIMIT_CORE, &no_core);
	st = tf_read_file(k->path, KEY_FILE_MAX, &data, &len, err);
	if (st != TUFSIGN_OK)
		return st;
	bio = BIO_new_mem_buf(data, (int)len);
	if (bio == NULL)
		st = tufsign_error_set(err, TUFSIGN_ERR_NOMEM, "out of memory");
	else
		st = parse_pem(bio, k->path, opts, &k->pkey, err);
	BIO_free(bio);
	tf_free_wiped(data, len);
	if (st == TUFSIGN_OK)
		st = tf_engine_describe(k->pkey, &k->algo, &k->bits, err);
	if (st == TUFSIGN_OK)
		st = tf_engine_spki(k->pkey, &k->spki, &k->spki_len, err);
	return st;
}

/* A reference that names no file is most often a mistyped PKCS#11 URI, so
 * it is an invalid value (TUFSIGN_ERR_INVALID_ARGUMENT), unlike a file that
 * exists but cannot be read (TUFSIGN_ERR_IO). */
static tufsign_status check_exists(const char *ref, const char *path, tufsign_error *err)
{
	struct stat sb;

	if (stat(path, &sb) == 0 || (errno != ENOENT && errno != ENOTDIR))
		return TUFSIGN_OK;
	return tufsign_error_set(
		err, TUFSIGN_ERR_INVALID_ARGUMENT,
		"'%s' is neither a PKCS#11 URI, which starts with 'pkcs11:', nor a "
		"key file: %s",
		ref, strerror(errno));
}

static tufsign_status file_open(const char *ref, const tufsign_key_options *opts, void **handle,
				tufsign_error *err)
{
	file_key *k = NULL;
	tufsign_status st;

	*handle = NULL;
	st = check_exists(ref, strip_scheme(ref), err);
	if (st != TUFSIGN_OK)
		return st;
	k = calloc(1, sizeof(*k));
	if (k == NULL || (k->path = tf_strdup(strip_scheme(ref))) == NULL) {
		free(k);
		return tufsign_error_set(err, TUFSIGN_ERR_NOMEM, "out of memory");
	}
	st = load_key(k, opts, err);
	if (st != TUFSIGN_OK) {
		file_close(k);
		return st;
	}
	*handle = k;
	return TUFSIGN_OK;
}

static tufsign_status file_public_key(void *handle, const unsigned char **spki, size_t *spki_len,
				      tufsign_key_algo *algo, tufsign_error *err)
{
	file_key *k = handle;

	(void)err;
	*spki = k->spki;
	*spki_len = k->spki_len;
	*algo = k->algo;
	return TUFSIGN_OK;
}

static tufsign_status sign_der(file_key *k, tufsign_sig_scheme scheme, const unsigned char *msg,
			       size_t msg_len, unsigned char **sig, size_t *sig_len,
			       tufsign_error *err)
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	EVP_PKEY_CTX *pctx = NULL;
	const EVP_MD *digest = scheme == TUFSIGN_SIG_ED25519 ? NULL : EVP_sha256();
	size_t len = 0;
	int ok;

	ok = md != NULL && EVP_DigestSignInit(md, &pctx, digest, NULL, k->pkey) == 1;
	if (ok && scheme == TUFSIGN_SIG_RSA_PSS_SHA256)
		ok = EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) > 0 &&
		     EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, 32) > 0 &&
		     EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, EVP_sha256()) > 0;
	ok = ok && EVP_DigestSign(md, NULL, &len, msg, msg_len) == 1 &&
	     (*sig = malloc(len)) != NULL && EVP_DigestSign(md, *sig, &len, msg, msg_len) == 1;
	EVP_MD_CTX_free(md);
	if (!ok) {
		free(*sig);
		*sig = NULL;
		return tf_openssl_error(err, TUFSIGN_ERR_CRYPTO,
					"signing with key file '%s' failed", k->path);
	}
	*sig_len = len;
	return TUFSIGN_OK;
}

static tufsign_status file_sign(void *ctx, tufsign_sig_scheme scheme, const unsigned char *msg,
				size_t msg_len, unsigned char **sig, size_t *sig_len,
				tufsign_error *err)
{
	file_key *k = ctx;
	unsigned char *der = NULL;
	size_t der_len = 0;
	tufsign_status st;

	*sig = NULL;
	*sig_len = 0;
	if (!tf_engine_scheme_fits(k->algo, scheme))
		return tufsign_error_set(
			err, TUFSIGN_ERR_INVALID_ARGUMENT,
			"key file '%s' is %s and cannot make this kind of signature", k->path,
			tufsign_key_algo_name(k->algo));
	st = sign_der(k, scheme, msg, msg_len, &der, &der_len, err);
	if (st == TUFSIGN_OK && scheme == TUFSIGN_SIG_ECDSA_SHA256) {
		st = tf_engine_ecdsa_der_to_raw(der, der_len,
						k->algo == TUFSIGN_ALGO_ECDSA_P384 ? 48 : 32, sig,
						sig_len, err);
		free(der);
	} else if (st == TUFSIGN_OK) {
		*sig = der;
		*sig_len = der_len;
	}
	if (st == TUFSIGN_OK)
		st = tf_engine_verify(k->pkey, scheme, msg, msg_len, *sig, *sig_len, err);
	if (st != TUFSIGN_OK) {
		free(*sig);
		*sig = NULL;
		*sig_len = 0;
	}
	return st;
}

static tufsign_status key_info(const file_key *k, tufsign_key_info *info, tufsign_error *err)
{
	const char *base = strrchr(k->path, '/');

	memset(info, 0, sizeof(*info));
	info->label = tf_strdup(base ? base + 1 : k->path);
	info->id_hex = tf_strdup("");
	info->uri = tf_asprintf("file:%s", k->path);
	if (info->label == NULL || info->id_hex == NULL || info->uri == NULL)
		return tufsign_error_set(err, TUFSIGN_ERR_NOMEM, "out of memory");
	info->algo = k->algo;
	info->bits = k->bits;
	return tf_engine_keyid(k->spki, k->spki_len, k->algo, info->keyid, err);
}

static int is_key_name(const char *name)
{
	size_t n = strlen(name);

	return (n > 4 && strcmp(name + n - 4, ".key") == 0) ||
	       (n > 4 && strcmp(name + n - 4, ".pem") == 0);
}

/* Add the key in path to the list. A file without a readable key is skipped
 * when listing a directory, and an error otherwise. */
static tufsign_status list_one(const char *path, const tufsign_key_options *opts, int from_dir,
			       tf_buf *list, size_t *count, tufsign_error *err)
{
	file_key *k = NULL;
	tufsign_key_info info;
	tufsign_error skip;
	tufsign_status st;

	tufsign_error_clear(&skip);
	st = file_open(path, opts, (void **)&k, from_dir ? &skip : err);
	if (st != TUFSIGN_OK && from_dir) {
		TF_WARN("file", "skipping '%s': %s", path, skip.message);
		return TUFSIGN_OK;
	}
	if (st != TUFSIGN_OK)
		return st;
	st = key_info(k, &info, err);
	file_close(k);
	if (tf_buf_append(list, &info, sizeof(info)) != 0) {
		free(info.label);
		free(info.id_hex);
		free(info.uri);
		return tufsign_error_set(err, TUFSIGN_ERR_NOMEM, "out of memory");
	}
	(*count)++;
	return st;
}

static tufsign_status list_dir(const char *dir, const tufsign_key_options *opts, tf_buf *list,
			       size_t *count, tufsign_error *err)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	tufsign_status st = TUFSIGN_OK;

	if (d == NULL)
		return tufsign_error_set(err, TUFSIGN_ERR_IO, "cannot open directory '%s': %s", dir,
					 strerror(errno));
	while (st == TUFSIGN_OK && (e = readdir(d)) != NULL) {
		char *path = NULL;

		if (!is_key_name(e->d_name))
			continue;
		path = tf_asprintf("%s/%s", dir, e->d_name);
		if (path == NULL)
			st = tufsign_error_set(err, TUFSIGN_ERR_NOMEM, "out of memory");
		else
			st = list_one(path, opts, 1, list, count, err);
		free(path);
	}
	closedir(d);
	return st;
}

/* ref is one key file, or a directory such as a notary trust directory,
 * whose *.key and *.pem files (and those in its private/ directory) are
 * listed. */
static tufsign_status file_list_keys(const char *ref, const tufsign_key_options *opts,
				     tufsign_key_info **keys, size_t *count, tufsign_error *err)
{
	const char *path = strip_scheme(ref);
	struct stat sb;
	tufsign_status st;
	char *priv = NULL;
	tf_buf list;

	*keys = NULL;
	*count = 0;
	tf_buf_init(&list);
	if (stat(path, &sb) == 0 && S_ISDIR(sb.st_mode)) {
		st = list_dir(path, opts, &list, count, err);
		priv = tf_asprintf("%s/private", path);
		if (st == TUFSIGN_OK && priv != NULL && stat(priv, &sb) == 0 && S_ISDIR(sb.st_mode))
			st = list_dir(priv, opts, &list, count, err);
		free(priv);
	} else {
		st = list_one(ref, opts, 0, &list, count, err);
	}
	*keys = (tufsign_key_info *)tf_buf_steal(&list, NULL);
	if (st != TUFSIGN_OK || (*count > 0 && *keys == NULL)) {
		tufsign_key_info_free(*keys, *count);
		*keys = NULL;
		*count = 0;
		st = st != TUFSIGN_OK ? st
				      : tufsign_error_set(err, TUFSIGN_ERR_NOMEM, "out of memory");
	}
	return st;
}

const tufsign_engine_ops tufsign_engine_file = {
	.name = "file",
	.accepts = file_accepts,
	.open = file_open,
	.list_keys = file_list_keys,
	.public_key = file_public_key,
	.sign = file_sign,
	.close = file_close,
};
