/* Fuzz target for the parsers of server input in the Notary client: the
 * WWW-Authenticate challenge, the error body, base64 credentials, and the
 * GUN and role checks. Every input goes through all of them. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cache/names.h"
#include "net/net.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = tf_strndup((const char *)data, size);
	tufsign_error err;
	tf_challenge challenge;
	tf_credentials cred;
	char *escaped;

	if (text == NULL)
		return 0;
	tufsign_error_clear(&err);
	if (tf_challenge_parse(text, &challenge, &err) == TUFSIGN_OK)
		tf_challenge_release(&challenge);
	tufsign_error_clear(&err);
	tf_server_error(&err, "fuzz", 400, data, size);
	tufsign_error_clear(&err);
	if (tf_credentials_from_auth(text, "fuzz", &cred, &err) == TUFSIGN_OK)
		tf_credentials_release(&cred);
	tufsign_error_clear(&err);
	tf_check_role(text, &err);
	tufsign_error_clear(&err);
	if (tf_check_gun(text, &err) == TUFSIGN_OK) {
		escaped = tf_gun_escape(text);
		free(escaped);
	}
	free(text);
	return 0;
}
