/* Explanations for PKCS#11 URIs that p11-kit parses but that would match no
 * token: an attribute name it does not know, a query attribute written in
 * the path part, or a value that no PKCS#11 field can hold. */
#include <stdlib.h>
#include <string.h>

#include "pkcs11/p11.h"

/* The path attributes p11-kit 0.24 parses: those of RFC 7512 and the older
 * spellings objecttype and object-type. */
static const char *const path_attributes[] = {
	"token",
	"manufacturer",
	"serial",
	"model",
	"object",
	"id",
	"type",
	"object-type",
	"objecttype",
	"slot-id",
	"slot-description",
	"slot-manufacturer",
	"library-version",
	"library-description",
	"library-manufacturer",
};

/* Query attributes of RFC 7512 (and pinfile, an older name of pin-source).
 * p11-kit also takes pin-source and pin-value from the path part, but
 * tufsign rejects them there like module-path and module-name, which
 * p11-kit reads only after '?'.
 * NOTE: other names after '?' pass unchecked, because p11-kit keeps them as
 * vendor attributes, so a typo such as module_path= goes unnoticed. */
static const char *const query_attributes[] = {
	"pin-source", "pinfile", "pin-value", "module-name", "module-path",
};

/* Largest value, in bytes, of the blank-padded fields of CK_TOKEN_INFO,
 * CK_SLOT_INFO and CK_INFO that the path attributes match. */
static const struct field_size {
	const char *name;
	size_t max;
} field_sizes[] = {
	{"token", 32},
	{"manufacturer", 32},
	{"serial", 16},
	{"model", 16},
	{"slot-description", 64},
	{"slot-manufacturer", 32},
	{"library-description", 32},
	{"library-manufacturer", 32},
};

/* Names of the object type attribute, and the types p11-kit accepts. */
static const char *const type_names[] = {"type", "object-type", "objecttype"};
static const char *const object_types[] = {
	"cert", "public", "private", "secret-key", "secretkey", "data",
};

static int name_is(const char *name, size_t len, const char *const *list, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strlen(list[i]) == len && strncmp(name, list[i], len) == 0)
			return 1;
	return 0;
}

/* One "name=value" attribute of the path part. */
typedef struct path_attribute {
	const char *name;
	size_t name_len;
	const char *value;
	size_t value_len;
} path_attribute;

/* Step to the next path attribute of a URI without whitespace, starting at
 * *pos (just after "pkcs11:" on the first call). Returns 0 at the end of
 * the path part. p11-kit has checked that each one contains '='. */
static int next_attribute(const char **pos, path_attribute *a)
{
	const char *p = *pos;
	size_t len = strcspn(p, ";?");

	if (len == 0)
		return 0;
	a->name = p;
	a->name_len = strcspn(p, "=");
	if (a->name_len > len)
		a->name_len = len;
	a->value = p + a->name_len + (a->name_len < len);
	a->value_len = len - (size_t)(a->value - p);
	*pos = p[len] == ';' ? p + len + 1 : p + len;
	return 1;
}

/* Number of bytes value stands for once its %XX escapes are decoded. */
static size_t decoded_len(const char *value, size_t len)
{
	size_t i, n = 0;

	for (i = 0; i < len; i++, n++)
		if (value[i] == '%' && i + 2 < len)
			i += 2;
	return n;
}

static tufsign_status unknown_name(const char *shown, const path_attribute *a, tufsign_error *err)
{
	return tufsign_error_set(err, TUFSIGN_ERR_URI,
				 "PKCS#11 URI '%s' contains the attribute '%.*s', which tufsign "
				 "does not recognize, so the URI matches no token; the path "
				 "attributes are token, object, id, type, serial, model, "
				 "manufacturer, slot-id, slot-description, slot-manufacturer, "
				 "library-description, library-manufacturer and library-version",
				 shown, (int)a->name_len, a->name);
}

/* Report the query attributes found in the path part, with the URI that
 * has them after '?'. */
static tufsign_status misplaced(const char *uri, const char *shown, tufsign_error *err)
{
	const char *pos = uri + strlen("pkcs11:");
	const char *query = strchr(uri, '?');
	tf_buf names, path, moved;
	path_attribute a;
	size_t count = 0;
	tufsign_status st;

	tf_buf_init(&names);
	tf_buf_init(&path);
	tf_buf_init(&moved);
	while (next_attribute(&pos, &a)) {
		int is_query = name_is(a.name, a.name_len, query_attributes,
				       TF_ARRAY_LEN(query_attributes));
		tf_buf *to = is_query ? &moved : &path;

		if (is_query)
			tf_buf_printf(&names, "%s%.*s", count++ ? ", " : "", (int)a.name_len,
				      a.name);
		if (to->len > 0)
			tf_buf_append_str(to, is_query ? "&" : ";");
		tf_buf_printf(to, "%.*s", (int)(a.value + a.value_len - a.name), a.name);
	}
	st = TUFSIGN_OK;
	if (names.failed || path.failed || moved.failed)
		st = tufsign_error_set(err, TUFSIGN_ERR_NOMEM, "out of memory");
	else if (count > 0)
		st = tufsign_error_set(
			err, TUFSIGN_ERR_URI,
			"PKCS#11 URI '%s' has the query attribute%s %s in its path part; RFC "
			"7512 puts query attributes after '?', as in 'pkcs11:%s?%s%s%s'",
			shown, count > 1 ? "s" : "", (char *)names.data,
			path.data ? (char *)path.data : "", query ? query + 1 : "",
			query && query[1] != '\0' ? "&" : "", (char *)moved.data);
	tf_buf_release(&names, 0);
	tf_buf_release(&path, 0);
	tf_buf_release(&moved, 0);
	return st;
}

/* Name the value that p11-kit marked as unrecognized: an unknown object
 * type, or a value longer than the PKCS#11 field it is compared with. */
static tufsign_status bad_value(const char *uri, const char *shown, tufsign_error *err)
{
	const char *pos = uri + strlen("pkcs11:");
	path_attribute a;
	size_t i;

	while (next_attribute(&pos, &a)) {
		if (name_is(a.name, a.name_len, type_names, TF_ARRAY_LEN(type_names)) &&
		    !name_is(a.value, a.value_len, object_types, TF_ARRAY_LEN(object_types)))
			return tufsign_error_set(err, TUFSIGN_ERR_URI,
						 "PKCS#11 URI '%s' has %.*s=%.*s; the object types "
						 "are cert, public, private, secret-key and data",
						 shown, (int)a.name_len, a.name, (int)a.value_len,
						 a.value);
		for (i = 0; i < TF_ARRAY_LEN(field_sizes); i++)
			if (name_is(a.name, a.name_len, &field_sizes[i].name, 1) &&
			    decoded_len(a.value, a.value_len) > field_sizes[i].max)
				return tufsign_error_set(
					err, TUFSIGN_ERR_URI,
					"PKCS#11 URI '%s' has a %s value of %zu bytes, longer than "
					"the %zu bytes PKCS#11 allows, so it matches no token",
					shown, field_sizes[i].name,
					decoded_len(a.value, a.value_len), field_sizes[i].max);
	}
	return tufsign_error_set(err, TUFSIGN_ERR_URI,
				 "PKCS#11 URI '%s' contains an attribute value tufsign does not "
				 "recognize; it matches no token",
				 shown);
}

/* Copy text without the whitespace p11-kit ignores in a URI. */
static char *without_whitespace(const char *text)
{
	char *copy = tf_strdup(text);
	size_t i, n = 0;

	for (i = 0; copy != NULL && copy[i] != '\0'; i++)
		if (strchr(" \t\n\r\v\f", copy[i]) == NULL)
			copy[n++] = copy[i];
	if (copy != NULL)
		copy[n] = '\0';
	return copy;
}

tufsign_status tf_p11_uri_check_attributes(const char *text, const char *shown, int unrecognized,
					   tufsign_error *err)
{
	char *uri = without_whitespace(text);
	const char *pos;
	path_attribute a;
	tufsign_status st = TUFSIGN_OK;

	if (uri == NULL)
		return tufsign_error_set(err, TUFSIGN_ERR_NOMEM, "out of memory");
	pos = uri + strlen("pkcs11:");
	while (st == TUFSIGN_OK && next_attribute(&pos, &a))
		if (!name_is(a.name, a.name_len, path_attributes, TF_ARRAY_LEN(path_attributes)) &&
		    !name_is(a.name, a.name_len, query_attributes, TF_ARRAY_LEN(query_attributes)))
			st = unknown_name(shown, &a, err);
	if (st == TUFSIGN_OK)
		st = misplaced(uri, shown, err);
	if (st == TUFSIGN_OK && unrecognized)
		st = bad_value(uri, shown, err);
	free(uri);
	return st;
}
