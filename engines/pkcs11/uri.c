/* RFC 7512 PKCS#11 URIs, parsed and formatted by p11-kit. */
#include <stdlib.h>
#include <string.h>

#include "pkcs11/p11.h"

void tf_p11_trim(const unsigned char *in, size_t in_len, char *out, size_t n)
{
	size_t len = in_len;

	while (len > 0 && (in[len - 1] == ' ' || in[len - 1] == '\0'))
		len--;
	if (len >= n)
		len = n - 1;
	memcpy(out, in, len);
	out[len] = '\0';
}

/* Text of a URI for messages; never one that may carry a PIN. */
static const char *shown(const char *text)
{
	return strstr(text, "pin-value") ? "(withheld because it contains pin-value)" : text;
}

tufsign_status tf_p11_uri_parse(const char *text, int for_object, tf_p11_uri *out,
				tufsign_error *err)
{
	CK_ATTRIBUTE *cls = NULL;
	tufsign_status st;
	int rc;

	memset(out, 0, sizeof(*out));
	out->slot_id = (CK_SLOT_ID)-1;
	out->text = text;
	out->uri = p11_kit_uri_new();
	if (out->uri == NULL)
		return tufsign_error_set(err, TUFSIGN_ERR_NOMEM, "out of memory");
	rc = p11_kit_uri_parse(text, P11_KIT_URI_FOR_ANY, out->uri);
	if (rc != P11_KIT_URI_OK) {
		tf_p11_uri_release(out);
		return tufsign_error_set(err, TUFSIGN_ERR_URI, "invalid PKCS#11 URI '%s': %s",
					 shown(text), p11_kit_uri_message(rc));
	}
	/* A PIN in the URI would sit in argv and in shell history. The message
	 * leaves the URI out, because it contains the PIN. */
	if (p11_kit_uri_get_pin_value(out->uri) != NULL) {
		tf_p11_uri_release(out);
		return tufsign_error_set(
			err, TUFSIGN_ERR_URI,
			"the PKCS#11 URI contains pin-value, which tufsign rejects "
			"because command lines are visible to other users; use "
			"?pin-source=file:PATH in the URI, --pin-file or TUFSIGN_PIN");
	}
	st = tf_p11_uri_check_attributes(text, shown(text), p11_kit_uri_any_unrecognized(out->uri),
					 err);
	if (st != TUFSIGN_OK) {
		tf_p11_uri_release(out);
		return st;
	}
	out->module_path = p11_kit_uri_get_module_path(out->uri);
	out->module_name = p11_kit_uri_get_module_name(out->uri);
	out->pin_source = p11_kit_uri_get_pin_source(out->uri);
	out->slot_id = p11_kit_uri_get_slot_id(out->uri);
	cls = p11_kit_uri_get_attribute(out->uri, CKA_CLASS);
	if (for_object && cls != NULL && cls->ulValueLen == sizeof(CK_OBJECT_CLASS) &&
	    *(CK_OBJECT_CLASS *)cls->pValue != CKO_PRIVATE_KEY) {
		tf_p11_uri_release(out);
		return tufsign_error_set(err, TUFSIGN_ERR_URI,
					 "PKCS#11 URI '%s' names an object type other than "
					 "'private'; a signing key needs type=private or no type",
					 text);
	}
	return TUFSIGN_OK;
}

void tf_p11_uri_release(tf_p11_uri *u)
{
	if (u->uri != NULL)
		p11_kit_uri_free(u->uri);
	memset(u, 0, sizeof(*u));
}

static char *format_uri(P11KitUri *uri, P11KitUriType type)
{
	char *text = NULL;
	char *copy = NULL;

	if (p11_kit_uri_format(uri, type, &text) != P11_KIT_URI_OK)
		return NULL;
	copy = tf_strdup(text);
	free(text);
	return copy;
}

char *tf_p11_token_uri(const CK_TOKEN_INFO *info)
{
	P11KitUri *uri = p11_kit_uri_new();
	char *text = NULL;

	if (uri == NULL)
		return NULL;
	memcpy(p11_kit_uri_get_token_info(uri), info, sizeof(*info));
	text = format_uri(uri, P11_KIT_URI_FOR_TOKEN);
	p11_kit_uri_free(uri);
	return text;
}

char *tf_p11_key_uri(const CK_TOKEN_INFO *info, const char *label, const unsigned char *id,
		     size_t id_len)
{
	P11KitUri *uri = p11_kit_uri_new();
	CK_OBJECT_CLASS cls = CKO_PRIVATE_KEY;
	CK_ATTRIBUTE attrs[3];
	CK_ULONG n = 0;
	char *text = NULL;

	if (uri == NULL)
		return NULL;
	memcpy(p11_kit_uri_get_token_info(uri), info, sizeof(*info));
	if (label != NULL && label[0] != '\0')
		attrs[n++] = (CK_ATTRIBUTE){CKA_LABEL, (void *)label, strlen(label)};
	if (id_len > 0)
		attrs[n++] = (CK_ATTRIBUTE){CKA_ID, (void *)id, id_len};
	attrs[n++] = (CK_ATTRIBUTE){CKA_CLASS, &cls, sizeof(cls)};
	if (p11_kit_uri_set_attributes(uri, attrs, n) == P11_KIT_URI_OK)
		text = format_uri(uri, P11_KIT_URI_FOR_OBJECT_ON_TOKEN);
	p11_kit_uri_free(uri);
	return text;
}
