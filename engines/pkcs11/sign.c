/* Signatures on the token in the encodings notary reads. Hashing for ECDSA
 * and RSA happens on the host where the token lacks a hash-and-sign
 * mechanism (SoftHSM 2.6.1 has no CKM_ECDSA_SHA256), and every signature is
 * verified against the key's public half before it is returned. */
#include <stdlib.h>
#include <string.h>

#include <openssl/sha.h>

#include "engine_internal.h"
#include "pkcs11/p11.h"

/* DigestInfo prefix of SHA-256 for PKCS#1 v1.5 (RFC 8017, section 9.2). */
static const unsigned char sha256_prefix[] = {0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60,
					      0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02,
					      0x01, 0x05, 0x00, 0x04, 0x20};

typedef struct sign_plan {
	CK_MECHANISM mech;
	CK_RSA_PKCS_PSS_PARAMS pss;
	unsigned char input[sizeof(sha256_prefix) + SHA256_DIGEST_LENGTH];
	const unsigned char *data;
	size_t data_len;
} sign_plan;

static tufsign_status need_mechanism(tf_p11_object *o, CK_MECHANISM_TYPE mech, tufsign_error *err)
{
	if (tf_p11_token_has_mechanism(o->token, mech))
		return TUFSIGN_OK;
	return tufsign_error_set(err, TUFSIGN_ERR_MECHANISM,
				 "token '%s' does not offer %s for signing, which key '%s' needs",
				 o->token->label, tf_p11_mech_name(mech), o->label);
}

static void plan_digest(sign_plan *p, const unsigned char *msg, size_t len, int digest_info)
{
	size_t off = digest_info ? sizeof(sha256_prefix) : 0;

	if (digest_info)
		memcpy(p->input, sha256_prefix, off);
	SHA256(msg, len, p->input + off);
	p->data = p->input;
	p->data_len = off + SHA256_DIGEST_LENGTH;
}

/* Pick the mechanism for a scheme. A token without it is an error, never a
 * quiet switch to another scheme. */
static tufsign_status plan(tf_p11_object *o, tufsign_sig_scheme scheme, const unsigned char *msg,
			   size_t len, sign_plan *p, tufsign_error *err)
{
	memset(p, 0, sizeof(*p));
	p->data = msg;
	p->data_len = len;
	p->pss = (CK_RSA_PKCS_PSS_PARAMS){CKM_SHA256, CKG_MGF1_SHA256, 32};
	switch (scheme) {
	case TUFSIGN_SIG_ECDSA_SHA256:
		p->mech.mechanism = CKM_ECDSA;
		plan_digest(p, msg, len, 0);
		return need_mechanism(o, CKM_ECDSA, err);
	case TUFSIGN_SIG_RSA_PSS_SHA256:
		p->mech = (CK_MECHANISM){CKM_SHA256_RSA_PKCS_PSS, &p->pss, sizeof(p->pss)};
		if (tf_p11_token_has_mechanism(o->token, CKM_SHA256_RSA_PKCS_PSS))
			return TUFSIGN_OK;
		p->mech.mechanism = CKM_RSA_PKCS_PSS;
		plan_digest(p, msg, len, 0);
		return need_mechanism(o, CKM_RSA_PKCS_PSS, err);
	case TUFSIGN_SIG_RSA_PKCS1_SHA256:
		p->mech.mechanism = CKM_SHA256_RSA_PKCS;
		if (tf_p11_token_has_mechanism(o->token, CKM_SHA256_RSA_PKCS))
			return TUFSIGN_OK;
		p->mech.mechanism = CKM_RSA_PKCS;
		plan_digest(p, msg, len, 1);
		return need_mechanism(o, CKM_RSA_PKCS, err);
	case TUFSIGN_SIG_ED25519:
		/* No parameters: pure Ed25519 (RFC 8032), no pre-hash, no context. */
		p->mech.mechanism = CKM_EDDSA;
		return need_mechanism(o, CKM_EDDSA, err);
	}
	return tufsign_error_set(err, TUFSIGN_ERR_UNSUPPORTED, "unknown signature scheme %d",
				 (int)scheme);
}

static size_t field_size(const tf_p11_object *o)
{
	return o->algo == TUFSIGN_ALGO_ECDSA_P384 ? 48 : 32;
}

/* CKM_ECDSA returns r||s. A module that drops leading zero bytes returns
 * less, so each half is left-padded to the curve size. */
static tufsign_status pad_ecdsa(const tf_p11_object *o, unsigned char **sig, size_t *len,
				tufsign_error *err)
{
	size_t field = field_size(o), half = *len / 2;
	unsigned char *raw = NULL;

	if (*len == 2 * field)
		return TUFSIGN_OK;
	if (*len % 2 != 0 || half > field)
		return tufsign_error_set(
			err, TUFSIGN_ERR_TOKEN,
			"token '%s' returned an ECDSA signature of %zu bytes, which "
			"is not r||s for the key's curve",
			o->token->label, *len);
	raw = calloc(1, 2 * field);
	if (raw == NULL)
		return tufsign_error_set(err, TUFSIGN_ERR_NOMEM, "out of memory");
	memcpy(raw + field - half, *sig, half);
	memcpy(raw + 2 * field - half, *sig + half, half);
	free(*sig);
	*sig = raw;
	*len = 2 * field;
	return TUFSIGN_OK;
}

/* End a started signing operation. PKCS#11 2.40 has no cancel call, but a
 * C_Sign into a large enough buffer ends the operation, succeeding or not. */
static void end_operation(tf_p11_token *t, const sign_plan *p)
{
	unsigned char scratch[1024];
	CK_ULONG n = sizeof(scratch);

	t->f->C_Sign(t->session, (CK_BYTE *)p->data, p->data_len, scratch, &n);
	tf_wipe(scratch, sizeof(scratch));
}

/* Bytes a signature of the key takes, so one C_Sign call suffices. */
static CK_ULONG expected_len(const tf_p11_object *o)
{
	switch (o->algo) {
	case TUFSIGN_ALGO_RSA:
		return (o->bits + 7) / 8;
	case TUFSIGN_ALGO_ED25519:
		return 64;
	default:
		return 2 * field_size(o);
	}
}

static tufsign_status token_sign(tf_p11_object *o, sign_plan *p, unsigned char **sig,
				 size_t *sig_len, tufsign_error *err)
{
	tf_p11_token *t = o->token;
	CK_ULONG len = expected_len(o);
	tufsign_status st = TUFSIGN_OK;
	CK_RV rv;

	rv = t->f->C_SignInit(t->session, &p->mech, o->handle);
	if (rv != CKR_OK)
		return tf_p11_error(err, TUFSIGN_ERR_TOKEN, rv, "cannot start %s with key '%s'",
				    tf_p11_mech_name(p->mech.mechanism), o->label);
	if (o->always_authenticate)
		st = tf_p11_context_login(t, err);
	if (st == TUFSIGN_OK && (*sig = malloc(len)) == NULL)
		rv = CKR_HOST_MEMORY;
	if (st == TUFSIGN_OK && rv == CKR_OK)
		rv = t->f->C_Sign(t->session, (CK_BYTE *)p->data, p->data_len, *sig, &len);
	/* A module whose signatures are longer than the key size suggests keeps
	 * the operation open and reports the length it needs. */
	if (st == TUFSIGN_OK && rv == CKR_BUFFER_TOO_SMALL) {
		unsigned char *grown = realloc(*sig, len);

		rv = grown ? CKR_OK : CKR_HOST_MEMORY;
		if (grown != NULL) {
			*sig = grown;
			rv = t->f->C_Sign(t->session, (CK_BYTE *)p->data, p->data_len, *sig, &len);
		}
	}
	if (st == TUFSIGN_OK && rv != CKR_OK)
		st = tf_p11_error(err, TUFSIGN_ERR_TOKEN, rv,
				  "signing with key '%s' on token '%s' failed", o->label, t->label);
	if (st != TUFSIGN_OK) {
		if (rv == CKR_OK || rv == CKR_HOST_MEMORY)
			end_operation(t, p);
		free(*sig);
		*sig = NULL;
		return st;
	}
	*sig_len = len;
	return TUFSIGN_OK;
}

/* The key's verification context, made on first use and kept with the
 * object, so that each further signature pays only for the verification. */
static tufsign_status verify_ctx(tf_p11_object *o, EVP_PKEY_CTX **ctx, tufsign_error *err)
{
	EVP_PKEY_CTX *created = NULL;

	if (o->verify_ctx == NULL) {
		created = EVP_PKEY_CTX_new_from_pkey(NULL, o->pub, NULL);
		if (created == NULL || EVP_PKEY_verify_init(created) != 1) {
			EVP_PKEY_CTX_free(created);
			return tf_openssl_error(err, TUFSIGN_ERR_CRYPTO,
						"cannot set up the verification with key '%s'",
						o->label);
		}
		o->verify_ctx = created;
	}
	*ctx = o->verify_ctx;
	return TUFSIGN_OK;
}

/* Check the signature with the public key before it leaves the engine. An
 * ECDSA signature is checked over the digest the token signed, which
 * spares hashing msg again and setting up a new context. */
static tufsign_status verify(tf_p11_object *o, tufsign_sig_scheme scheme, const sign_plan *p,
			     const unsigned char *msg, size_t msg_len, const unsigned char *sig,
			     size_t sig_len, tufsign_error *err)
{
	EVP_PKEY_CTX *ctx = NULL;
	tufsign_status st;

	if (scheme != TUFSIGN_SIG_ECDSA_SHA256)
		return tf_engine_verify(o->pub, scheme, msg, msg_len, sig, sig_len, err);
	st = verify_ctx(o, &ctx, err);
	if (st == TUFSIGN_OK)
		st = tf_engine_verify_ecdsa_digest(ctx, p->data, p->data_len, sig, sig_len, err);
	return st;
}

tufsign_status tf_p11_sign(tf_p11_object *o, tufsign_sig_scheme scheme, const unsigned char *msg,
			   size_t msg_len, unsigned char **sig, size_t *sig_len, tufsign_error *err)
{
	sign_plan p;
	tufsign_status st;

	*sig = NULL;
	*sig_len = 0;
	if (!tf_engine_scheme_fits(o->algo, scheme))
		return tufsign_error_set(err, TUFSIGN_ERR_INVALID_ARGUMENT,
					 "key '%s' is %s and cannot make this kind of signature",
					 o->label, tufsign_key_algo_name(o->algo));
	st = plan(o, scheme, msg, msg_len, &p, err);
	if (st == TUFSIGN_OK)
		st = token_sign(o, &p, sig, sig_len, err);
	if (st == TUFSIGN_OK && scheme == TUFSIGN_SIG_ECDSA_SHA256)
		st = pad_ecdsa(o, sig, sig_len, err);
	if (st == TUFSIGN_OK)
		st = verify(o, scheme, &p, msg, msg_len, *sig, *sig_len, err);
	if (st != TUFSIGN_OK) {
		free(*sig);
		*sig = NULL;
		*sig_len = 0;
	}
	return st;
}
