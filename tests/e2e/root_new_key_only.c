/* Uploads a root that lists only a new root key and is signed only by it,
 * which notary-server must reject: a rotation needs the old root's
 * signatures too. Usage: root_new_key_only URL CA_FILE GUN NEW_KEY_URI.
 * Exits with the upload's tufsign status and prints its message, so a
 * test can assert the rejection. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tufsign/cert.h"
#include "tufsign/key.h"
#include "tufsign/metadata.h"
#include "tufsign/notary.h"
#include "tufsign/pkcs11.h"

/* Replace the root keys of doc with key and sign it with signer alone. */
static tufsign_status resign(tufsign_meta *doc, const tufsign_signer *signer,
			     const tufsign_pubkey *key, char **file, size_t *len,
			     tufsign_error *err)
{
	const tufsign_role *role = tufsign_meta_find_role(doc, "root");
	const char *ids[1] = {key->id};
	tufsign_signing_key signing = {signer, key};
	tufsign_status st = TUFSIGN_OK;
	size_t i;

	for (i = 0; st == TUFSIGN_OK && role != NULL && i < role->keyid_count; i++)
		st = tufsign_meta_remove_key(doc, role->keyids[i], err);
	if (st == TUFSIGN_OK)
		st = tufsign_meta_add_key(doc, key, err);
	if (st == TUFSIGN_OK)
		st = tufsign_meta_set_role(doc, "root", ids, 1, 1, NULL, 0, err);
	doc->version++;
	if (st == TUFSIGN_OK)
		st = tufsign_meta_sign(doc, &signing, 1, file, len, NULL, err);
	return st;
}

static tufsign_status new_root_key(const tufsign_signer *signer, const char *gun,
				   tufsign_pubkey *key, tufsign_error *err)
{
	char *pem = NULL;
	size_t len = 0;
	tufsign_status st = tufsign_cert_create(signer, gun, NULL, &pem, &len, err);

	if (st == TUFSIGN_OK)
		st = tufsign_pubkey_from_cert_pem(key, pem, len, err);
	free(pem);
	return st;
}

int main(int argc, char **argv)
{
	tufsign_notary_config cfg;
	tufsign_notary *client = NULL;
	tufsign_key_options opts;
	tufsign_key *key = NULL;
	tufsign_signer signer;
	tufsign_pubkey pub;
	tufsign_meta *doc = NULL;
	unsigned char *data = NULL;
	char *file = NULL;
	size_t len = 0, file_len = 0;
	tufsign_error err;
	tufsign_status st;

	if (argc != 5) {
		fprintf(stderr, "usage: %s URL CA_FILE GUN NEW_KEY_URI\n", argv[0]);
		return 2;
	}
	tufsign_error_clear(&err);
	memset(&opts, 0, sizeof(opts));
	memset(&pub, 0, sizeof(pub));
	tufsign_notary_config_init(&cfg);
	cfg.url = argv[1];
	cfg.ca_file = argv[2];
	st = tufsign_notary_new(&cfg, &client, &err);
	if (st == TUFSIGN_OK)
		st = tufsign_notary_get_role(client, argv[3], "root", 0, &data, &len, &err);
	if (st == TUFSIGN_OK)
		st = tufsign_meta_parse("root", data, len, &doc, &err);
	if (st == TUFSIGN_OK)
		st = tufsign_key_open(argv[4], &opts, &key, &err);
	if (st == TUFSIGN_OK)
		st = tufsign_key_signer(key, &signer, &err);
	if (st == TUFSIGN_OK)
		st = new_root_key(&signer, argv[3], &pub, &err);
	if (st == TUFSIGN_OK)
		st = resign(doc, &signer, &pub, &file, &file_len, &err);
	if (st == TUFSIGN_OK) {
		tufsign_notary_file part = {"root", (const unsigned char *)file, file_len};

		st = tufsign_notary_publish(client, argv[3], &part, 1, &err);
	}
	printf("%s: %s\n", tufsign_status_name(st), st == TUFSIGN_OK ? "accepted" : err.message);
	free(file);
	free(data);
	tufsign_pubkey_release(&pub);
	tufsign_meta_free(doc);
	tufsign_key_free(key);
	tufsign_pkcs11_shutdown();
	tufsign_notary_free(client);
	return (int)st;
}
