/* Test helper for notary_roundtrip.sh: verifies downloaded notary metadata
 * from its root with tufsign's chain verifier and checks that every file
 * re-serializes to its own bytes.
 *
 * usage: meta_notary_check GUN TRUSTED_ROOT [--root FILE]... [--timestamp FILE]
 *        [--snapshot FILE] [--targets FILE] [--delegation ROLE=FILE]...
 * Prints one "file ROLE version N entries N" line per file, one
 * "target ROLE NAME LENGTH" line per target and "chain ok" on success;
 * on failure prints "error: STATUS role 'R' path 'P': MESSAGE" and exits 1. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "internal.h"
#include "tufsign/metadata.h"
#include "tufsign/verify.h"

#define MAX_FILES 64
#define MAX_SIZE  (100 << 20)

static tufsign_role_file files[MAX_FILES];
static size_t file_count;

static int fail_with(const tufsign_error *err)
{
	printf("error: %s role '%s' path '%s': %s\n", tufsign_status_name(err->status), err->role,
	       err->path, err->message);
	return 1;
}

static tufsign_role_file *load(const char *role, const char *path)
{
	unsigned char *data = NULL;
	size_t len = 0;
	tufsign_error err;

	tufsign_error_clear(&err);
	if (file_count == MAX_FILES || tf_read_file(path, MAX_SIZE, &data, &len, &err)) {
		fail_with(&err);
		exit(2);
	}
	files[file_count] = (tufsign_role_file){role, data, len};
	return &files[file_count++];
}

/* Parse f, print it, and check its re-serialization. */
static int round_trip(const tufsign_role_file *f)
{
	tufsign_meta *doc = NULL;
	char *out = NULL;
	size_t len = 0, i;
	tufsign_error err;
	int rc = 0;

	tufsign_error_clear(&err);
	if (tufsign_meta_parse(f->role, f->data, f->len, &doc, &err) != TUFSIGN_OK)
		return fail_with(&err);
	if (tufsign_meta_file_bytes(doc, &out, &len, &err) != TUFSIGN_OK) {
		tufsign_meta_free(doc);
		return fail_with(&err);
	}
	if (len != f->len || memcmp(out, f->data, len) != 0) {
		printf("error: %s re-serializes to different bytes:\n%s\n", f->role, out);
		rc = 1;
	}
	printf("file %s version %lld entries %zu\n", f->role, (long long)doc->version,
	       doc->type == TUFSIGN_ROLE_ROOT ? doc->key_count : doc->file_count);
	for (i = 0; doc->type == TUFSIGN_ROLE_TARGETS && i < doc->file_count; i++)
		printf("target %s %s %lld\n", f->role, doc->files[i].name,
		       (long long)doc->files[i].length);
	free(out);
	tufsign_meta_free(doc);
	return rc;
}

int main(int argc, char **argv)
{
	tufsign_role_file roots[MAX_FILES], delegations[MAX_FILES], *trusted;
	tufsign_chain_input in = {0};
	tufsign_chain *chain = NULL;
	tufsign_error err;
	char *eq;
	int i, rc = 0;
	size_t k;

	if (argc < 3) {
		fprintf(stderr, "usage: %s GUN TRUSTED_ROOT [--ROLE FILE]...\n", argv[0]);
		return 2;
	}
	in.gun = argv[1];
	in.now = time(NULL);
	trusted = load("root", argv[2]);
	in.trusted_root = trusted->data;
	in.trusted_root_len = trusted->len;
	for (i = 3; i + 1 < argc; i += 2) {
		if (strcmp(argv[i], "--root") == 0) {
			roots[in.root_count++] = *load("root", argv[i + 1]);
		} else if (strcmp(argv[i], "--timestamp") == 0) {
			in.timestamp = load("timestamp", argv[i + 1]);
		} else if (strcmp(argv[i], "--snapshot") == 0) {
			in.snapshot = load("snapshot", argv[i + 1]);
		} else if (strcmp(argv[i], "--targets") == 0) {
			in.targets = load("targets", argv[i + 1]);
		} else if (strcmp(argv[i], "--delegation") == 0 &&
			   (eq = strchr(argv[i + 1], '=')) != NULL) {
			*eq = '\0';
			delegations[in.delegation_count++] = *load(argv[i + 1], eq + 1);
		} else {
			fprintf(stderr, "unknown option %s\n", argv[i]);
			return 2;
		}
	}
	in.roots = roots;
	in.delegations = delegations;
	for (k = 0; k < file_count; k++)
		rc |= round_trip(&files[k]);
	tufsign_error_clear(&err);
	if (tufsign_verify_chain(&in, &chain, &err) != TUFSIGN_OK)
		rc |= fail_with(&err);
	else
		printf("chain ok root %lld\n", (long long)chain->root->version);
	tufsign_chain_free(chain);
	for (k = 0; k < file_count; k++)
		free((void *)files[k].data);
	return rc;
}
