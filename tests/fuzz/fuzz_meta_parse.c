/* Fuzz the role document parser and writer. The first byte picks the role.
 * A document that parses must re-serialize to bytes that parse again to the
 * same bytes. Its canonical bytes must also equal the verifier's
 * re-canonicalization of its file. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tufsign/metadata.h"
#include "tufsign/verify.h"

static const char *const roles[] = {"root", "targets", "targets/releases", "snapshot", "timestamp"};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *role;
	tufsign_meta *doc = NULL, *again = NULL;
	char *file = NULL, *file2 = NULL, *canon = NULL, *msg = NULL;
	size_t file_len = 0, file2_len = 0, canon_len = 0, msg_len = 0;

	if (size == 0)
		return 0;
	role = roles[data[0] % (sizeof(roles) / sizeof(roles[0]))];
	if (tufsign_meta_parse(role, data + 1, size - 1, &doc, NULL) != TUFSIGN_OK)
		return 0;
	if (tufsign_meta_file_bytes(doc, &file, &file_len, NULL) != TUFSIGN_OK ||
	    tufsign_meta_canonical(doc, &canon, &canon_len, NULL) != TUFSIGN_OK)
		abort();
	if (tufsign_meta_parse(role, (const unsigned char *)file, file_len, &again, NULL) !=
		    TUFSIGN_OK ||
	    tufsign_meta_file_bytes(again, &file2, &file2_len, NULL) != TUFSIGN_OK ||
	    file2_len != file_len || memcmp(file, file2, file_len) != 0)
		abort();
	if (tufsign_verify_message((const unsigned char *)file, file_len, &msg, &msg_len, NULL) !=
		    TUFSIGN_OK ||
	    msg_len != canon_len || memcmp(msg, canon, canon_len) != 0)
		abort();
	free(file);
	free(file2);
	free(canon);
	free(msg);
	tufsign_meta_free(doc);
	tufsign_meta_free(again);
	return 0;
}
