/* Canonical JSON as notary signs and checks it.
 *
 * notary verifies a signature over the canonical form of the "signed" value:
 * the value is decoded into generic JSON (every number a double, duplicate
 * keys resolved last-wins, invalid UTF-8 and lone surrogates replaced by
 * U+FFFD) and re-encoded with object members sorted byte-wise, no whitespace,
 * only '"' and '\' escaped and everything else written raw. The file bytes
 * additionally escape '<', '>', '&', U+2028 and U+2029 as \u003c, \u003e,
 * \u0026, \u2028 and \u2029. */
#ifndef TUFSIGN_JSON_H
#define TUFSIGN_JSON_H

#include <stddef.h>

#include "tufsign/error.h"
#include "tufsign/export.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Which canonicalizer to run. */
typedef enum tufsign_canon_mode {
	/* What notary's verifier computes from any JSON its decoder accepts:
	 * lenient decoding as described above. Fails only where notary fails
	 * (syntax errors, numbers that are not integral, numbers out of the
	 * double range). */
	TUFSIGN_CANON_VERIFIER = 0,
	/* What tufsign is willing to sign: additionally rejects duplicate keys,
	 * control characters U+0000-U+001F (raw or escaped), invalid UTF-8,
	 * lone surrogates, numbers written other than as a plain integer
	 * literal ("1.0", "1e2", "-0"), and integers of magnitude 2^53 or more. */
	TUFSIGN_CANON_STRICT = 1,
} tufsign_canon_mode;

/* Canonicalize the JSON text in[0..len) (one value, optional surrounding
 * whitespace). On success *out is a malloc'd, NUL-terminated buffer the
 * caller frees with free(), and *out_len its length without the NUL. On
 * failure *out is NULL and err names the JSON path and value, e.g. path
 * "custom.a[2]" and message "number 1.5 is not an integer". Objects may be
 * nested at most 512 levels deep. */
TUFSIGN_API tufsign_status tufsign_json_canonicalize(const char *in, size_t len,
						     tufsign_canon_mode mode, char **out,
						     size_t *out_len, tufsign_error *err);

/* Apply the file-byte escaping to canonical text: '<' '>' '&' become \u003c
 * \u003e \u0026 and the UTF-8 of U+2028/U+2029 becomes \u2028/\u2029; nothing
 * else changes. *out is malloc'd and NUL-terminated; the caller frees it. */
TUFSIGN_API tufsign_status tufsign_json_escape_html(const char *in, size_t len, char **out,
						    size_t *out_len, tufsign_error *err);

#ifdef __cplusplus
}
#endif

#endif
