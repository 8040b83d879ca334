/* Fuzz the verifier: the input is checked as a trusted root (certificate
 * checks, thresholds), and as a timestamp against a fixed root whose
 * timestamp key is a known Ed25519 key. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tufsign/metadata.h"
#include "tufsign/verify.h"

/* 2030-01-01T00:00:00Z, so fuzzed expiry dates around today both pass and fail */
#define FUZZ_NOW 1893456000

static tufsign_meta *fixed_root;

static tufsign_meta *make_root(void)
{
	unsigned char raw[32];
	tufsign_pubkey key;
	tufsign_meta *root = NULL;
	const char *ids[1];

	memset(raw, 7, sizeof(raw));
	if (tufsign_pubkey_init(&key, TUFSIGN_KEYTYPE_ED25519, raw, sizeof(raw), NULL) !=
		    TUFSIGN_OK ||
	    tufsign_meta_new("root", &root, NULL) != TUFSIGN_OK ||
	    tufsign_meta_add_key(root, &key, NULL) != TUFSIGN_OK)
		abort();
	ids[0] = key.id;
	if (tufsign_meta_set_role(root, "timestamp", ids, 1, 1, NULL, 0, NULL) != TUFSIGN_OK)
		abort();
	tufsign_pubkey_release(&key);
	return root;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	tufsign_chain_input in = {0};
	tufsign_chain *chain = NULL;
	tufsign_meta *doc = NULL;
	char *msg = NULL;
	size_t msg_len = 0;

	if (fixed_root == NULL)
		fixed_root = make_root();
	in.gun = "example.com/app";
	in.now = FUZZ_NOW;
	in.trusted_root = data;
	in.trusted_root_len = size;
	if (tufsign_verify_chain(&in, &chain, NULL) == TUFSIGN_OK && chain->root == NULL)
		abort();
	tufsign_chain_free(chain);
	if (tufsign_verify_message(data, size, &msg, &msg_len, NULL) == TUFSIGN_OK &&
	    tufsign_meta_parse("timestamp", data, size, &doc, NULL) == TUFSIGN_OK)
		tufsign_verify_role(doc, msg, msg_len, fixed_root, FUZZ_NOW, NULL);
	free(msg);
	tufsign_meta_free(doc);
	return 0;
}
