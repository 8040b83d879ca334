/* The canonical JSON encoder of notary's verifier, run over JSON text. */
#include <errno.h>
#include <locale.h>
#include <stdlib.h>
#include <string.h>

#include "json_scan.h"

typedef struct member {
	size_t key_off;
	size_t key_len;
	const unsigned char *key;
	const unsigned char *value;
	size_t seq;
} member;

static int member_cmp(const void *a, const void *b)
{
	const member *x = a, *y = b;
	size_t n = x->key_len < y->key_len ? x->key_len : y->key_len;
	int c = memcmp(x->key, y->key, n);

	if (c != 0)
		return c;
	if (x->key_len != y->key_len)
		return x->key_len < y->key_len ? -1 : 1;
	return x->seq < y->seq ? -1 : (x->seq > y->seq);
}

static locale_t c_locale(void)
{
	static locale_t loc;

	/* A benign race: two threads may each create the same C locale. */
	if (loc == (locale_t)0)
		loc = newlocale(LC_NUMERIC_MASK, "C", (locale_t)0);
	return loc;
}

/* Print a number as notary's verifier does: decoded as a double, which must
 * be integral, then written as a 64-bit integer. */
static tufsign_status canon_number_verifier(tf_json *j, const unsigned char *s, size_t len,
					    tf_buf *out)
{
	char tmp[128];
	char *text = len < sizeof(tmp) ? tmp : tf_strndup((const char *)s, len);
	tufsign_status st = TUFSIGN_OK;
	int64_t i = INT64_MIN;
	double d;

	if (text == NULL)
		return TUFSIGN_ERR_NOMEM;
	if (text == tmp) {
		memcpy(tmp, s, len);
		tmp[len] = '\0';
	}
	d = strtod_l(text, NULL, c_locale());
	if (d > 1.7976931348623157e308 || d < -1.7976931348623157e308) {
		st = tf_json_fail(j, TUFSIGN_ERR_JSON, "number %s is out of the double range",
				  text);
		goto out;
	}
	/* int64 conversion of values at 2^63 and beyond gives INT64_MIN on
	 * amd64, which is what notary-server prints there. */
	if (d > -9223372036854775808.0 && d < 9223372036854775808.0) {
		i = (int64_t)d;
		if ((double)i != d) {
			st = tf_json_fail(j, TUFSIGN_ERR_JSON,
					  "number %s is not an integer, so notary cannot "
					  "canonicalize it",
					  text);
			goto out;
		}
	} else if (d == -9223372036854775808.0) {
		i = INT64_MIN;
	}
	if (tf_buf_printf(out, "%lld", (long long)i))
		st = TUFSIGN_ERR_NOMEM;
out:
	if (text != tmp)
		free(text);
	return st;
}

static tufsign_status canon_number(tf_json *j, tufsign_canon_mode mode, tf_buf *out)
{
	const unsigned char *s = NULL;
	int64_t v = 0;
	size_t len = 0;
	tufsign_status st;

	if (mode == TUFSIGN_CANON_STRICT) {
		st = tf_json_int(j, -TF_JSON_MAX_INT, &v);
		if (st != TUFSIGN_OK)
			return st;
		return tf_buf_printf(out, "%lld", (long long)v) ? TUFSIGN_ERR_NOMEM : TUFSIGN_OK;
	}
	st = tf_json_number(j, &s, &len);
	if (st != TUFSIGN_OK)
		return st;
	return canon_number_verifier(j, s, len, out);
}

static tufsign_status canon_string(tf_json *j, tufsign_canon_mode mode, tf_buf *tmp, tf_buf *out)
{
	unsigned flags = 0;
	tufsign_status st;

	tmp->len = 0;
	if (mode == TUFSIGN_CANON_STRICT)
		st = tf_json_string_strict(j, tmp, "string");
	else
		st = tf_json_string(j, tmp, &flags);
	if (st != TUFSIGN_OK)
		return st;
	return tf_json_put_string(out, (const char *)tmp->data, tmp->len, 0) ? TUFSIGN_ERR_NOMEM
									     : TUFSIGN_OK;
}

/* Read the members of the object at j->p (after '{') into *members with
 * their decoded keys in keys. */
static tufsign_status collect_members(tf_json *j, tufsign_canon_mode mode, tf_buf *keys,
				      member **members, size_t *count)
{
	member *m = NULL, *grown;
	size_t n = 0, cap = 0, off, saved;
	unsigned flags = 0;
	tufsign_status st = TUFSIGN_OK;
	int more = 1;

	while (more == 1) {
		if (n == cap) {
			cap = cap ? cap * 2 : 8;
			grown = realloc(m, cap * sizeof(*m));
			if (grown == NULL) {
				st = TUFSIGN_ERR_NOMEM;
				break;
			}
			m = grown;
		}
		off = keys->len;
		if (mode == TUFSIGN_CANON_STRICT)
			st = tf_json_string_strict(j, keys, "key");
		else
			st = tf_json_string(j, keys, &flags);
		if (st == TUFSIGN_OK)
			st = tf_json_expect(j, ':');
		if (st != TUFSIGN_OK)
			break;
		tf_json_peek(j);
		m[n] = (member){
			.key_off = off, .key_len = keys->len - off, .value = j->p, .seq = n};
		n++;
		saved = tf_jpath_push_key(&j->path, (const char *)keys->data + off,
					  keys->len - off);
		st = tf_json_skip(j);
		if (st != TUFSIGN_OK)
			break;
		tf_jpath_pop(&j->path, saved);
		more = tf_json_next(j, '}');
		if (more < 0)
			st = TUFSIGN_ERR_JSON;
	}
	*members = m;
	*count = n;
	return st;
}

static tufsign_status emit_members(tf_json *j, tufsign_canon_mode mode, member *m, size_t n,
				   tf_buf *out)
{
	tufsign_status st = TUFSIGN_OK;
	size_t i, saved;
	int first = 1;

	for (i = 0; i < n && st == TUFSIGN_OK; i++) {
		/* Of equal keys the last one wins, as in notary's decoder. */
		if (i + 1 < n && m[i].key_len == m[i + 1].key_len &&
		    memcmp(m[i].key, m[i + 1].key, m[i].key_len) == 0) {
			if (mode == TUFSIGN_CANON_STRICT)
				return tf_json_fail(j, TUFSIGN_ERR_METADATA,
						    "duplicate key \"%.*s\"", (int)m[i].key_len,
						    (const char *)m[i].key);
			continue;
		}
		if ((!first && tf_buf_append_byte(out, ',')) ||
		    tf_json_put_string(out, (const char *)m[i].key, m[i].key_len, 0) ||
		    tf_buf_append_byte(out, ':'))
			return TUFSIGN_ERR_NOMEM;
		first = 0;
		saved = tf_jpath_push_key(&j->path, (const char *)m[i].key, m[i].key_len);
		j->p = m[i].value;
		st = tf_json_canon_value(j, mode, out);
		if (st == TUFSIGN_OK)
			tf_jpath_pop(&j->path, saved);
	}
	return st;
}

/* Return 1 when key sorts strictly after prev, byte-wise. */
static int key_after(const tf_buf *prev, const tf_buf *key)
{
	size_t n = prev->len < key->len ? prev->len : key->len;
	int c = n ? memcmp(prev->data, key->data, n) : 0;

	return c < 0 || (c == 0 && prev->len < key->len);
}

/* Write the object at j->p directly while its keys come in strictly
 * increasing order, which is the case for every canonical document. Returns
 * 1 when a key is out of order (nothing is consumed then and the caller
 * sorts), 0 when done, -1 on error with *st set. */
static int canon_object_in_order(tf_json *j, tufsign_canon_mode mode, tf_buf *out,
				 tufsign_status *st)
{
	const unsigned char *start = j->p;
	size_t out_start = out->len, saved;
	tf_buf keys[2];
	unsigned flags = 0, cur = 0;
	int more = 1, rc = -1;

	tf_buf_init(&keys[0]);
	tf_buf_init(&keys[1]);
	j->p++;
	*st = tf_buf_append_byte(out, '{') ? TUFSIGN_ERR_NOMEM : TUFSIGN_OK;
	while (*st == TUFSIGN_OK && more == 1) {
		keys[cur].len = 0;
		if (mode == TUFSIGN_CANON_STRICT)
			*st = tf_json_string_strict(j, &keys[cur], "key");
		else
			*st = tf_json_string(j, &keys[cur], &flags);
		if (*st != TUFSIGN_OK)
			break;
		if (keys[cur].failed) {
			*st = TUFSIGN_ERR_NOMEM;
			break;
		}
		if (out->len > out_start + 1 && !key_after(&keys[cur ^ 1], &keys[cur])) {
			rc = 1;
			break;
		}
		if ((out->len > out_start + 1 && tf_buf_append_byte(out, ',')) ||
		    tf_json_put_string(out, keys[cur].data ? (const char *)keys[cur].data : "",
				       keys[cur].len, 0) ||
		    tf_buf_append_byte(out, ':')) {
			*st = TUFSIGN_ERR_NOMEM;
			break;
		}
		*st = tf_json_expect(j, ':');
		if (*st != TUFSIGN_OK)
			break;
		saved = tf_jpath_push_key(&j->path, (const char *)keys[cur].data, keys[cur].len);
		*st = tf_json_canon_value(j, mode, out);
		if (*st != TUFSIGN_OK)
			break;
		tf_jpath_pop(&j->path, saved);
		cur ^= 1;
		more = tf_json_next(j, '}');
		if (more < 0)
			*st = TUFSIGN_ERR_JSON;
	}
	if (*st == TUFSIGN_OK && rc != 1)
		rc = tf_buf_append_byte(out, '}') ? (*st = TUFSIGN_ERR_NOMEM, -1) : 0;
	if (rc == 1) {
		out->len = out_start;
		j->p = start;
	}
	tf_buf_release(&keys[0], 0);
	tf_buf_release(&keys[1], 0);
	return rc;
}

static tufsign_status canon_object_sorted(tf_json *j, tufsign_canon_mode mode, tf_buf *out)
{
	tf_buf keys;
	member *m = NULL;
	size_t n = 0, i;
	const unsigned char *after;
	tufsign_status st;

	tf_buf_init(&keys);
	j->p++;
	st = collect_members(j, mode, &keys, &m, &n);
	if (st != TUFSIGN_OK)
		goto out;
	if (keys.failed) {
		st = TUFSIGN_ERR_NOMEM;
		goto out;
	}
	after = j->p;
	for (i = 0; i < n; i++)
		m[i].key = keys.data ? keys.data + m[i].key_off : (const unsigned char *)"";
	qsort(m, n, sizeof(*m), member_cmp);
	if (tf_buf_append_byte(out, '{')) {
		st = TUFSIGN_ERR_NOMEM;
		goto out;
	}
	st = emit_members(j, mode, m, n, out);
	if (st != TUFSIGN_OK)
		goto out;
	j->p = after;
	if (tf_buf_append_byte(out, '}'))
		st = TUFSIGN_ERR_NOMEM;
out:
	free(m);
	tf_buf_release(&keys, 0);
	return st;
}

static tufsign_status canon_object(tf_json *j, tufsign_canon_mode mode, tf_buf *out)
{
	tufsign_status st = TUFSIGN_OK;
	const unsigned char *start = j->p;
	int rc;

	j->p++;
	if (tf_json_peek(j) == '}') {
		j->p++;
		return tf_buf_append(out, "{}", 2) ? TUFSIGN_ERR_NOMEM : TUFSIGN_OK;
	}
	j->p = start;
	rc = canon_object_in_order(j, mode, out, &st);
	if (rc <= 0)
		return st;
	return canon_object_sorted(j, mode, out);
}

static tufsign_status canon_array(tf_json *j, tufsign_canon_mode mode, tf_buf *out)
{
	tufsign_status st = TUFSIGN_OK;
	size_t index = 0, saved;
	int more = 1;

	j->p++;
	if (tf_buf_append_byte(out, '['))
		return TUFSIGN_ERR_NOMEM;
	if (tf_json_peek(j) == ']') {
		j->p++;
		return tf_buf_append_byte(out, ']') ? TUFSIGN_ERR_NOMEM : TUFSIGN_OK;
	}
	while (more == 1) {
		if (index > 0 && tf_buf_append_byte(out, ','))
			return TUFSIGN_ERR_NOMEM;
		saved = tf_jpath_push_index(&j->path, index++);
		st = tf_json_canon_value(j, mode, out);
		if (st != TUFSIGN_OK)
			return st;
		tf_jpath_pop(&j->path, saved);
		more = tf_json_next(j, ']');
	}
	if (more < 0)
		return TUFSIGN_ERR_JSON;
	return tf_buf_append_byte(out, ']') ? TUFSIGN_ERR_NOMEM : TUFSIGN_OK;
}

static tufsign_status canon_literal(tf_json *j, tf_buf *out)
{
	const unsigned char *s = j->p;
	tufsign_status st = tf_json_skip(j);

	if (st != TUFSIGN_OK)
		return st;
	return tf_buf_append(out, s, (size_t)(j->p - s)) ? TUFSIGN_ERR_NOMEM : TUFSIGN_OK;
}

tufsign_status tf_json_canon_value(tf_json *j, tufsign_canon_mode mode, tf_buf *out)
{
	tf_buf tmp;
	tufsign_status st;

	switch (tf_json_peek(j)) {
	case '{':
	case '[':
		if (++j->depth > TF_JSON_MAX_DEPTH)
			return tf_json_fail(j, TUFSIGN_ERR_JSON,
					    "JSON nested deeper than %d levels", TF_JSON_MAX_DEPTH);
		st = *j->p == '{' ? canon_object(j, mode, out) : canon_array(j, mode, out);
		j->depth--;
		return st;
	case '"':
		tf_buf_init(&tmp);
		st = canon_string(j, mode, &tmp, out);
		tf_buf_release(&tmp, 0);
		return st;
	case 't':
	case 'f':
	case 'n':
		return canon_literal(j, out);
	case -1:
		return tf_json_syntax(j, "expected a value");
	default:
		return canon_number(j, mode, out);
	}
}

tufsign_status tufsign_json_canonicalize(const char *in, size_t len, tufsign_canon_mode mode,
					 char **out, size_t *out_len, tufsign_error *err)
{
	tf_json j;
	tf_buf b;
	tufsign_status st;

	*out = NULL;
	if (out_len != NULL)
		*out_len = 0;
	if (in == NULL && len > 0)
		return tufsign_error_set(err, TUFSIGN_ERR_INVALID_ARGUMENT, "no JSON text given");
	tf_json_init(&j, in, len, err);
	tf_buf_init(&b);
	/* canonical text is rarely longer than its input */
	tf_buf_presize(&b, len + 64);
	st = tf_json_canon_value(&j, mode, &b);
	if (st == TUFSIGN_OK)
		st = tf_json_end(&j);
	if (st == TUFSIGN_OK) {
		*out = (char *)tf_buf_steal(&b, out_len);
		if (*out == NULL)
			st = TUFSIGN_ERR_NOMEM;
	}
	if (st == TUFSIGN_ERR_NOMEM)
		tufsign_error_set(err, st, "out of memory while canonicalizing JSON");
	tf_buf_release(&b, 0);
	return st;
}

tufsign_status tufsign_json_escape_html(const char *in, size_t len, char **out, size_t *out_len,
					tufsign_error *err)
{
	tf_buf b;

	*out = NULL;
	if (out_len != NULL)
		*out_len = 0;
	tf_buf_init(&b);
	if (tf_buf_reserve(&b, len + len / 8) || tf_json_put_raw(&b, in, len, 1)) {
		tf_buf_release(&b, 0);
		return tufsign_error_set(err, TUFSIGN_ERR_NOMEM,
					 "out of memory while escaping JSON");
	}
	*out = (char *)tf_buf_steal(&b, out_len);
	return *out ? TUFSIGN_OK : tufsign_error_set(err, TUFSIGN_ERR_NOMEM, "out of memory");
}
