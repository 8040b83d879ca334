/* The PKCS#11 engine's operations table: keys named by RFC 7512 URIs. */
#include <stdlib.h>
#include <string.h>

#include "engine_internal.h"
#include "pkcs11/p11.h"

static int p11_accepts(const char *ref)
{
	return ref != NULL && strncmp(ref, "pkcs11:", 7) == 0;
}

/* Keep the PIN while a CKA_ALWAYS_AUTHENTICATE key is open, because such a
 * key needs it again at every signature. For other keys, wipe it now. */
static tufsign_status keep_pin_for(tf_p11_object *o, const tf_p11_uri *u,
				   const tufsign_key_options *opts, tufsign_error *err)
{
	tf_p11_token *t = o->token;

	tufsign_status st = TUFSIGN_OK;

	if (!o->always_authenticate) {
		tf_p11_token_drop_pin(t);
		return TUFSIGN_OK;
	}
	if (t->pin == NULL && !(t->info.flags & CKF_PROTECTED_AUTHENTICATION_PATH))
		st = tf_p11_pin_read(u->pin_source, opts, t->label, &t->pin, t->pin_origin, err);
	if (st == TUFSIGN_OK)
		tf_p11_token_hold_pin(t);
	return st;
}

static tufsign_status p11_open(const char *ref, const tufsign_key_options *opts, void **handle,
			       tufsign_error *err)
{
	tf_p11_uri u;
	tf_p11_token *t = NULL;
	tf_p11_object *o = NULL;
	tufsign_status st;

	*handle = NULL;
	st = tf_p11_uri_parse(ref, 1, &u, err);
	if (st != TUFSIGN_OK)
		return st;
	st = tf_p11_token_open(&u, opts, &t, err);
	if (st == TUFSIGN_OK)
		st = tf_p11_key_find(t, &u, &o, err);
	if (st == TUFSIGN_OK)
		st = keep_pin_for(o, &u, opts, err);
	else if (t != NULL)
		tf_p11_token_drop_pin(t);
	tf_p11_uri_release(&u);
	if (st != TUFSIGN_OK) {
		tf_p11_object_free(o);
		return st;
	}
	TF_DEBUG("pkcs11", "opened key '%s' (%s) on token '%s'", o->label,
		 tufsign_key_algo_name(o->algo), t->label);
	*handle = o;
	return TUFSIGN_OK;
}

tufsign_status tf_p11_key_info(const tf_p11_object *o, tufsign_key_info *info, tufsign_error *err)
{
	tufsign_status st;

	memset(info, 0, sizeof(*info));
	info->label = tf_strdup(o->label);
	info->id_hex = malloc(2 * o->id_len + 1);
	info->uri = tf_p11_key_uri(&o->token->info, o->label, o->id, o->id_len);
	if (info->label == NULL || info->id_hex == NULL || info->uri == NULL)
		return tufsign_error_set(err, TUFSIGN_ERR_NOMEM, "out of memory");
	tf_hex_encode(o->id, o->id_len, info->id_hex);
	info->algo = o->algo;
	info->bits = o->bits;
	info->has_cert = o->has_cert;
	memcpy(info->cert_keyid, o->cert_keyid, sizeof(info->cert_keyid));
	st = tf_engine_keyid(o->spki, o->spki_len, o->algo, info->keyid, err);
	return st;
}

static tufsign_status list_found(tf_p11_token *t, const CK_OBJECT_HANDLE *h, size_t n,
				 tufsign_key_info *keys, size_t *count, tufsign_error *err)
{
	tufsign_status st = TUFSIGN_OK;
	size_t i;

	for (i = 0; i < n && st == TUFSIGN_OK; i++) {
		tf_p11_object *o = NULL;
		tufsign_error skip;

		tufsign_error_clear(&skip);
		/* One unreadable key must not hide the others. */
		if (tf_p11_key_load(t, h[i], &o, &skip) != TUFSIGN_OK) {
			TF_WARN("pkcs11", "skipping a key on token '%s': %s", t->label,
				skip.message);
			continue;
		}
		st = tf_p11_key_info(o, &keys[*count], err);
		(*count)++;
		tf_p11_object_free(o);
	}
	return st;
}

static tufsign_status p11_list_keys(const char *ref, const tufsign_key_options *opts,
				    tufsign_key_info **keys, size_t *count, tufsign_error *err)
{
	tf_p11_uri u;
	tf_p11_token *t = NULL;
	CK_OBJECT_HANDLE *h = NULL;
	size_t n = 0;
	tufsign_status st;

	*keys = NULL;
	*count = 0;
	st = tf_p11_uri_parse(ref, 1, &u, err);
	if (st != TUFSIGN_OK)
		return st;
	st = tf_p11_token_open(&u, opts, &t, err);
	if (st == TUFSIGN_OK) {
		tf_p11_token_drop_pin(t);
		st = tf_p11_find_objects(t, &u, CKO_PRIVATE_KEY, NULL, &h, &n, err);
	}
	if (st == TUFSIGN_OK && n > 0 && (*keys = calloc(n, sizeof(**keys))) == NULL)
		st = tufsign_error_set(err, TUFSIGN_ERR_NOMEM, "out of memory");
	if (st == TUFSIGN_OK && n > 0)
		st = list_found(t, h, n, *keys, count, err);
	if (st != TUFSIGN_OK) {
		tufsign_key_info_free(*keys, *count);
		*keys = NULL;
		*count = 0;
	}
	free(h);
	tf_p11_uri_release(&u);
	return st;
}

static tufsign_status p11_public_key(void *handle, const unsigned char **spki, size_t *spki_len,
				     tufsign_key_algo *algo, tufsign_error *err)
{
	tf_p11_object *o = handle;

	(void)err;
	*spki = o->spki;
	*spki_len = o->spki_len;
	*algo = o->algo;
	return TUFSIGN_OK;
}

static tufsign_status p11_sign(void *ctx, tufsign_sig_scheme scheme, const unsigned char *msg,
			       size_t msg_len, unsigned char **sig, size_t *sig_len,
			       tufsign_error *err)
{
	return tf_p11_sign(ctx, scheme, msg, msg_len, sig, sig_len, err);
}

static void p11_close(void *handle)
{
	tf_p11_object *o = handle;

	if (o == NULL)
		return;
	if (o->always_authenticate)
		tf_p11_token_release_pin(o->token);
	tf_p11_object_free(o);
}

const tufsign_engine_ops tufsign_engine_pkcs11 = {
	.name = "pkcs11",
	.accepts = p11_accepts,
	.open = p11_open,
	.list_keys = p11_list_keys,
	.public_key = p11_public_key,
	.sign = p11_sign,
	.close = p11_close,
};
