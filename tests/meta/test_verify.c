/* Signing through signer callbacks, certificates, root trust, rotation and
 * chain verification, with software keys. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "internal.h"
#include "meta/pubkey_internal.h"
#include "soft_signer.h"
#include "tufsign/cert.h"
#include "tufsign/metadata.h"
#include "tufsign/verify.h"

#define GUN  "example.com/org/app"
#define YEAR (365 * 86400)

typedef struct file {
	char *data;
	size_t len;
	tufsign_digest digest;
} file;

typedef struct repo {
	time_t now;
	soft_key root_k, root2_k, targets_k, snapshot_k, timestamp_k, releases_k;
	tufsign_pubkey root_key, root2_key, targets_key, snapshot_key, timestamp_key, releases_key;
	tufsign_meta *root, *targets, *releases, *snapshot, *timestamp;
	file f_root, f_targets, f_releases, f_snapshot, f_timestamp;
} repo;

static void cert_key(soft_key *k, tufsign_pubkey *out, time_t not_before, unsigned days,
		     const char *cn)
{
	tufsign_cert_options opts = {.not_before = not_before, .days = days};
	char *pem = NULL;
	size_t len = 0;
	tufsign_error err;

	tufsign_error_clear(&err);
	if (tufsign_cert_create(&k->signer, cn, &opts, &pem, &len, &err) != TUFSIGN_OK)
		fail_msg("cert: %s", err.message);
	assert_int_equal(tufsign_pubkey_from_cert_pem(out, pem, len, &err), TUFSIGN_OK);
	assert_int_equal(out->public_len, len);
	assert_memory_equal(out->public, pem, len);
	free(pem);
}

static void sign_doc(tufsign_meta *doc, const tufsign_signing_key *keys, size_t n, file *f)
{
	tufsign_error err;

	tufsign_error_clear(&err);
	free(f->data);
	f->data = NULL;
	if (tufsign_meta_sign(doc, keys, n, &f->data, &f->len, &f->digest, &err) != TUFSIGN_OK)
		fail_msg("sign %s: %s at %s: %s", doc->role, tufsign_status_name(err.status),
			 err.path, err.message);
}

static void build_root(repo *r, int version, const tufsign_pubkey *root_key)
{
	const char *ids[1];
	tufsign_meta *doc = NULL;

	assert_int_equal(tufsign_meta_new("root", &doc, NULL), TUFSIGN_OK);
	doc->version = version;
	doc->expires = tufsign_time_from_unix(r->now + 10 * YEAR);
	assert_int_equal(tufsign_meta_add_key(doc, root_key, NULL), TUFSIGN_OK);
	assert_int_equal(tufsign_meta_add_key(doc, &r->targets_key, NULL), TUFSIGN_OK);
	assert_int_equal(tufsign_meta_add_key(doc, &r->snapshot_key, NULL), TUFSIGN_OK);
	assert_int_equal(tufsign_meta_add_key(doc, &r->timestamp_key, NULL), TUFSIGN_OK);
	ids[0] = root_key->id;
	assert_int_equal(tufsign_meta_set_role(doc, "root", ids, 1, 1, NULL, 0, NULL), TUFSIGN_OK);
	ids[0] = r->targets_key.id;
	assert_int_equal(tufsign_meta_set_role(doc, "targets", ids, 1, 1, NULL, 0, NULL),
			 TUFSIGN_OK);
	ids[0] = r->snapshot_key.id;
	assert_int_equal(tufsign_meta_set_role(doc, "snapshot", ids, 1, 1, NULL, 0, NULL),
			 TUFSIGN_OK);
	ids[0] = r->timestamp_key.id;
	assert_int_equal(tufsign_meta_set_role(doc, "timestamp", ids, 1, 1, NULL, 0, NULL),
			 TUFSIGN_OK);
	tufsign_meta_free(r->root);
	r->root = doc;
}

static void build_snapshot_timestamp(repo *r)
{
	tufsign_signing_key sk = {.signer = &r->snapshot_k.signer};

	assert_int_equal(tufsign_meta_set_file(r->snapshot, "root", &r->f_root.digest, 1, NULL),
			 TUFSIGN_OK);
	assert_int_equal(
		tufsign_meta_set_file(r->snapshot, "targets", &r->f_targets.digest, 1, NULL),
		TUFSIGN_OK);
	assert_int_equal(tufsign_meta_set_file(r->snapshot, "targets/releases",
					       &r->f_releases.digest, 0, NULL),
			 TUFSIGN_OK);
	sign_doc(r->snapshot, &sk, 1, &r->f_snapshot);
	assert_int_equal(
		tufsign_meta_set_file(r->timestamp, "snapshot", &r->f_snapshot.digest, 1, NULL),
		TUFSIGN_OK);
	sk.signer = &r->timestamp_k.signer;
	sign_doc(r->timestamp, &sk, 1, &r->f_timestamp);
}

static void build_targets(repo *r)
{
	const char *ids[1] = {r->releases_key.id};
	const char *paths[1] = {""};
	unsigned char sha[32] = {1, 2, 3};
	tufsign_signing_key sk = {.signer = &r->targets_k.signer};

	assert_int_equal(tufsign_meta_new("targets", &r->targets, NULL), TUFSIGN_OK);
	r->targets->expires = tufsign_time_from_unix(r->now + 3 * YEAR);
	assert_int_equal(tufsign_meta_add_key(r->targets, &r->releases_key, NULL), TUFSIGN_OK);
	assert_int_equal(
		tufsign_meta_set_role(r->targets, "targets/releases", ids, 1, 1, paths, 1, NULL),
		TUFSIGN_OK);
	assert_int_equal(tufsign_meta_set_target(r->targets, "latest", 10, sha, NULL, NULL, NULL),
			 TUFSIGN_OK);
	sign_doc(r->targets, &sk, 1, &r->f_targets);

	assert_int_equal(tufsign_meta_new("targets/releases", &r->releases, NULL), TUFSIGN_OK);
	r->releases->expires = tufsign_time_from_unix(r->now + 3 * YEAR);
	assert_int_equal(tufsign_meta_set_target(
				 r->releases, "v1", 11, sha, NULL,
				 "{\"b\":[1,{\"y\":\"<\",\"x\":null}],\"a\":\"\xc3\xa9\"}", NULL),
			 TUFSIGN_OK);
	sk.signer = &r->releases_k.signer;
	sign_doc(r->releases, &sk, 1, &r->f_releases);
}

static int setup_repo(void **state)
{
	repo *r = calloc(1, sizeof(*r));
	tufsign_signing_key sk;

	r->now = time(NULL);
	assert_int_equal(soft_key_ec(&r->root_k, "root", 0), 0);
	assert_int_equal(soft_key_ec(&r->root2_k, "root2", 1), 0);
	assert_int_equal(soft_key_ec(&r->targets_k, "targets", 0), 0);
	assert_int_equal(soft_key_ec(&r->snapshot_k, "snapshot", 1), 0);
	assert_int_equal(soft_key_ed25519(&r->timestamp_k, "timestamp"), 0);
	assert_int_equal(soft_key_rsa(&r->releases_k, 2048), 0);
	cert_key(&r->root_k, &r->root_key, r->now - 3600, 0, GUN);
	cert_key(&r->root2_k, &r->root2_key, r->now - 3600, 0, GUN);
	assert_int_equal(tufsign_pubkey_from_signer(&r->targets_key, &r->targets_k.signer, NULL),
			 0);
	assert_int_equal(tufsign_pubkey_from_signer(&r->snapshot_key, &r->snapshot_k.signer, NULL),
			 0);
	assert_int_equal(
		tufsign_pubkey_from_signer(&r->timestamp_key, &r->timestamp_k.signer, NULL), 0);
	assert_int_equal(tufsign_pubkey_from_signer(&r->releases_key, &r->releases_k.signer, NULL),
			 0);
	build_root(r, 1, &r->root_key);
	sk.signer = &r->root_k.signer;
	sk.key = &r->root_key;
	sign_doc(r->root, &sk, 1, &r->f_root);
	build_targets(r);
	assert_int_equal(tufsign_meta_new("snapshot", &r->snapshot, NULL), TUFSIGN_OK);
	r->snapshot->expires = tufsign_time_from_unix(r->now + 3 * YEAR);
	assert_int_equal(tufsign_meta_new("timestamp", &r->timestamp, NULL), TUFSIGN_OK);
	r->timestamp->expires = tufsign_time_from_unix(r->now + 14 * 86400);
	build_snapshot_timestamp(r);
	*state = r;
	return 0;
}

static int teardown_repo(void **state)
{
	repo *r = *state;
	file *files[] = {&r->f_root, &r->f_targets, &r->f_releases, &r->f_snapshot,
			 &r->f_timestamp};
	size_t i;

	for (i = 0; i < 5; i++)
		free(files[i]->data);
	tufsign_meta_free(r->root);
	tufsign_meta_free(r->targets);
	tufsign_meta_free(r->releases);
	tufsign_meta_free(r->snapshot);
	tufsign_meta_free(r->timestamp);
	tufsign_pubkey_release(&r->root_key);
	tufsign_pubkey_release(&r->root2_key);
	tufsign_pubkey_release(&r->targets_key);
	tufsign_pubkey_release(&r->snapshot_key);
	tufsign_pubkey_release(&r->timestamp_key);
	tufsign_pubkey_release(&r->releases_key);
	soft_key_release(&r->root_k);
	soft_key_release(&r->root2_k);
	soft_key_release(&r->targets_k);
	soft_key_release(&r->snapshot_k);
	soft_key_release(&r->timestamp_k);
	soft_key_release(&r->releases_k);
	free(r);
	return 0;
}

static tufsign_role_file rf(const char *role, const file *f)
{
	tufsign_role_file out = {role, (const unsigned char *)f->data, f->len};

	return out;
}

static tufsign_status chain(repo *r, time_t now, const tufsign_chain *previous, tufsign_chain **out,
			    tufsign_error *err)
{
	tufsign_role_file ts = rf("timestamp", &r->f_timestamp),
			  sn = rf("snapshot", &r->f_snapshot), tg = rf("targets", &r->f_targets),
			  rel = rf("targets/releases", &r->f_releases);
	tufsign_chain_input in = {.gun = GUN,
				  .now = now,
				  .trusted_root = (const unsigned char *)r->f_root.data,
				  .trusted_root_len = r->f_root.len,
				  .timestamp = &ts,
				  .snapshot = &sn,
				  .targets = &tg,
				  .delegations = &rel,
				  .delegation_count = 1,
				  .previous = previous};

	tufsign_error_clear(err);
	return tufsign_verify_chain(&in, out, err);
}

static void chain_verifies(void **state)
{
	repo *r = *state;
	tufsign_chain *c = NULL;
	const tufsign_file_meta *v1;
	tufsign_error err;

	if (chain(r, r->now, NULL, &c, &err) != TUFSIGN_OK)
		fail_msg("%s %s %s: %s", tufsign_status_name(err.status), err.role, err.path,
			 err.message);
	assert_int_equal(c->delegation_count, 1);
	v1 = tufsign_meta_find_file(tufsign_chain_find(c, "targets/releases"), "v1");
	assert_non_null(v1);
	assert_string_equal(v1->custom, "{\"a\":\"\xc3\xa9\",\"b\":[1,{\"x\":null,\"y\":\"<\"}]}");
	assert_non_null(
		strstr(r->f_releases.data,
		       "\"custom\":{\"a\":\"\xc3\xa9\",\"b\":[1,{\"x\":null,\"y\":\"\\u003c\"}]}"));
	tufsign_chain_free(c);
}

static void chain_expired_timestamp(void **state)
{
	repo *r = *state;
	tufsign_chain *c = NULL;
	tufsign_error err;

	assert_int_equal(chain(r, r->now + 15 * 86400, NULL, &c, &err), TUFSIGN_ERR_EXPIRED);
	assert_string_equal(err.role, "timestamp");
	assert_string_equal(err.path, "signed.expires");
	assert_null(c);
}

static void chain_rollback(void **state)
{
	repo *r = *state;
	tufsign_chain *prev = NULL, *c = NULL;
	tufsign_error err;

	assert_int_equal(chain(r, r->now, NULL, &prev, &err), TUFSIGN_OK);
	prev->snapshot->version = 5;
	assert_int_equal(chain(r, r->now, prev, &c, &err), TUFSIGN_ERR_ROLLBACK);
	assert_string_equal(err.role, "snapshot");
	assert_non_null(strstr(err.message, "version 1 is older than the trusted version 5"));
	tufsign_chain_free(prev);
}

static void chain_hash_mismatch(void **state)
{
	repo *r = *state;
	tufsign_chain *c = NULL;
	tufsign_error err;
	char saved = r->f_releases.data[20];

	r->f_releases.data[20] = saved == 'a' ? 'b' : 'a';
	assert_int_equal(chain(r, r->now, NULL, &c, &err), TUFSIGN_ERR_HASH_MISMATCH);
	assert_string_equal(err.role, "targets/releases");
	assert_non_null(strstr(err.message, "sha256 of 'targets/releases' does not match"));
	r->f_releases.data[20] = saved;
}

static void chain_bad_signature(void **state)
{
	repo *r = *state;
	tufsign_chain *c = NULL;
	tufsign_error err;
	file saved = r->f_targets;
	tufsign_signing_key sk = {.signer = &r->releases_k.signer};

	/* targets signed by a key root does not list */
	r->f_targets.data = NULL;
	sign_doc(r->targets, &sk, 1, &r->f_targets);
	build_snapshot_timestamp(r);
	assert_int_equal(chain(r, r->now, NULL, &c, &err), TUFSIGN_ERR_SIGNATURE);
	assert_string_equal(err.role, "targets");
	assert_non_null(strstr(err.message, "valid signatures did not meet threshold for "
					    "'targets': 0 of 1"));
	free(r->f_targets.data);
	r->f_targets = saved;
	sk.signer = &r->targets_k.signer;
	r->f_targets.data = NULL;
	sign_doc(r->targets, &sk, 1, &r->f_targets);
	free(saved.data);
	build_snapshot_timestamp(r);
	assert_int_equal(chain(r, r->now, NULL, &c, &err), TUFSIGN_OK);
	tufsign_chain_free(c);
}

static void threshold_distinct_keys(void **state)
{
	repo *r = *state;
	tufsign_role role = {0};
	char *ids[2];
	tufsign_pubkey keys[2];
	tufsign_signing_key sk[2] = {{.signer = &r->targets_k.signer},
				     {.signer = &r->snapshot_k.signer}};
	tufsign_meta *doc = NULL;
	size_t valid = 0;
	file f = {0};
	tufsign_error err;

	tufsign_error_clear(&err);
	keys[0] = r->targets_key;
	keys[1] = r->snapshot_key;
	if (strcmp(keys[0].id, keys[1].id) > 0) {
		keys[0] = r->snapshot_key;
		keys[1] = r->targets_key;
	}
	ids[0] = keys[0].id;
	ids[1] = keys[1].id;
	role.name = (char *)"targets";
	role.keyids = ids;
	role.keyid_count = 2;
	role.threshold = 2;
	assert_int_equal(tufsign_meta_new("targets", &doc, NULL), TUFSIGN_OK);
	doc->expires = tufsign_time_from_unix(r->now + YEAR);
	sign_doc(doc, sk, 2, &f);
	assert_int_equal(tufsign_verify_threshold(doc, NULL, 0, keys, 2, &role, &valid, &err),
			 TUFSIGN_OK);
	assert_int_equal(valid, 2);
	/* the same key twice counts once */
	sk[1] = sk[0];
	sign_doc(doc, sk, 2, &f);
	assert_int_equal(doc->signature_count, 2);
	assert_int_equal(tufsign_verify_threshold(doc, NULL, 0, keys, 2, &role, &valid, &err),
			 TUFSIGN_ERR_SIGNATURE);
	assert_int_equal(valid, 1);
	assert_non_null(strstr(err.message, "1 of 2"));
	free(f.data);
	tufsign_meta_free(doc);
}

static void sign_rejects_bad_signer(void **state)
{
	repo *r = *state;
	tufsign_signing_key sk = {.signer = &r->targets_k.signer, .key = &r->snapshot_key};
	tufsign_meta *doc = NULL;
	tufsign_error err;

	assert_int_equal(tufsign_meta_new("targets", &doc, NULL), TUFSIGN_OK);
	doc->expires = tufsign_time_from_unix(r->now + YEAR);
	tufsign_error_clear(&err);
	assert_int_equal(tufsign_meta_sign(doc, &sk, 1, NULL, NULL, NULL, &err),
			 TUFSIGN_ERR_SIGNATURE);
	assert_non_null(strstr(err.message, "does not hold the key"));
	sk.key = NULL;
	r->targets_k.fail = 2;
	tufsign_error_clear(&err);
	assert_int_equal(tufsign_meta_sign(doc, &sk, 1, NULL, NULL, NULL, &err),
			 TUFSIGN_ERR_SIGNATURE);
	assert_non_null(strstr(err.message, "returned a bad signature"));
	r->targets_k.fail = 1;
	tufsign_error_clear(&err);
	assert_int_equal(tufsign_meta_sign(doc, &sk, 1, NULL, NULL, NULL, &err), TUFSIGN_ERR_TOKEN);
	assert_int_equal(doc->signature_count, 0);
	r->targets_k.fail = 0;
	tufsign_meta_free(doc);
}

static void root_wrong_gun(void **state)
{
	repo *r = *state;
	tufsign_error err;

	tufsign_error_clear(&err);
	assert_int_equal(tufsign_verify_root(r->root, NULL, 0, "example.com/other", r->now, &err),
			 TUFSIGN_ERR_UNTRUSTED);
	assert_non_null(strstr(err.message, "does not match GUN \"example.com/other\""));
	tufsign_error_clear(&err);
	assert_int_equal(tufsign_verify_root(r->root, NULL, 0, GUN, r->now + 11 * YEAR, &err),
			 TUFSIGN_ERR_UNTRUSTED);
	assert_non_null(strstr(err.message, "expired"));
	tufsign_error_clear(&err);
	assert_int_equal(tufsign_verify_root(r->root, NULL, 0, GUN, r->now, &err), TUFSIGN_OK);
}

static void root_rotation(void **state)
{
	repo *r = *state;
	tufsign_signing_key both[2] = {{&r->root_k.signer, &r->root_key},
				       {&r->root2_k.signer, &r->root2_key}};
	tufsign_meta *old = NULL;
	file f = {0};
	tufsign_error err;

	assert_int_equal(tufsign_meta_parse("root", (const unsigned char *)r->f_root.data,
					    r->f_root.len, &old, NULL),
			 TUFSIGN_OK);
	build_root(r, 2, &r->root2_key);
	/* only the new key */
	sign_doc(r->root, &both[1], 1, &f);
	tufsign_error_clear(&err);
	assert_int_equal(tufsign_verify_root_rotation(old, r->root, NULL, 0, GUN, r->now, &err),
			 TUFSIGN_ERR_SIGNATURE);
	assert_non_null(strstr(err.message, "not signed by the trusted root's keys"));
	/* only the old key */
	sign_doc(r->root, &both[0], 1, &f);
	tufsign_error_clear(&err);
	assert_int_equal(tufsign_verify_root_rotation(old, r->root, NULL, 0, GUN, r->now, &err),
			 TUFSIGN_ERR_SIGNATURE);
	/* both */
	sign_doc(r->root, both, 2, &f);
	tufsign_error_clear(&err);
	assert_int_equal(tufsign_verify_root_rotation(old, r->root, NULL, 0, GUN, r->now, &err),
			 TUFSIGN_OK);
	/* version must be exactly +1 */
	r->root->version = 3;
	sign_doc(r->root, both, 2, &f);
	tufsign_error_clear(&err);
	assert_int_equal(tufsign_verify_root_rotation(old, r->root, NULL, 0, GUN, r->now, &err),
			 TUFSIGN_ERR_ROLLBACK);
	assert_string_equal(err.path, "signed.version");
	free(f.data);
	tufsign_meta_free(old);
	/* restore the original root */
	build_root(r, 1, &r->root_key);
	sign_doc(r->root, &both[0], 1, &r->f_root);
}

static void chain_with_rotated_root(void **state)
{
	repo *r = *state;
	tufsign_signing_key both[2] = {{&r->root_k.signer, &r->root_key},
				       {&r->root2_k.signer, &r->root2_key}};
	file v1 = {0}, v2 = {0};
	tufsign_role_file roots[1];
	tufsign_role_file ts, sn;
	tufsign_chain_input in = {0};
	tufsign_chain *c = NULL;
	tufsign_error err;

	v1.data = tf_strndup(r->f_root.data, r->f_root.len);
	v1.len = r->f_root.len;
	build_root(r, 2, &r->root2_key);
	sign_doc(r->root, both, 2, &v2);
	free(r->f_root.data);
	r->f_root = v2;
	build_snapshot_timestamp(r);
	roots[0] = rf("root", &r->f_root);
	ts = rf("timestamp", &r->f_timestamp);
	sn = rf("snapshot", &r->f_snapshot);
	in.gun = GUN;
	in.now = r->now;
	in.trusted_root = (const unsigned char *)v1.data;
	in.trusted_root_len = v1.len;
	in.roots = roots;
	in.root_count = 1;
	in.timestamp = &ts;
	in.snapshot = &sn;
	tufsign_error_clear(&err);
	if (tufsign_verify_chain(&in, &c, &err) != TUFSIGN_OK)
		fail_msg("%s: %s", err.role, err.message);
	assert_int_equal(c->root->version, 2);
	tufsign_chain_free(c);
	/* without the rotation step the old root does not accept the snapshot
	 * listing the new root file */
	in.root_count = 0;
	tufsign_error_clear(&err);
	assert_int_equal(tufsign_verify_chain(&in, &c, &err), TUFSIGN_ERR_HASH_MISMATCH);
	assert_non_null(strstr(err.message, "bytes but 'snapshot' lists"));
	assert_string_equal(err.role, "root");
	free(v1.data);
}

static void cert_profile(void **state)
{
	repo *r = *state;
	char *pem = NULL, line[128];
	size_t len = 0;
	X509 *cert;
	BIO *bio;
	ASN1_INTEGER *serial;
	BIGNUM *bn;
	tufsign_error err;
	FILE *f;

	tufsign_error_clear(&err);
	assert_int_equal(tufsign_cert_create(&r->root_k.signer, GUN, NULL, &pem, &len, &err),
			 TUFSIGN_OK);
	assert_int_equal(strncmp(pem, "-----BEGIN CERTIFICATE-----\n", 28), 0);
	assert_int_equal(pem[len - 1], '\n');
	f = fmemopen(pem, len, "r");
	while (fgets(line, sizeof(line), f) != NULL)
		assert_true(strlen(line) <= 65);
	fclose(f);
	bio = BIO_new_mem_buf(pem, (int)len);
	cert = PEM_read_bio_X509(bio, NULL, NULL, NULL);
	BIO_free(bio);
	assert_non_null(cert);
	assert_int_equal(X509_get_signature_nid(cert), NID_ecdsa_with_SHA256);
	assert_int_equal(X509_get_extension_flags(cert) & EXFLAG_CA, 0);
	assert_int_equal(X509_get_key_usage(cert), KU_DIGITAL_SIGNATURE | KU_KEY_ENCIPHERMENT);
	assert_int_equal(X509_get_extended_key_usage(cert), XKU_CODE_SIGN);
	assert_int_equal(X509_get_ext_by_critical(cert, 1, -1) >= 0, 1);
	serial = (ASN1_INTEGER *)X509_get0_serialNumber(cert);
	bn = ASN1_INTEGER_to_BN(serial, NULL);
	assert_false(BN_is_negative(bn));
	assert_true(BN_num_bits(bn) > 64 && BN_num_bits(bn) <= 128);
	assert_int_equal(X509_cmp_time(X509_get0_notAfter(cert), NULL) > 0, 1);
	BN_free(bn);
	assert_int_equal(X509_verify(cert, X509_get0_pubkey(cert)), 1);
	X509_free(cert);
	assert_int_equal(tufsign_cert_check_root(pem, len, GUN, r->now, 1, &err), TUFSIGN_OK);
	free(pem);
	/* RSA certificates are signed with PKCS#1 v1.5 */
	assert_int_equal(tufsign_cert_create(&r->releases_k.signer, GUN, NULL, &pem, &len, &err),
			 TUFSIGN_OK);
	free(pem);
	assert_int_equal(tufsign_cert_create(&r->timestamp_k.signer, GUN, NULL, &pem, &len, &err),
			 TUFSIGN_ERR_UNSUPPORTED);
}

static tufsign_status sign_with(soft_key *k, tufsign_sig_scheme scheme, const char *msg,
				unsigned char **sig, size_t *len)
{
	return k->signer.sign(k, scheme, (const unsigned char *)msg, strlen(msg), sig, len, NULL);
}

static void verify_methods(void **state)
{
	repo *r = *state;
	const char *msg = "{\"a\":1}";
	unsigned char *sig = NULL, *der = NULL;
	size_t len = 0, der_len = 0;
	tufsign_error err;

	/* P-384: raw r||s of 96 bytes over SHA-256 */
	assert_int_equal(sign_with(&r->snapshot_k, TUFSIGN_SIG_ECDSA_SHA256, msg, &sig, &len), 0);
	assert_int_equal(len, 96);
	assert_int_equal(tufsign_pubkey_verify(&r->snapshot_key, "ecdsa",
					       (const unsigned char *)msg, strlen(msg), sig, len,
					       NULL),
			 TUFSIGN_OK);
	assert_int_equal(tufsign_pubkey_verify(&r->snapshot_key, "ECDSA",
					       (const unsigned char *)msg, strlen(msg), sig, len,
					       NULL),
			 TUFSIGN_OK);
	/* the same signature in DER is rejected, as notary does */
	assert_int_equal(tf_ecdsa_raw_to_der(sig, len, &der, &der_len, NULL), TUFSIGN_OK);
	tufsign_error_clear(&err);
	assert_int_equal(tufsign_pubkey_verify(&r->snapshot_key, "ecdsa",
					       (const unsigned char *)msg, strlen(msg), der,
					       der_len, &err),
			 TUFSIGN_ERR_SIGNATURE);
	assert_non_null(strstr(err.message, "wrong length for the curve"));
	/* a method that does not fit the key type */
	assert_int_equal(tufsign_pubkey_verify(&r->timestamp_key, "ecdsa",
					       (const unsigned char *)msg, strlen(msg), sig, len,
					       NULL),
			 TUFSIGN_ERR_SIGNATURE);
	free(sig);
	free(der);
	/* RSA: PSS with salt 32, and PKCS#1 v1.5 read as "rsapkcs1v15" */
	assert_int_equal(sign_with(&r->releases_k, TUFSIGN_SIG_RSA_PSS_SHA256, msg, &sig, &len), 0);
	assert_int_equal(tufsign_pubkey_verify(&r->releases_key, "rsapss",
					       (const unsigned char *)msg, strlen(msg), sig, len,
					       NULL),
			 TUFSIGN_OK);
	assert_int_equal(tufsign_pubkey_verify(&r->releases_key, "rsapkcs1v15",
					       (const unsigned char *)msg, strlen(msg), sig, len,
					       NULL),
			 TUFSIGN_ERR_SIGNATURE);
	free(sig);
	assert_int_equal(sign_with(&r->releases_k, TUFSIGN_SIG_RSA_PKCS1_SHA256, msg, &sig, &len),
			 0);
	assert_int_equal(tufsign_pubkey_verify(&r->releases_key, "rsapkcs1v15",
					       (const unsigned char *)msg, strlen(msg), sig, len,
					       NULL),
			 TUFSIGN_OK);
	tufsign_error_clear(&err);
	assert_int_equal(tufsign_pubkey_verify(&r->releases_key, "rsa-sha1",
					       (const unsigned char *)msg, strlen(msg), sig, len,
					       &err),
			 TUFSIGN_ERR_UNSUPPORTED);
	assert_string_equal(err.message, "unknown signature method \"rsa-sha1\"");
	free(sig);
	/* Ed25519 under "eddsa" only */
	assert_int_equal(sign_with(&r->timestamp_k, TUFSIGN_SIG_ED25519, msg, &sig, &len), 0);
	assert_int_equal(tufsign_pubkey_verify(&r->timestamp_key, "eddsa",
					       (const unsigned char *)msg, strlen(msg), sig, len,
					       NULL),
			 TUFSIGN_OK);
	assert_int_equal(tufsign_pubkey_verify(&r->timestamp_key, "ed25519",
					       (const unsigned char *)msg, strlen(msg), sig, len,
					       NULL),
			 TUFSIGN_ERR_UNSUPPORTED);
	free(sig);
}

static void canonical_key_ids(void **state)
{
	repo *r = *state;
	char id[TUFSIGN_KEYID_SIZE];

	/* an x509 key's canonical ID is the ID of the plain key of its SPKI */
	assert_int_equal(tufsign_pubkey_canonical_id(&r->root_key, id, NULL), TUFSIGN_OK);
	assert_string_not_equal(id, r->root_key.id);
	{
		tufsign_pubkey plain;

		assert_int_equal(tufsign_pubkey_from_signer(&plain, &r->root_k.signer, NULL),
				 TUFSIGN_OK);
		assert_string_equal(id, plain.id);
		tufsign_pubkey_release(&plain);
	}
	assert_int_equal(tufsign_pubkey_canonical_id(&r->targets_key, id, NULL), TUFSIGN_OK);
	assert_string_equal(id, r->targets_key.id);
}

/* Re-wrap PEM base64 lines at 76 columns, as some encoders write it. */
static char *wrap_76(const unsigned char *pem, size_t len)
{
	tf_buf out, b64;
	const char *s = (const char *)pem, *end = s + len, *nl;
	size_t i;

	tf_buf_init(&out);
	tf_buf_init(&b64);
	for (; s < end; s = nl + 1) {
		nl = memchr(s, '\n', (size_t)(end - s));
		if (strncmp(s, "-----", 5) == 0) {
			for (i = 0; i < b64.len; i += 76) {
				tf_buf_append(&out, b64.data + i,
					      b64.len - i < 76 ? b64.len - i : 76);
				tf_buf_append_byte(&out, '\n');
			}
			b64.len = 0;
			tf_buf_append(&out, s, (size_t)(nl - s) + 1);
		} else {
			tf_buf_append(&b64, s, (size_t)(nl - s));
		}
	}
	tf_buf_release(&b64, 0);
	return (char *)tf_buf_steal(&out, NULL);
}

static void root_pem_not_go_format(void **state)
{
	repo *r = *state;
	char *pem = wrap_76(r->root_key.public, r->root_key.public_len);
	tufsign_signing_key sk = {.signer = &r->root_k.signer};
	tufsign_pubkey wrapped;
	file f = {0};
	tufsign_error err;

	assert_int_equal(tufsign_pubkey_init(&wrapped, TUFSIGN_KEYTYPE_ECDSA_X509,
					     (const unsigned char *)pem, strlen(pem), NULL),
			 TUFSIGN_OK);
	assert_string_not_equal(wrapped.id, r->root_key.id);
	build_root(r, 1, &wrapped);
	sk.key = &wrapped;
	sign_doc(r->root, &sk, 1, &f);
	/* notary rebuilds the key from the re-encoded certificate, so the
	 * signature's key ID no longer names a root key */
	tufsign_error_clear(&err);
	assert_int_equal(tufsign_verify_root(r->root, NULL, 0, GUN, r->now, &err),
			 TUFSIGN_ERR_SIGNATURE);
	assert_non_null(strstr(err.message, "did not meet threshold for 'root': 0 of 1"));
	free(f.data);
	free(pem);
	tufsign_pubkey_release(&wrapped);
	build_root(r, 1, &r->root_key);
	sk.key = &r->root_key;
	sign_doc(r->root, &sk, 1, &r->f_root);
}

/* A chain of empty documents expiring at the given times, for
 * tufsign_chain_expiring(), which reads nothing else. */
static tufsign_chain *expiry_chain(const int64_t when[6])
{
	static const char *const names[6] = {"root",    "timestamp",        "snapshot",
					     "targets", "targets/releases", "targets/qa"};
	tufsign_meta *docs[6] = {NULL};
	tufsign_chain *chain = calloc(1, sizeof(*chain));
	tufsign_error err;
	int i;

	assert_non_null(chain);
	tufsign_error_clear(&err);
	for (i = 0; i < 6; i++) {
		assert_int_equal(tufsign_meta_new(names[i], &docs[i], &err), TUFSIGN_OK);
		docs[i]->expires = tufsign_time_from_unix((time_t)when[i]);
	}
	chain->root = docs[0];
	chain->timestamp = docs[1];
	chain->snapshot = docs[2];
	chain->targets = docs[3];
	chain->delegations = calloc(2, sizeof(*chain->delegations));
	assert_non_null(chain->delegations);
	chain->delegations[0] = docs[4];
	chain->delegations[1] = docs[5];
	chain->delegation_count = 2;
	return chain;
}

/* Expiring roles come in the order root, snapshot, targets, delegations;
 * the timestamp never counts; the count goes on past max. */
static void chain_expiring_roles(void **state)
{
	const int64_t when[6] = {5000, 100, 3000, 9000, 1000, 4000};
	tufsign_chain *chain = expiry_chain(when);
	tufsign_expiring out[2];

	(void)state;
	assert_int_equal(tufsign_chain_expiring(chain, 1000, out, 2), 0);
	assert_int_equal(tufsign_chain_expiring(chain, 1001, out, 2), 1);
	assert_string_equal(out[0].role, "targets/releases");
	assert_int_equal(out[0].expires.seconds, 1000);
	assert_int_equal(tufsign_chain_expiring(chain, 5001, out, 2), 4);
	assert_string_equal(out[0].role, "root");
	assert_string_equal(out[1].role, "snapshot");
	assert_int_equal(out[1].expires.seconds, 3000);
	assert_int_equal(tufsign_chain_expiring(chain, 10000, NULL, 0), 5);
	assert_int_equal(tufsign_chain_expiring(NULL, 10000, out, 2), 0);
	tufsign_chain_free(chain);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(chain_verifies),
		cmocka_unit_test(chain_expiring_roles),
		cmocka_unit_test(chain_expired_timestamp),
		cmocka_unit_test(chain_rollback),
		cmocka_unit_test(chain_hash_mismatch),
		cmocka_unit_test(chain_bad_signature),
		cmocka_unit_test(threshold_distinct_keys),
		cmocka_unit_test(sign_rejects_bad_signer),
		cmocka_unit_test(root_wrong_gun),
		cmocka_unit_test(root_rotation),
		cmocka_unit_test(chain_with_rotated_root),
		cmocka_unit_test(cert_profile),
		cmocka_unit_test(verify_methods),
		cmocka_unit_test(canonical_key_ids),
		cmocka_unit_test(root_pem_not_go_format),
	};

	return cmocka_run_group_tests(tests, setup_repo, teardown_repo);
}
