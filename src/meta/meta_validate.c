/* Structural rules of role documents (what notary's validation checks),
 * applied to parsed and to built documents alike. */
#include <string.h>

#include "json_scan.h"
#include "meta_internal.h"

static tufsign_status invalid(const tufsign_meta *doc, const char *path, tufsign_error *err,
			      const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static tufsign_status invalid(const tufsign_meta *doc, const char *path, tufsign_error *err,
			      const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || err->status != TUFSIGN_OK)
		return TUFSIGN_ERR_METADATA;
	va_start(ap, fmt);
	tufsign_error_vset(err, TUFSIGN_ERR_METADATA, fmt, ap);
	va_end(ap);
	tufsign_error_locate(err, doc->role, path);
	return TUFSIGN_ERR_METADATA;
}

static tufsign_status check_role_keys(const tufsign_meta *doc, const tufsign_role *r,
				      const char *path, tufsign_error *err)
{
	size_t i;

	if (r->threshold < 1 || r->threshold > TF_JSON_MAX_INT)
		return invalid(doc, path, err,
			       "role \"%s\" has threshold %lld; it must be at least 1", r->name,
			       (long long)r->threshold);
	for (i = 0; i < r->keyid_count; i++) {
		if (!tf_is_keyid(r->keyids[i], strlen(r->keyids[i])))
			return invalid(doc, path, err, "role \"%s\" lists invalid key ID \"%s\"",
				       r->name, r->keyids[i]);
		if (tufsign_meta_find_key(doc, r->keyids[i]) == NULL)
			return invalid(doc, path, err,
				       "role \"%s\" lists key \"%s\", which is not in "
				       "keys",
				       r->name, r->keyids[i]);
	}
	return TUFSIGN_OK;
}

static tufsign_status validate_root(const tufsign_meta *doc, tufsign_error *err)
{
	static const char *const base[] = {"root", "snapshot", "targets", "timestamp"};
	const tufsign_role *r;
	tufsign_status st;
	size_t i;

	for (i = 0; i < TF_ARRAY_LEN(base); i++)
		if (tufsign_meta_find_role(doc, base[i]) == NULL)
			return invalid(doc, "signed.roles", err, "missing role \"%s\"", base[i]);
	for (i = 0; i < doc->role_count; i++) {
		r = &doc->roles[i];
		if (!tf_is_clean_string(r->name, strlen(r->name)))
			return invalid(doc, "signed.roles", err, "invalid role name");
		st = check_role_keys(doc, r, "signed.roles", err);
		if (st != TUFSIGN_OK)
			return st;
	}
	r = tufsign_meta_find_role(doc, "root");
	for (i = 0; i < r->keyid_count; i++) {
		tufsign_keytype t = tufsign_meta_find_key(doc, r->keyids[i])->type;

		if (t != TUFSIGN_KEYTYPE_ECDSA_X509 && t != TUFSIGN_KEYTYPE_RSA_X509)
			return invalid(doc, "signed.roles.root", err,
				       "root key \"%s\" is not a certificate (ecdsa-x509 or "
				       "rsa-x509), which notary requires",
				       r->keyids[i]);
	}
	return TUFSIGN_OK;
}

/* A delegation of doc must be its direct child: "<doc->role>/<name>". */
static int is_direct_child(const char *parent, const char *child)
{
	size_t n = strlen(parent);

	return strncmp(child, parent, n) == 0 && child[n] == '/' &&
	       strchr(child + n + 1, '/') == NULL;
}

static tufsign_status validate_delegations(const tufsign_meta *doc, tufsign_error *err)
{
	const tufsign_role *r;
	tufsign_status st;
	size_t i, k;

	for (i = 0; i < doc->role_count; i++) {
		r = &doc->roles[i];
		st = tufsign_meta_check_role_name(r->name, err);
		if (st != TUFSIGN_OK) {
			tufsign_error_locate(err, doc->role, "signed.delegations.roles");
			return st;
		}
		if (!is_direct_child(doc->role, r->name))
			return invalid(doc, "signed.delegations.roles", err,
				       "delegation \"%s\" is not a direct child of \"%s\"", r->name,
				       doc->role);
		for (k = 0; k < i; k++)
			if (strcmp(doc->roles[k].name, r->name) == 0)
				return invalid(doc, "signed.delegations.roles", err,
					       "delegation \"%s\" is listed twice", r->name);
		for (k = 0; k < r->path_count; k++)
			if (!tf_is_clean_string(r->paths[k], strlen(r->paths[k])))
				return invalid(doc, "signed.delegations.roles", err,
					       "delegation \"%s\" has an invalid path", r->name);
		st = check_role_keys(doc, r, "signed.delegations.roles", err);
		if (st != TUFSIGN_OK)
			return st;
	}
	return TUFSIGN_OK;
}

static tufsign_status validate_files(const tufsign_meta *doc, tufsign_error *err)
{
	const char *path = doc->type == TUFSIGN_ROLE_TARGETS ? "signed.targets" : "signed.meta";
	const tufsign_file_meta *f;
	size_t i;

	for (i = 0; i < doc->file_count; i++) {
		f = &doc->files[i];
		if (i > 0 && strcmp(doc->files[i - 1].name, f->name) >= 0)
			return invalid(doc, path, err,
				       "entries are not sorted or not unique at \"%s\"", f->name);
		if (f->length < 0 || f->length > TF_JSON_MAX_INT)
			return invalid(doc, path, err, "\"%s\" has length %lld", f->name,
				       (long long)f->length);
		if (!f->hashes.has_sha256 &&
		    !(doc->type == TUFSIGN_ROLE_TARGETS && f->hashes.has_sha512))
			return invalid(doc, path, err, "\"%s\" has no sha256 hash", f->name);
		if (f->hashes.has_sha512 && f->hashes.sha512 == NULL)
			return invalid(doc, path, err, "\"%s\" has no sha512 bytes", f->name);
	}
	if (doc->type == TUFSIGN_ROLE_TIMESTAMP &&
	    (doc->file_count != 1 || strcmp(doc->files[0].name, "snapshot") != 0))
		return invalid(doc, path, err, "timestamp meta must list exactly \"snapshot\"");
	if (doc->type == TUFSIGN_ROLE_SNAPSHOT) {
		for (i = 0; i < doc->file_count; i++)
			if (strcmp(doc->files[i].name, "root") != 0 &&
			    tufsign_role_type_of(doc->files[i].name) != TUFSIGN_ROLE_TARGETS)
				return invalid(doc, path, err,
					       "snapshot meta lists \"%s\", which is "
					       "not root or a targets role",
					       doc->files[i].name);
	}
	return TUFSIGN_OK;
}

tufsign_status tufsign_meta_validate(const tufsign_meta *doc, tufsign_error *err)
{
	char buf[TUFSIGN_TIME_SIZE];
	tufsign_status st;

	if (doc == NULL || tufsign_role_type_of(doc->role) != doc->type)
		return tufsign_error_set(err, TUFSIGN_ERR_INVALID_ARGUMENT,
					 "document type does not match its role name");
	if (doc->version < 1 || doc->version > TF_JSON_MAX_INT)
		return invalid(doc, "signed.version", err, "version %lld is not in 1..2^53-1",
			       (long long)doc->version);
	st = tufsign_time_format(&doc->expires, buf, err);
	if (st != TUFSIGN_OK) {
		tufsign_error_locate(err, doc->role, "signed.expires");
		return st;
	}
	switch (doc->type) {
	case TUFSIGN_ROLE_ROOT:
		return validate_root(doc, err);
	case TUFSIGN_ROLE_TARGETS:
		st = validate_delegations(doc, err);
		return st ? st : validate_files(doc, err);
	default:
		return validate_files(doc, err);
	}
}
