/* Finding private keys on a token and reading their public halves. Only
 * public attributes are read: CKA_VALUE of a private key is never requested. */
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "engine_internal.h"
#include "pkcs11/p11.h"
#include "tufsign/pubkey.h"

/* DER OIDs of the curves tufsign signs with, as CKA_EC_PARAMS contains them. */
static const unsigned char oid_p256[] = {0x06, 0x08, 0x2a, 0x86, 0x48,
					 0xce, 0x3d, 0x03, 0x01, 0x07};
static const unsigned char oid_p384[] = {0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x22};
static const unsigned char oid_ed25519[] = {0x06, 0x03, 0x2b, 0x65, 0x70};
/* PKCS#11 3.0 also allows the curve name as a PrintableString. */
static const unsigned char name_ed25519[] = {0x13, 0x0c, 'e', 'd', 'w', 'a', 'r',
					     'd',  's',  '2', '5', '5', '1', '9'};

CK_RV tf_p11_get_attribute(tf_p11_token *t, CK_OBJECT_HANDLE h, CK_ATTRIBUTE_TYPE type,
			   unsigned char **value, size_t *len)
{
	CK_ATTRIBUTE a = {type, NULL, 0};
	CK_RV rv;

	*value = NULL;
	*len = 0;
	rv = t->f->C_GetAttributeValue(t->session, h, &a, 1);
	if (rv != CKR_OK)
		return rv;
	if (a.ulValueLen == CK_UNAVAILABLE_INFORMATION)
		return CKR_ATTRIBUTE_TYPE_INVALID;
	a.pValue = malloc(a.ulValueLen ? a.ulValueLen : 1);
	if (a.pValue == NULL)
		return CKR_HOST_MEMORY;
	rv = t->f->C_GetAttributeValue(t->session, h, &a, 1);
	if (rv != CKR_OK) {
		free(a.pValue);
		return rv;
	}
	*value = a.pValue;
	*len = a.ulValueLen;
	return CKR_OK;
}

static tufsign_status find_all(tf_p11_token *t, CK_ATTRIBUTE *tmpl, CK_ULONG n,
			       CK_OBJECT_HANDLE **handles, size_t *count, tufsign_error *err)
{
	CK_OBJECT_HANDLE batch[32];
	CK_OBJECT_HANDLE *all = NULL;
	CK_ULONG got = 0;
	CK_RV rv;

	*handles = NULL;
	*count = 0;
	rv = t->f->C_FindObjectsInit(t->session, tmpl, n);
	if (rv != CKR_OK)
		return tf_p11_error(err, TUFSIGN_ERR_TOKEN, rv, "cannot search token '%s'",
				    t->label);
	while ((rv = t->f->C_FindObjects(t->session, batch, TF_ARRAY_LEN(batch), &got)) == CKR_OK &&
	       got > 0) {
		CK_OBJECT_HANDLE *grown = realloc(all, (*count + got) * sizeof(*all));

		if (grown == NULL) {
			rv = CKR_HOST_MEMORY;
			break;
		}
		all = grown;
		memcpy(all + *count, batch, got * sizeof(*all));
		*count += got;
	}
	t->f->C_FindObjectsFinal(t->session);
	if (rv != CKR_OK) {
		free(all);
		*count = 0;
		return tf_p11_error(err, TUFSIGN_ERR_TOKEN, rv, "cannot search token '%s'",
				    t->label);
	}
	*handles = all;
	return TUFSIGN_OK;
}

tufsign_status tf_p11_find_objects(tf_p11_token *t, const tf_p11_uri *u, CK_OBJECT_CLASS cls,
				   const char *label, CK_OBJECT_HANDLE **handles, size_t *count,
				   tufsign_error *err)
{
	CK_ATTRIBUTE tmpl[3];
	CK_ATTRIBUTE *a = NULL;
	CK_ULONG n = 0;

	tmpl[n++] = (CK_ATTRIBUTE){CKA_CLASS, &cls, sizeof(cls)};
	if (label != NULL)
		tmpl[n++] = (CK_ATTRIBUTE){CKA_LABEL, (void *)label, strlen(label)};
	else if (u != NULL && (a = p11_kit_uri_get_attribute(u->uri, CKA_LABEL)) != NULL)
		tmpl[n++] = *a;
	if (u != NULL && (a = p11_kit_uri_get_attribute(u->uri, CKA_ID)) != NULL)
		tmpl[n++] = *a;
	return find_all(t, tmpl, n, handles, count, err);
}

/* The public key object pairs with the private key by CKA_ID, or by label
 * when the private key has no CKA_ID. */
static tufsign_status read_ec_point(tf_p11_token *t, tf_p11_object *o, unsigned char **point,
				    size_t *len)
{
	CK_OBJECT_CLASS cls = CKO_PUBLIC_KEY;
	CK_ATTRIBUTE tmpl[2] = {{CKA_CLASS, &cls, sizeof(cls)}, {CKA_ID, o->id, o->id_len}};
	CK_OBJECT_HANDLE *h = NULL;
	size_t n = 0;
	tufsign_status st;

	*point = NULL;
	/* Some tokens keep CKA_EC_POINT on the private key too. */
	if (tf_p11_get_attribute(t, o->handle, CKA_EC_POINT, point, len) == CKR_OK)
		return TUFSIGN_OK;
	if (o->id_len == 0)
		tmpl[1] = (CK_ATTRIBUTE){CKA_LABEL, o->label, strlen(o->label)};
	st = find_all(t, tmpl, 2, &h, &n, NULL);
	if (st == TUFSIGN_OK && n == 1 &&
	    tf_p11_get_attribute(t, h[0], CKA_EC_POINT, point, len) == CKR_OK) {
		free(h);
		return TUFSIGN_OK;
	}
	free(h);
	return TUFSIGN_ERR_KEY_NOT_FOUND;
}

/* Strip the DER OCTET STRING that PKCS#11 wraps CKA_EC_POINT in; some
 * modules return the bare point instead. */
static void unwrap_point(const unsigned char **p, size_t *len, size_t bare_len)
{
	if (*len == bare_len)
		return;
	if (*len >= 2 && (*p)[0] == 0x04 && (*p)[1] < 0x80 && (size_t)(*p)[1] + 2 == *len) {
		*p += 2;
		*len -= 2;
	} else if (*len >= 3 && (*p)[0] == 0x04 && (*p)[1] == 0x81 && (size_t)(*p)[2] + 3 == *len) {
		*p += 3;
		*len -= 3;
	}
}

static tufsign_status ec_public(const char *group, const unsigned char *point, size_t len,
				size_t field, EVP_PKEY **out, tufsign_error *err)
{
	OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
	OSSL_PARAM *params = NULL;
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
	tufsign_status st = TUFSIGN_OK;

	unwrap_point(&point, &len, 1 + 2 * field);
	if (bld == NULL || ctx == NULL ||
	    !OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, group, 0) ||
	    !OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, point, len) ||
	    (params = OSSL_PARAM_BLD_to_param(bld)) == NULL || EVP_PKEY_fromdata_init(ctx) <= 0 ||
	    EVP_PKEY_fromdata(ctx, out, EVP_PKEY_PUBLIC_KEY, params) <= 0)
		st = tf_openssl_error(err, TUFSIGN_ERR_CRYPTO,
				      "the token's EC public key is not a point on %s", group);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	EVP_PKEY_CTX_free(ctx);
	return st;
}

static tufsign_status rsa_public(const unsigned char *n, size_t n_len, const unsigned char *e,
				 size_t e_len, EVP_PKEY **out, tufsign_error *err)
{
	OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
	OSSL_PARAM *params = NULL;
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL);
	BIGNUM *bn = BN_bin2bn(n, (int)n_len, NULL);
	BIGNUM *be = BN_bin2bn(e, (int)e_len, NULL);
	tufsign_status st = TUFSIGN_OK;

	if (bld == NULL || ctx == NULL || bn == NULL || be == NULL ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, bn) ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, be) ||
	    (params = OSSL_PARAM_BLD_to_param(bld)) == NULL || EVP_PKEY_fromdata_init(ctx) <= 0 ||
	    EVP_PKEY_fromdata(ctx, out, EVP_PKEY_PUBLIC_KEY, params) <= 0)
		st = tf_openssl_error(err, TUFSIGN_ERR_CRYPTO,
				      "cannot build the token's RSA public key");
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	EVP_PKEY_CTX_free(ctx);
	BN_free(bn);
	BN_free(be);
	return st;
}

static int params_equal(const unsigned char *p, size_t len, const unsigned char *oid,
			size_t oid_len)
{
	return len == oid_len && memcmp(p, oid, len) == 0;
}

tufsign_status tf_p11_public_from_attrs(CK_KEY_TYPE kt, const unsigned char *params,
					size_t params_len, const unsigned char *point,
					size_t point_len, EVP_PKEY **out, tufsign_error *err)
{
	*out = NULL;
	if (kt == CKK_RSA)
		return rsa_public(params, params_len, point, point_len, out, err);
	if (kt == CKK_EC && params_equal(params, params_len, oid_p256, sizeof(oid_p256)))
		return ec_public("P-256", point, point_len, 32, out, err);
	if (kt == CKK_EC && params_equal(params, params_len, oid_p384, sizeof(oid_p384)))
		return ec_public("P-384", point, point_len, 48, out, err);
	if (kt == CKK_EC_EDWARDS &&
	    (params_equal(params, params_len, oid_ed25519, sizeof(oid_ed25519)) ||
	     params_equal(params, params_len, name_ed25519, sizeof(name_ed25519)))) {
		unwrap_point(&point, &point_len, 32);
		*out = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, point, point_len);
		if (*out == NULL)
			return tf_openssl_error(err, TUFSIGN_ERR_CRYPTO,
						"the token's Ed25519 public key is invalid");
		return TUFSIGN_OK;
	}
	return tufsign_error_set(err, TUFSIGN_ERR_UNSUPPORTED,
				 "key type or curve of the token's key is not supported; use "
				 "ECDSA P-256 or P-384, RSA or Ed25519");
}

static tufsign_status read_public(tf_p11_token *t, tf_p11_object *o, tufsign_error *err)
{
	unsigned char *a = NULL, *b = NULL;
	size_t a_len = 0, b_len = 0;
	tufsign_status st = TUFSIGN_OK;
	CK_RV rv;

	if (o->key_type == CKK_RSA) {
		rv = tf_p11_get_attribute(t, o->handle, CKA_MODULUS, &a, &a_len);
		if (rv == CKR_OK)
			rv = tf_p11_get_attribute(t, o->handle, CKA_PUBLIC_EXPONENT, &b, &b_len);
		if (rv != CKR_OK)
			st = tf_p11_error(err, TUFSIGN_ERR_TOKEN, rv,
					  "cannot read the RSA public key of '%s'", o->label);
	} else {
		rv = tf_p11_get_attribute(t, o->handle, CKA_EC_PARAMS, &a, &a_len);
		if (rv != CKR_OK)
			st = tf_p11_error(err, TUFSIGN_ERR_TOKEN, rv,
					  "cannot read the curve of key '%s'", o->label);
		else if (read_ec_point(t, o, &b, &b_len) != TUFSIGN_OK)
			st = tufsign_error_set(err, TUFSIGN_ERR_KEY_NOT_FOUND,
					       "key '%s' on token '%s' has no public key object "
					       "with its CKA_ID, so its public key is unknown",
					       o->label, t->label);
	}
	if (st == TUFSIGN_OK)
		st = tf_p11_public_from_attrs(o->key_type, a, a_len, b, b_len, &o->pub, err);
	free(a);
	free(b);
	if (st == TUFSIGN_OK)
		st = tf_engine_describe(o->pub, &o->algo, &o->bits, err);
	if (st == TUFSIGN_OK)
		st = tf_engine_spki(o->pub, &o->spki, &o->spki_len, err);
	return st;
}

/* Compute the key ID a root.json listing cert would give it; "" for a
 * certificate notary cannot list. */
static void cert_key_id(X509 *cert, char id[TUFSIGN_KEYID_SIZE])
{
	BIO *mem = BIO_new(BIO_s_mem());
	char *pem = NULL;
	long len = 0;
	tufsign_pubkey key;
	tufsign_error ignored;

	id[0] = '\0';
	memset(&key, 0, sizeof(key));
	tufsign_error_clear(&ignored);
	if (mem != NULL && PEM_write_bio_X509(mem, cert) == 1)
		len = BIO_get_mem_data(mem, &pem);
	if (len > 0 && tufsign_pubkey_from_cert_pem(&key, pem, (size_t)len, &ignored) == TUFSIGN_OK)
		memcpy(id, key.id, TUFSIGN_KEYID_SIZE);
	tufsign_pubkey_release(&key);
	BIO_free(mem);
}

/* A certificate stored with the key's CKA_ID must hold the same public key:
 * otherwise metadata built from the certificate would list a key the token
 * cannot sign for. */
static tufsign_status check_certificate(tf_p11_token *t, tf_p11_object *o, tufsign_error *err)
{
	CK_OBJECT_CLASS cls = CKO_CERTIFICATE;
	CK_ATTRIBUTE tmpl[2] = {{CKA_CLASS, &cls, sizeof(cls)}, {CKA_ID, o->id, o->id_len}};
	CK_OBJECT_HANDLE *h = NULL;
	size_t n = 0, i;
	tufsign_status st;

	if (o->id_len == 0)
		return TUFSIGN_OK;
	st = find_all(t, tmpl, 2, &h, &n, err);
	o->has_cert = n > 0;
	for (i = 0; st == TUFSIGN_OK && i < n; i++) {
		unsigned char *der = NULL;
		size_t len = 0;
		const unsigned char *p = NULL;
		X509 *cert = NULL;

		if (tf_p11_get_attribute(t, h[i], CKA_VALUE, &der, &len) != CKR_OK)
			continue;
		p = der;
		cert = d2i_X509(NULL, &p, (long)len);
		if (cert == NULL || EVP_PKEY_eq(X509_get0_pubkey(cert), o->pub) != 1)
			st = tufsign_error_set(
				err, TUFSIGN_ERR_CRYPTO,
				"the certificate stored with key '%s' on token '%s' "
				"contains a different public key, so tufsign rejects the key. "
				"Remove or replace the certificate",
				o->label, t->label);
		else
			cert_key_id(cert, o->cert_keyid);
		X509_free(cert);
		free(der);
	}
	free(h);
	return st;
}

static CK_RV read_ulong(tf_p11_token *t, CK_OBJECT_HANDLE h, CK_ATTRIBUTE_TYPE type,
			CK_ULONG *value)
{
	CK_ATTRIBUTE a = {type, value, sizeof(*value)};

	return t->f->C_GetAttributeValue(t->session, h, &a, 1);
}

tufsign_status tf_p11_key_load(tf_p11_token *t, CK_OBJECT_HANDLE h, tf_p11_object **out,
			       tufsign_error *err)
{
	tf_p11_object *o = calloc(1, sizeof(*o));
	CK_BBOOL always = CK_FALSE;
	CK_ATTRIBUTE attrs[3];
	tufsign_status st = TUFSIGN_OK;
	CK_RV rv;

	*out = NULL;
	if (o == NULL)
		return tufsign_error_set(err, TUFSIGN_ERR_NOMEM, "out of memory");
	o->token = t;
	o->handle = h;
	attrs[0] = (CK_ATTRIBUTE){CKA_ID, o->id, sizeof(o->id)};
	attrs[1] = (CK_ATTRIBUTE){CKA_LABEL, o->label, sizeof(o->label) - 1};
	rv = read_ulong(t, h, CKA_KEY_TYPE, &o->key_type);
	if (rv == CKR_OK)
		rv = t->f->C_GetAttributeValue(t->session, h, attrs, 2);
	if (rv != CKR_OK) {
		st = tf_p11_error(err, TUFSIGN_ERR_TOKEN, rv, "cannot read a key on token '%s'",
				  t->label);
		goto out;
	}
	o->id_len = attrs[0].ulValueLen;
	o->label[attrs[1].ulValueLen] = '\0';
	attrs[2] = (CK_ATTRIBUTE){CKA_ALWAYS_AUTHENTICATE, &always, sizeof(always)};
	if (t->f->C_GetAttributeValue(t->session, h, &attrs[2], 1) == CKR_OK)
		o->always_authenticate = always == CK_TRUE;
	st = read_public(t, o, err);
	if (st == TUFSIGN_OK)
		st = check_certificate(t, o, err);
out:
	if (st != TUFSIGN_OK) {
		tf_p11_object_free(o);
		return st;
	}
	*out = o;
	return TUFSIGN_OK;
}

void tf_p11_object_free(tf_p11_object *o)
{
	if (o == NULL)
		return;
	EVP_PKEY_CTX_free(o->verify_ctx);
	EVP_PKEY_free(o->pub);
	free(o->spki);
	free(o);
}

/* The message of an ambiguous key URI lists at most this many candidates. */
#define AMBIGUOUS_LISTED_MAX 4
/* Room left in the error message for a prefix a caller adds, such as
 * "cannot sign targets: ". */
#define ERROR_PREFIX_ROOM 96
/* A longer URI is shortened in the message of an ambiguous key URI. */
#define QUOTED_URI_MAX 160

/* Label and CKA_ID of a key that matched an ambiguous URI. */
typedef struct key_candidate {
	unsigned char id[256];
	size_t id_len;
	char label[256];
} key_candidate;

/* Order candidates by label, then by CKA_ID, so that the message does not
 * depend on the order the token returns them in. */
static int compare_candidates(const void *a, const void *b)
{
	const key_candidate *x = a, *y = b;
	int c = strcmp(x->label, y->label);
	size_t n = x->id_len < y->id_len ? x->id_len : y->id_len;

	if (c == 0)
		c = memcmp(x->id, y->id, n);
	if (c == 0)
		c = (x->id_len > y->id_len) - (x->id_len < y->id_len);
	return c;
}

static size_t read_candidates(tf_p11_token *t, const CK_OBJECT_HANDLE *h, size_t n,
			      key_candidate *out)
{
	size_t i, got = 0;

	for (i = 0; i < n; i++) {
		key_candidate *c = &out[got];
		CK_ATTRIBUTE a[2] = {{CKA_ID, c->id, sizeof(c->id)},
				     {CKA_LABEL, c->label, sizeof(c->label) - 1}};

		if (t->f->C_GetAttributeValue(t->session, h[i], a, 2) != CKR_OK)
			continue;
		c->id_len = a[0].ulValueLen;
		c->label[a[1].ulValueLen] = '\0';
		got++;
	}
	qsort(out, got, sizeof(*out), compare_candidates);
	return got;
}

/* Append the object= and id= attributes that tell a key apart from the
 * others on its token, percent-encoded as RFC 7512 allows: every byte but
 * an unreserved character is encoded. */
static void append_key_attributes(tf_buf *b, const key_candidate *c)
{
	const char *p;
	size_t i;

	if (c->label[0] != '\0') {
		tf_buf_append_str(b, "object=");
		for (p = c->label; *p != '\0'; p++) {
			if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
			    (*p >= '0' && *p <= '9') || strchr("-._~", *p) != NULL)
				tf_buf_append_byte(b, (unsigned char)*p);
			else
				tf_buf_printf(b, "%%%02X", (unsigned char)*p);
		}
	}
	if (c->id_len > 0)
		tf_buf_append_str(b, c->label[0] != '\0' ? ";id=" : "id=");
	for (i = 0; i < c->id_len; i++)
		tf_buf_printf(b, "%%%02X", c->id[i]);
	if (c->label[0] == '\0' && c->id_len == 0)
		tf_buf_append_str(b, "a key without label or ID");
}

/* List candidates after ": " while head_len plus the list plus tail_len
 * fits budget, with room for ", and N more". Returns how many were listed. */
static size_t list_candidates(const key_candidate *c, size_t n, size_t head_len, size_t tail_len,
			      size_t budget, tf_buf *list)
{
	const size_t more_room = sizeof(", and 99999 more");
	size_t i;

	for (i = 0; i < n && i < AMBIGUOUS_LISTED_MAX; i++) {
		tf_buf candidate;
		int fits;

		tf_buf_init(&candidate);
		tf_buf_append_str(&candidate, i > 0 ? ", " : ": ");
		append_key_attributes(&candidate, &c[i]);
		fits = candidate.data != NULL &&
		       head_len + list->len + candidate.len + more_room + tail_len <= budget;
		if (fits)
			tf_buf_append(list, candidate.data, candidate.len);
		tf_buf_release(&candidate, 0);
		if (!fits)
			break;
	}
	return i;
}

/* Whether a shell takes text as one word without quotes. */
static int shell_safe(const char *text)
{
	for (; *text != '\0'; text++) {
		if (strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
			   ":=%._/,+@-",
			   *text) == NULL)
			return 0;
	}
	return 1;
}

/* Record that n private keys match u: a few of them by the attributes that
 * tell them apart, how many more there are, and how to pick one. The whole
 * message fits tufsign_error.message with room for a caller's prefix. */
static tufsign_status report_ambiguous(tf_p11_token *t, const tf_p11_uri *u,
				       const CK_OBJECT_HANDLE *h, size_t n, tufsign_error *err)
{
	const size_t budget = sizeof(err->message) - 1 - ERROR_PREFIX_ROOM;
	key_candidate *c = calloc(n, sizeof(*c));
	int short_uri = strlen(u->text) <= QUOTED_URI_MAX;
	const char *quote = shell_safe(u->text) ? "" : "\"";
	tf_buf head, tail, list;
	size_t got = 0, listed = 0;
	tufsign_status st;

	if (c == NULL)
		return tufsign_error_set(err, TUFSIGN_ERR_NOMEM, "out of memory");
	tf_buf_init(&head);
	tf_buf_init(&tail);
	tf_buf_init(&list);
	got = read_candidates(t, h, n, c);
	tf_buf_printf(&head, "%zu private keys match '%.*s%s'", n, QUOTED_URI_MAX, u->text,
		      short_uri ? "" : "...");
	if (short_uri)
		tf_buf_printf(&tail,
			      "; add object= or id= to the URI; 'tufsign key list %s%s%s' "
			      "lists them",
			      quote, u->text, quote);
	else
		tf_buf_append_str(&tail, "; add object= or id= to the URI; 'tufsign key list' "
					 "with the same URI lists them");
	/* Listing stops at the first key that does not fit. When that is the
	 * first key, the message gives only the count. */
	listed = list_candidates(c, got, head.len, tail.len, budget, &list);
	if (listed > 0 && listed < n)
		tf_buf_printf(&list, ", and %zu more", n - listed);
	if (head.failed || tail.failed || list.failed)
		st = tufsign_error_set(err, TUFSIGN_ERR_NOMEM, "out of memory");
	else
		st = tufsign_error_set(err, TUFSIGN_ERR_AMBIGUOUS, "%s%s%s", (char *)head.data,
				       list.data ? (char *)list.data : "", (char *)tail.data);
	tf_buf_release(&head, 0);
	tf_buf_release(&tail, 0);
	tf_buf_release(&list, 0);
	free(c);
	return st;
}

tufsign_status tf_p11_key_find(tf_p11_token *t, const tf_p11_uri *u, tf_p11_object **out,
			       tufsign_error *err)
{
	CK_OBJECT_HANDLE *h = NULL;
	size_t n = 0;
	tufsign_status st;

	*out = NULL;
	st = tf_p11_find_objects(t, u, CKO_PRIVATE_KEY, NULL, &h, &n, err);
	if (st == TUFSIGN_OK && n == 0) {
		st = tufsign_error_set(err, TUFSIGN_ERR_KEY_NOT_FOUND,
				       "no private key matches '%s' on token '%s'; 'tufsign key "
				       "list' shows the keys",
				       u->text, t->label);
	} else if (st == TUFSIGN_OK && n > 1) {
		st = report_ambiguous(t, u, h, n, err);
	} else if (st == TUFSIGN_OK) {
		st = tf_p11_key_load(t, h[0], out, err);
	}
	free(h);
	return st;
}
