/* Fuzz both canonicalizers: whatever the strict one accepts, the verifier's
 * must accept with the same output, and canonical output is a fixed point. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tufsign/json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *strict = NULL, *lenient = NULL, *again = NULL, *escaped = NULL;
	size_t strict_len = 0, lenient_len = 0, again_len = 0, escaped_len = 0;
	tufsign_error err;

	tufsign_error_clear(&err);
	if (tufsign_json_canonicalize((const char *)data, size, TUFSIGN_CANON_VERIFIER, &lenient,
				      &lenient_len, &err) == TUFSIGN_OK) {
		/* verifier output without control characters re-canonicalizes to itself */
		if (tufsign_json_canonicalize(lenient, lenient_len, TUFSIGN_CANON_VERIFIER, &again,
					      &again_len, NULL) == TUFSIGN_OK &&
		    (again_len != lenient_len || memcmp(again, lenient, lenient_len) != 0))
			abort();
		if (tufsign_json_escape_html(lenient, lenient_len, &escaped, &escaped_len, NULL) !=
		    TUFSIGN_OK)
			abort();
	} else if (err.message[0] == '\0') {
		abort();
	}
	if (tufsign_json_canonicalize((const char *)data, size, TUFSIGN_CANON_STRICT, &strict,
				      &strict_len, NULL) == TUFSIGN_OK &&
	    (lenient == NULL || strict_len != lenient_len ||
	     memcmp(strict, lenient, strict_len) != 0))
		abort();
	free(strict);
	free(lenient);
	free(again);
	free(escaped);
	return 0;
}
