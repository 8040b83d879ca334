/* Token-level commands: list tokens, generate a key pair on a token and
 * store a certificate beside a key. */
#include <stdlib.h>
#include <string.h>

#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>

#include "engine_internal.h"
#include "pkcs11/p11.h"
#include "tufsign/pkcs11.h"

#define KEY_ID_LEN 16

static int offers(CK_FUNCTION_LIST *f, CK_SLOT_ID slot, CK_MECHANISM_TYPE mech)
{
	CK_MECHANISM_INFO info;

	return f->C_GetMechanismInfo(slot, mech, &info) == CKR_OK && (info.flags & CKF_SIGN);
}

static char *trimmed(const unsigned char *s, size_t n)
{
	char buf[65];

	tf_p11_trim(s, n, buf, sizeof(buf));
	return tf_strdup(buf);
}

static tufsign_status describe_token(CK_FUNCTION_LIST *f, CK_SLOT_ID slot, const CK_TOKEN_INFO *ti,
				     tufsign_pkcs11_token_info *out, tufsign_error *err)
{
	memset(out, 0, sizeof(*out));
	out->label = trimmed(ti->label, sizeof(ti->label));
	out->serial = trimmed(ti->serialNumber, sizeof(ti->serialNumber));
	out->model = trimmed(ti->model, sizeof(ti->model));
	out->manufacturer = trimmed(ti->manufacturerID, sizeof(ti->manufacturerID));
	out->uri = tf_p11_token_uri(ti);
	if (!out->label || !out->serial || !out->model || !out->manufacturer || !out->uri)
		return tufsign_error_set(err, TUFSIGN_ERR_NOMEM, "out of memory");
	out->slot_id = (unsigned long)slot;
	out->login_required = (ti->flags & CKF_LOGIN_REQUIRED) != 0;
	out->protected_auth_path = (ti->flags & CKF_PROTECTED_AUTHENTICATION_PATH) != 0;
	out->initialized = (ti->flags & CKF_TOKEN_INITIALIZED) != 0;
	out->has_ecdsa = offers(f, slot, CKM_ECDSA);
	out->has_rsa_pss = offers(f, slot, CKM_RSA_PKCS_PSS);
	out->has_eddsa = offers(f, slot, CKM_EDDSA);
	return TUFSIGN_OK;
}

static void token_info_release(tufsign_pkcs11_token_info *info)
{
	free(info->label);
	free(info->serial);
	free(info->model);
	free(info->manufacturer);
	free(info->uri);
}

/* The tokens one search found: every token, or those matching u. */
typedef struct token_listing {
	const tf_p11_uri *u; /* NULL to list every token */
	tf_buf list;         /* count tufsign_pkcs11_token_info entries */
	size_t count;
	size_t present; /* tokens of the modules, matching or not */
} token_listing;

static void listing_clear(token_listing *listing)
{
	tufsign_pkcs11_token_info *tokens = (tufsign_pkcs11_token_info *)listing->list.data;
	size_t i;

	for (i = 0; i < listing->count; i++)
		token_info_release(&tokens[i]);
	tf_buf_release(&listing->list, 0);
	listing->count = 0;
	listing->present = 0;
}

/* Append the tokens of f that match listing->u to listing. */
static tufsign_status list_module(CK_FUNCTION_LIST *f, token_listing *listing, int *transient,
				  tufsign_error *err)
{
	CK_SLOT_ID slots[64];
	CK_ULONG n = TF_ARRAY_LEN(slots), i;
	tufsign_status st = TUFSIGN_OK;
	const tf_p11_uri *u = listing->u;
	CK_RV rv;

	rv = f->C_GetSlotList(CK_TRUE, slots, &n);
	if (rv != CKR_OK) {
		*transient = tf_p11_slot_list_rv_transient(rv);
		return tf_p11_error(err, TUFSIGN_ERR_MODULE, rv,
				    "cannot list the slots of a module");
	}
	for (i = 0; i < n && st == TUFSIGN_OK; i++) {
		tufsign_pkcs11_token_info info;
		CK_TOKEN_INFO ti;

		if (f->C_GetTokenInfo(slots[i], &ti) != CKR_OK)
			continue;
		listing->present++;
		if (u != NULL && (!p11_kit_uri_match_token_info(u->uri, &ti) ||
				  (u->slot_id != (CK_SLOT_ID)-1 && u->slot_id != slots[i])))
			continue;
		st = describe_token(f, slots[i], &ti, &info, err);
		if (tf_buf_append(&listing->list, &info, sizeof(info)) != 0) {
			token_info_release(&info);
			st = tufsign_error_set(err, TUFSIGN_ERR_NOMEM, "out of memory");
			continue;
		}
		listing->count++;
	}
	return st;
}

/* A URI that matches none of the tokens present fails, so a script can test
 * for its token. The message gives the number of tokens present. */
static tufsign_status no_match(const tf_p11_uri *u, size_t modules, size_t present,
			       tufsign_error *err)
{
	if (present == 0)
		return tufsign_error_set(err, TUFSIGN_ERR_TOKEN_NOT_FOUND,
					 "no token matches '%s': the module%s ha%s no tokens",
					 u->text, modules > 1 ? "s" : "", modules > 1 ? "ve" : "s");
	if (u->module_path != NULL || u->module_name != NULL)
		return tufsign_error_set(err, TUFSIGN_ERR_TOKEN_NOT_FOUND,
					 "no token matches '%s' (the module has %zu token%s; run "
					 "'tufsign token list pkcs11:?%s=%s' to see them)",
					 u->text, present, present > 1 ? "s" : "",
					 u->module_path ? "module-path" : "module-name",
					 u->module_path ? u->module_path : u->module_name);
	return tufsign_error_set(err, TUFSIGN_ERR_TOKEN_NOT_FOUND,
				 "no token matches '%s' (the module%s ha%s %zu token%s; run "
				 "'tufsign token list' without a URI to see them)",
				 u->text, modules > 1 ? "s" : "", modules > 1 ? "ve" : "s", present,
				 present > 1 ? "s" : "");
}

/* One search for the tokens of a listing. A URI that no token matches is
 * transient, as in a search for a key's token. */
static tufsign_status search_tokens(const tf_p11_modules *mods, void *ctx, int *transient,
				    tufsign_error *err)
{
	token_listing *listing = ctx;
	tufsign_status st = TUFSIGN_OK;
	size_t i;

	listing_clear(listing);
	for (i = 0; st == TUFSIGN_OK && mods->funcs[i] != NULL; i++)
		st = list_module(mods->funcs[i], listing, transient, err);
	if (st == TUFSIGN_OK && listing->u != NULL && listing->count == 0) {
		*transient = 1;
		st = no_match(listing->u, i, listing->present, err);
	}
	return st;
}

tufsign_status tufsign_pkcs11_token_list(const char *uri_or_null, const tufsign_key_options *opts,
					 tufsign_pkcs11_token_info **tokens, size_t *count,
					 tufsign_error *err)
{
	token_listing listing;
	tf_p11_uri u;
	tufsign_status st = TUFSIGN_OK;

	*tokens = NULL;
	*count = 0;
	memset(&u, 0, sizeof(u));
	memset(&listing, 0, sizeof(listing));
	tf_buf_init(&listing.list);
	if (uri_or_null != NULL) {
		st = tf_p11_uri_parse(uri_or_null, 0, &u, err);
		listing.u = &u;
	}
	if (st == TUFSIGN_OK)
		st = tf_p11_modules_search(listing.u, opts ? opts->module_path : NULL,
					   search_tokens, &listing, err);
	if (st != TUFSIGN_OK) {
		listing_clear(&listing);
		tf_p11_uri_release(&u);
		return st;
	}
	*count = listing.count;
	*tokens = (tufsign_pkcs11_token_info *)tf_buf_steal(&listing.list, NULL);
	if (*tokens == NULL) {
		*count = 0;
		st = tufsign_error_set(err, TUFSIGN_ERR_NOMEM, "out of memory");
	}
	tf_p11_uri_release(&u);
	return st;
}

void tufsign_pkcs11_token_info_free(tufsign_pkcs11_token_info *tokens, size_t count)
{
	size_t i;

	if (tokens == NULL)
		return;
	for (i = 0; i < count; i++)
		token_info_release(&tokens[i]);
	free(tokens);
}

int tufsign_pkcs11_key_type_parse(const char *name, tufsign_pkcs11_key_type *type)
{
	static const struct {
		const char *name;
		tufsign_pkcs11_key_type type;
	} names[] = {
		{"ecdsa-p256", TUFSIGN_PKCS11_ECDSA_P256},
		{"ecdsa-p384", TUFSIGN_PKCS11_ECDSA_P384},
		{"rsa-2048", TUFSIGN_PKCS11_RSA_2048},
		{"rsa-3072", TUFSIGN_PKCS11_RSA_3072},
		{"rsa-4096", TUFSIGN_PKCS11_RSA_4096},
		{"ed25519", TUFSIGN_PKCS11_ED25519},
	};
	size_t i;

	for (i = 0; name != NULL && i < TF_ARRAY_LEN(names); i++)
		if (strcmp(name, names[i].name) == 0) {
			*type = names[i].type;
			return 0;
		}
	return -1;
}

typedef struct keygen_spec {
	CK_MECHANISM_TYPE mech;
	const unsigned char *ec_params;
	size_t ec_params_len;
	CK_ULONG modulus_bits;
} keygen_spec;

static const unsigned char params_p256[] = {0x06, 0x08, 0x2a, 0x86, 0x48,
					    0xce, 0x3d, 0x03, 0x01, 0x07};
static const unsigned char params_p384[] = {0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x22};
static const unsigned char params_ed25519[] = {0x06, 0x03, 0x2b, 0x65, 0x70};

static keygen_spec spec_for(tufsign_pkcs11_key_type type)
{
	switch (type) {
	case TUFSIGN_PKCS11_ECDSA_P384:
		return (keygen_spec){CKM_EC_KEY_PAIR_GEN, params_p384, sizeof(params_p384), 0};
	case TUFSIGN_PKCS11_RSA_2048:
		return (keygen_spec){CKM_RSA_PKCS_KEY_PAIR_GEN, NULL, 0, 2048};
	case TUFSIGN_PKCS11_RSA_3072:
		return (keygen_spec){CKM_RSA_PKCS_KEY_PAIR_GEN, NULL, 0, 3072};
	case TUFSIGN_PKCS11_RSA_4096:
		return (keygen_spec){CKM_RSA_PKCS_KEY_PAIR_GEN, NULL, 0, 4096};
	case TUFSIGN_PKCS11_ED25519:
		return (keygen_spec){CKM_EC_EDWARDS_KEY_PAIR_GEN, params_ed25519,
				     sizeof(params_ed25519), 0};
	case TUFSIGN_PKCS11_ECDSA_P256:
	default:
		return (keygen_spec){CKM_EC_KEY_PAIR_GEN, params_p256, sizeof(params_p256), 0};
	}
}

/* Any key or certificate with the label makes the URI ambiguous later. */
static tufsign_status check_label_free(tf_p11_token *t, const char *label, tufsign_error *err)
{
	static const CK_OBJECT_CLASS classes[] = {CKO_PRIVATE_KEY, CKO_PUBLIC_KEY, CKO_CERTIFICATE};
	CK_OBJECT_HANDLE *h = NULL;
	size_t n = 0, i;
	tufsign_status st = TUFSIGN_OK;

	for (i = 0; i < TF_ARRAY_LEN(classes) && st == TUFSIGN_OK; i++) {
		st = tf_p11_find_objects(t, NULL, classes[i], label, &h, &n, err);
		free(h);
		h = NULL;
		if (st == TUFSIGN_OK && n > 0)
			st = tufsign_error_set(err, TUFSIGN_ERR_KEY_EXISTS,
					       "token '%s' already has an object labelled '%s'; "
					       "choose another object= name",
					       t->label, label);
	}
	return st;
}

static tufsign_status generate_pair(tf_p11_token *t, const keygen_spec *spec, const char *label,
				    const unsigned char *id, CK_OBJECT_HANDLE *priv,
				    tufsign_error *err)
{
	static const CK_BYTE exponent[] = {0x01, 0x00, 0x01};
	CK_BBOOL yes = CK_TRUE, no = CK_FALSE;
	CK_ULONG bits = spec->modulus_bits;
	CK_MECHANISM mech = {spec->mech, NULL, 0};
	CK_OBJECT_HANDLE pub = CK_INVALID_HANDLE;
	CK_ATTRIBUTE pub_tmpl[] = {
		{CKA_TOKEN, &yes, sizeof(yes)},   {CKA_PRIVATE, &no, sizeof(no)},
		{CKA_VERIFY, &yes, sizeof(yes)},  {CKA_ENCRYPT, &no, sizeof(no)},
		{CKA_WRAP, &no, sizeof(no)},      {CKA_LABEL, (void *)label, strlen(label)},
		{CKA_ID, (void *)id, KEY_ID_LEN}, {CKA_EC_PARAMS, NULL, 0},
		{CKA_PUBLIC_EXPONENT, NULL, 0},
	};
	CK_ATTRIBUTE priv_tmpl[] = {
		{CKA_TOKEN, &yes, sizeof(yes)},
		{CKA_PRIVATE, &yes, sizeof(yes)},
		{CKA_SENSITIVE, &yes, sizeof(yes)},
		{CKA_EXTRACTABLE, &no, sizeof(no)},
		{CKA_SIGN, &yes, sizeof(yes)},
		{CKA_DECRYPT, &no, sizeof(no)},
		{CKA_UNWRAP, &no, sizeof(no)},
		{CKA_DERIVE, &no, sizeof(no)},
		{CKA_LABEL, (void *)label, strlen(label)},
		{CKA_ID, (void *)id, KEY_ID_LEN},
	};
	CK_ULONG npub = 7;
	CK_RV rv;

	if (spec->ec_params != NULL) {
		pub_tmpl[npub++] =
			(CK_ATTRIBUTE){CKA_EC_PARAMS, (void *)spec->ec_params, spec->ec_params_len};
	} else {
		pub_tmpl[npub++] = (CK_ATTRIBUTE){CKA_MODULUS_BITS, &bits, sizeof(bits)};
		pub_tmpl[npub++] =
			(CK_ATTRIBUTE){CKA_PUBLIC_EXPONENT, (void *)exponent, sizeof(exponent)};
	}
	TF_DEBUG("pkcs11", "generating a key pair labelled '%s' on token '%s'", label, t->label);
	rv = t->f->C_GenerateKeyPair(t->session, &mech, pub_tmpl, npub, priv_tmpl,
				     TF_ARRAY_LEN(priv_tmpl), &pub, priv);
	if (rv != CKR_OK)
		return tf_p11_error(err, TUFSIGN_ERR_TOKEN, rv,
				    "cannot generate a key pair with %s on token '%s'",
				    tf_p11_mech_name(spec->mech), t->label);
	return TUFSIGN_OK;
}

static tufsign_status need_keygen(tf_p11_token *t, CK_MECHANISM_TYPE mech, tufsign_error *err)
{
	CK_MECHANISM_INFO info;

	if (t->f->C_GetMechanismInfo(t->slot, mech, &info) == CKR_OK &&
	    (info.flags & CKF_GENERATE_KEY_PAIR))
		return TUFSIGN_OK;
	return tufsign_error_set(err, TUFSIGN_ERR_MECHANISM,
				 "token '%s' does not offer %s, which this key type needs",
				 t->label, tf_p11_mech_name(mech));
}

static tufsign_status uri_label(const tf_p11_uri *u, char *label, size_t n, tufsign_error *err)
{
	CK_ATTRIBUTE *a = p11_kit_uri_get_attribute(u->uri, CKA_LABEL);

	if (a == NULL || a->ulValueLen == 0 || a->ulValueLen >= n)
		return tufsign_error_set(err, TUFSIGN_ERR_URI,
					 "'%s' names no key label; add object=NAME to the URI",
					 u->text);
	memcpy(label, a->pValue, a->ulValueLen);
	label[a->ulValueLen] = '\0';
	return TUFSIGN_OK;
}

tufsign_status tufsign_pkcs11_key_generate(const char *uri, tufsign_pkcs11_key_type type,
					   const tufsign_key_options *opts, tufsign_key_info **info,
					   tufsign_error *err)
{
	keygen_spec spec = spec_for(type);
	unsigned char id[KEY_ID_LEN];
	char label[256];
	CK_OBJECT_HANDLE priv = CK_INVALID_HANDLE;
	tf_p11_token *t = NULL;
	tf_p11_object *o = NULL;
	tf_p11_uri u;
	tufsign_status st;

	*info = NULL;
	st = tf_p11_uri_parse(uri, 1, &u, err);
	if (st != TUFSIGN_OK)
		return st;
	st = uri_label(&u, label, sizeof(label), err);
	if (st == TUFSIGN_OK && p11_kit_uri_get_attribute(u.uri, CKA_ID) != NULL)
		st = tufsign_error_set(err, TUFSIGN_ERR_URI,
				       "'%s' sets id=, but key generation picks a random CKA_ID; "
				       "remove id= from the URI",
				       uri);
	if (st == TUFSIGN_OK)
		st = tf_p11_token_open(&u, opts, &t, err);
	if (t != NULL)
		tf_p11_token_drop_pin(t);
	if (st == TUFSIGN_OK)
		st = need_keygen(t, spec.mech, err);
	if (st == TUFSIGN_OK)
		st = check_label_free(t, label, err);
	if (st == TUFSIGN_OK && RAND_bytes(id, sizeof(id)) != 1)
		st = tf_openssl_error(err, TUFSIGN_ERR_CRYPTO, "cannot draw a random key ID");
	if (st == TUFSIGN_OK)
		st = generate_pair(t, &spec, label, id, &priv, err);
	if (st == TUFSIGN_OK)
		st = tf_p11_key_load(t, priv, &o, err);
	if (st == TUFSIGN_OK && (*info = calloc(1, sizeof(**info))) == NULL)
		st = tufsign_error_set(err, TUFSIGN_ERR_NOMEM, "out of memory");
	if (st == TUFSIGN_OK)
		st = tf_p11_key_info(o, *info, err);
	if (st != TUFSIGN_OK) {
		tufsign_key_info_free(*info, *info ? 1 : 0);
		*info = NULL;
	}
	tf_p11_object_free(o);
	tf_p11_uri_release(&u);
	return st;
}

/* DER encodings of the certificate fields PKCS#11 stores beside CKA_VALUE. */
typedef struct cert_fields {
	unsigned char *der, *subject, *issuer, *serial;
	int der_len, subject_len, issuer_len, serial_len;
} cert_fields;

static void cert_fields_release(cert_fields *c)
{
	OPENSSL_free(c->der);
	OPENSSL_free(c->subject);
	OPENSSL_free(c->issuer);
	OPENSSL_free(c->serial);
}

static tufsign_status cert_parse(X509 *x, const tf_p11_object *o, cert_fields *c,
				 tufsign_error *err)
{
	memset(c, 0, sizeof(*c));
	if (EVP_PKEY_eq(X509_get0_pubkey(x), o->pub) != 1)
		return tufsign_error_set(
			err, TUFSIGN_ERR_CRYPTO,
			"the certificate contains another public key than key '%s'", o->label);
	c->der_len = i2d_X509(x, &c->der);
	c->subject_len = i2d_X509_NAME(X509_get_subject_name(x), &c->subject);
	c->issuer_len = i2d_X509_NAME(X509_get_issuer_name(x), &c->issuer);
	c->serial_len = i2d_ASN1_INTEGER(X509_get_serialNumber(x), &c->serial);
	if (c->der_len <= 0 || c->subject_len <= 0 || c->issuer_len <= 0 || c->serial_len <= 0)
		return tf_openssl_error(err, TUFSIGN_ERR_CRYPTO, "cannot encode the certificate");
	return TUFSIGN_OK;
}

static X509 *read_pem(const char *pem, size_t len)
{
	BIO *bio = BIO_new_mem_buf(pem, (int)len);
	X509 *x = bio ? PEM_read_bio_X509(bio, NULL, NULL, NULL) : NULL;

	BIO_free(bio);
	return x;
}

static tufsign_status cert_create(tf_p11_object *o, const cert_fields *c, tufsign_error *err)
{
	CK_OBJECT_CLASS cls = CKO_CERTIFICATE;
	CK_CERTIFICATE_TYPE ctype = CKC_X_509;
	CK_BBOOL yes = CK_TRUE, no = CK_FALSE;
	CK_OBJECT_HANDLE h = CK_INVALID_HANDLE;
	CK_ATTRIBUTE tmpl[] = {
		{CKA_CLASS, &cls, sizeof(cls)},
		{CKA_CERTIFICATE_TYPE, &ctype, sizeof(ctype)},
		{CKA_TOKEN, &yes, sizeof(yes)},
		{CKA_PRIVATE, &no, sizeof(no)},
		{CKA_LABEL, o->label, strlen(o->label)},
		{CKA_ID, o->id, o->id_len},
		{CKA_SUBJECT, c->subject, (CK_ULONG)c->subject_len},
		{CKA_ISSUER, c->issuer, (CK_ULONG)c->issuer_len},
		{CKA_SERIAL_NUMBER, c->serial, (CK_ULONG)c->serial_len},
		{CKA_VALUE, c->der, (CK_ULONG)c->der_len},
	};
	CK_RV rv;

	rv = o->token->f->C_CreateObject(o->token->session, tmpl, TF_ARRAY_LEN(tmpl), &h);
	if (rv != CKR_OK)
		return tf_p11_error(err, TUFSIGN_ERR_TOKEN, rv,
				    "cannot store the certificate of key '%s' on token '%s'",
				    o->label, o->token->label);
	return TUFSIGN_OK;
}

tufsign_status tufsign_pkcs11_cert_store(const char *key_uri, const tufsign_key_options *opts,
					 const char *cert_pem, size_t cert_pem_len,
					 tufsign_error *err)
{
	X509 *x = read_pem(cert_pem, cert_pem_len);
	tf_p11_token *t = NULL;
	tf_p11_object *o = NULL;
	cert_fields c;
	tf_p11_uri u;
	tufsign_status st;

	memset(&c, 0, sizeof(c));
	if (x == NULL)
		return tf_openssl_error(err, TUFSIGN_ERR_INVALID_ARGUMENT,
					"the text contains no PEM certificate");
	st = tf_p11_uri_parse(key_uri, 1, &u, err);
	if (st != TUFSIGN_OK) {
		X509_free(x);
		return st;
	}
	st = tf_p11_token_open(&u, opts, &t, err);
	if (t != NULL)
		tf_p11_token_drop_pin(t);
	if (st == TUFSIGN_OK)
		st = tf_p11_key_find(t, &u, &o, err);
	if (st == TUFSIGN_OK && o->has_cert)
		st = tufsign_error_set(err, TUFSIGN_ERR_KEY_EXISTS,
				       "key '%s' on token '%s' already has a certificate stored",
				       o->label, t->label);
	if (st == TUFSIGN_OK)
		st = cert_parse(x, o, &c, err);
	if (st == TUFSIGN_OK)
		st = cert_create(o, &c, err);
	cert_fields_release(&c);
	tf_p11_object_free(o);
	tf_p11_uri_release(&u);
	X509_free(x);
	return st;
}
