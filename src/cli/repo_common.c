/* Helpers shared by the repository commands (init, sign, remove, list,
 * verify): the Notary client and trust cache from the global options, root
 * pins, signing keys, and input checks reported as usage errors. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "tufsign/pkcs11.h"

/* Largest file read for --root-cert, --password-file and --targets-file. */
#define MAX_INPUT_FILE ((size_t)64 << 20)

/* Read f into *buf, growing it to at most max + 1 bytes. It stops at end of
 * file, a read error, a failed allocation or a full buffer, and the caller
 * tells these apart with feof, ferror and *used > max. */
static void read_stream(FILE *f, size_t max, char **buf, size_t *used, size_t *cap)
{
	do {
		if (*used == *cap) {
			size_t ncap = *cap == 0 ? 4096 : *cap * 2;
			char *grown;

			if (ncap > max + 1)
				ncap = max + 1;
			grown = ncap > *cap ? realloc(*buf, ncap) : NULL;
			if (grown == NULL)
				break;
			*buf = grown;
			*cap = ncap;
		}
		*used += fread(*buf + *used, 1, *cap - *used, f);
	} while (!feof(f) && !ferror(f));
}

tufsign_status cli_read_file(const char *path, size_t max, char **data, size_t *len,
			     tufsign_error *err)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t used = 0, cap = 0;
	int read_errno = 0, complete;

	*data = NULL;
	*len = 0;
	if (f == NULL)
		return tufsign_error_set(err, TUFSIGN_ERR_IO, "cannot open '%s': %m", path);
	read_stream(f, max, &buf, &used, &cap);
	if (ferror(f))
		read_errno = errno != 0 ? errno : EIO;
	complete = feof(f) && !ferror(f) && used <= max;
	fclose(f);
	if (!complete) {
		/* The file may be a password file, so wipe what was read. */
		if (buf != NULL)
			explicit_bzero(buf, cap);
		free(buf);
		if (read_errno != 0)
			return tufsign_error_set(err, TUFSIGN_ERR_IO, "cannot read '%s': %s", path,
						 strerror(read_errno));
		if (used > max)
			return tufsign_error_set(err, TUFSIGN_ERR_IO,
						 "cannot read '%s': it is larger than %zu bytes",
						 path, max);
		return tufsign_error_set(err, TUFSIGN_ERR_NOMEM, "out of memory reading '%s'",
					 path);
	}
	if (used == cap) {
		char *grown = realloc(buf, cap + 1);

		if (grown == NULL) {
			free(buf);
			return tufsign_error_set(err, TUFSIGN_ERR_NOMEM, "out of memory");
		}
		buf = grown;
	}
	if (buf == NULL)
		buf = calloc(1, 1);
	if (buf == NULL)
		return tufsign_error_set(err, TUFSIGN_ERR_NOMEM, "out of memory");
	buf[used] = '\0';
	*data = buf;
	*len = used;
	return TUFSIGN_OK;
}

int cli_usage_from_error(const cli_context *ctx, const tufsign_error *err)
{
	return cli_usage_error(ctx, "%s", err->message);
}

int cli_check_gun(const cli_context *ctx, const char *gun)
{
	tufsign_error err;

	tufsign_error_clear(&err);
	if (tufsign_repo_check_gun(gun, &err) != TUFSIGN_OK)
		return cli_usage_from_error(ctx, &err);
	return EXIT_OK;
}

/* Read the token service password: the first line of --password-file when
 * given, else TUFSIGN_PASSWORD. *password is NULL when neither is given. */
static tufsign_status read_password(const cli_context *ctx, char **password, tufsign_error *err)
{
	const char *env = getenv("TUFSIGN_PASSWORD");
	char *data = NULL;
	size_t len = 0;
	tufsign_status st;
	size_t cut;

	*password = NULL;
	if (ctx->password_file == NULL) {
		if (env != NULL && env[0] != '\0')
			*password = strdup(env);
		if (env != NULL && env[0] != '\0' && *password == NULL)
			return tufsign_error_set(err, TUFSIGN_ERR_NOMEM, "out of memory");
		return TUFSIGN_OK;
	}
	st = cli_read_file(ctx->password_file, 4096, &data, &len, err);
	if (st != TUFSIGN_OK)
		return st;
	/* Keep the first line and wipe the rest, which wipe_free would miss. */
	cut = strcspn(data, "\r\n");
	explicit_bzero(data + cut, len - cut);
	if (cut == 0) {
		free(data);
		return tufsign_error_set(err, TUFSIGN_ERR_INVALID_ARGUMENT,
					 "--password-file '%s' has an empty first line; write the "
					 "password on its first line",
					 ctx->password_file);
	}
	*password = data;
	return TUFSIGN_OK;
}

static void wipe_free(char *s)
{
	if (s == NULL)
		return;
	explicit_bzero(s, strlen(s));
	free(s);
}

static tufsign_status open_client(const cli_context *ctx, cli_repo *r, tufsign_error *err)
{
	tufsign_notary_config cfg;
	char *password = NULL;
	tufsign_status st;

	st = read_password(ctx, &password, err);
	if (st != TUFSIGN_OK)
		return st;
	tufsign_notary_config_init(&cfg);
	cfg.url = ctx->server;
	cfg.insecure_plain_http = ctx->insecure_plain_http;
	cfg.ca_file = ctx->tls_ca;
	cfg.client_cert = ctx->tls_cert;
	cfg.client_key = ctx->tls_key;
	cfg.username = ctx->username;
	cfg.password = ctx->username != NULL ? password : NULL;
	st = tufsign_notary_new(&cfg, &r->client, err);
	wipe_free(password);
	return st;
}

static tufsign_status open_cache(const cli_context *ctx, cli_repo *r, tufsign_error *err)
{
	char *dir = NULL;
	tufsign_status st;

	if (ctx->trust_dir != NULL)
		return tufsign_trust_cache_open(ctx->trust_dir, &r->cache, err);
	st = tufsign_trust_cache_default_dir(&dir, err);
	if (st == TUFSIGN_OK)
		st = tufsign_trust_cache_open(dir, &r->cache, err);
	free(dir);
	return st;
}

static tufsign_status read_pin(const cli_args *args, cli_repo *r, tufsign_error *err)
{
	tufsign_status st;

	r->pin.root_key_id = args->value[OPT_ROOT_KEY_ID];
	if (args->value[OPT_ROOT_CERT] != NULL) {
		st = cli_read_file(args->value[OPT_ROOT_CERT], MAX_INPUT_FILE, &r->pin_cert,
				   &r->pin.root_cert_len, err);
		if (st != TUFSIGN_OK)
			return st;
		r->pin.root_cert_pem = r->pin_cert;
	}
	if (r->pin.root_key_id != NULL || r->pin.root_cert_pem != NULL)
		r->context.pin = &r->pin;
	return TUFSIGN_OK;
}

/* Return 1 when id is 64 lower-case hex digits. */
static int keyid_valid(const char *id)
{
	size_t i;

	for (i = 0; id[i] != '\0'; i++)
		if (!((id[i] >= '0' && id[i] <= '9') || (id[i] >= 'a' && id[i] <= 'f')))
			return 0;
	return i == 64;
}

/* Read TUFSIGN_EXPIRY_WARNING_DAYS into *days: unset or empty gives 0 (the
 * library's default), "0" gives -1 (no warnings). Returns 0 when the value
 * is not a whole number of days from 0 to 36500. */
static int expiry_warning_days(int *days)
{
	const char *text = getenv("TUFSIGN_EXPIRY_WARNING_DAYS");
	long n = 0;
	size_t i;

	*days = 0;
	if (text == NULL || text[0] == '\0')
		return 1;
	for (i = 0; text[i] != '\0'; i++) {
		if (text[i] < '0' || text[i] > '9' || i >= 5)
			return 0;
		n = n * 10 + (text[i] - '0');
	}
	if (n > 36500)
		return 0;
	*days = n == 0 ? -1 : (int)n;
	return 1;
}

/* Check that a password comes with a user name and the reverse, before the
 * token is used. Otherwise the token service rejects the request with an
 * unhelpful 401 only after the signing. */
static int check_password_options(const cli_context *ctx)
{
	const char *env = getenv("TUFSIGN_PASSWORD");
	int have_env = env != NULL && env[0] != '\0';

	if (ctx->username != NULL && ctx->password_file == NULL && !have_env)
		return cli_usage_error(ctx,
				       "--username '%s' needs a password; set TUFSIGN_PASSWORD or "
				       "give --password-file FILE",
				       ctx->username);
	if (ctx->username == NULL && ctx->password_file != NULL)
		return cli_usage_error(ctx, "--password-file needs --username, the user whose "
					    "password the file holds");
	if (ctx->username == NULL && have_env)
		cli_error("warning: TUFSIGN_PASSWORD is set but --username is not given, so the "
			  "password is not used");
	return EXIT_OK;
}

int cli_repo_check_options(const cli_context *ctx, const cli_args *args)
{
	const char *id = args->value[OPT_ROOT_KEY_ID];
	int days;

	/* A warning setting is not worth failing a release for. */
	if (!expiry_warning_days(&days))
		cli_error("warning: ignoring invalid TUFSIGN_EXPIRY_WARNING_DAYS '%s': expected a "
			  "whole number of days from 0 to 36500 (0 turns the warnings off); "
			  "using %d days",
			  getenv("TUFSIGN_EXPIRY_WARNING_DAYS"), TUFSIGN_EXPIRY_WARNING_DAYS);

	if (id != NULL && !keyid_valid(id))
		return cli_usage_error(ctx,
				       "invalid --root-key-id '%s': expected a key ID of 64 "
				       "lower-case hex digits, as root.json or 'docker trust "
				       "inspect' shows it",
				       id);
	if (id != NULL && args->value[OPT_ROOT_CERT] != NULL)
		return cli_usage_error(ctx, "give either --root-key-id or --root-cert, not both");
	if (check_password_options(ctx) != EXIT_OK)
		return EXIT_USAGE;
	if (ctx->server == NULL)
		return cli_usage_error(ctx, "no Notary server given; use -s URL or set "
					    "TUFSIGN_SERVER (or DOCKER_CONTENT_TRUST_SERVER)");
	return EXIT_OK;
}

tufsign_status cli_repo_open(const cli_context *ctx, const cli_args *args, cli_repo *r,
			     tufsign_error *err)
{
	tufsign_status st;

	memset(r, 0, sizeof(*r));
	st = open_client(ctx, r, err);
	if (st == TUFSIGN_OK)
		st = open_cache(ctx, r, err);
	if (st == TUFSIGN_OK)
		st = read_pin(args, r, err);
	r->context.client = r->client;
	r->context.cache = r->cache;
	expiry_warning_days(&r->context.expiry_warning_days);
	return st;
}

void cli_repo_release(cli_repo *r)
{
	tufsign_notary_free(r->client);
	tufsign_trust_cache_free(r->cache);
	free(r->pin_cert);
	memset(r, 0, sizeof(*r));
}

/* Return the long name of the command's option whose value is ref (the
 * same string, not a copy), or NULL. */
static const char *option_of(const cli_context *ctx, const char *ref)
{
	const cli_option *o;
	int i;

	if (ctx->args == NULL || ctx->command == NULL || ctx->command->options == NULL)
		return NULL;
	for (i = 0; i < ctx->args->ngiven; i++) {
		if (ctx->args->given[i].value != ref)
			continue;
		for (o = ctx->command->options; o->id != OPT_NONE; o++)
			if (o->id == ctx->args->given[i].id)
				return o->long_name;
	}
	return NULL;
}

tufsign_status cli_key_open(const cli_context *ctx, const char *ref, cli_key *k, tufsign_error *err)
{
	const char *option = NULL;
	tufsign_status st;

	memset(k, 0, sizeof(*k));
	st = tufsign_key_open(ref, &ctx->key_options, &k->key, err);
	/* A key reference that is no URI and no file, or a malformed URI, is
	 * bad input: name the option it came from. */
	if (st == TUFSIGN_ERR_INVALID_ARGUMENT || st == TUFSIGN_ERR_URI)
		option = option_of(ctx, ref);
	if (option != NULL)
		tufsign_error_prefix(err, st == TUFSIGN_ERR_URI ? "invalid --%s: " : "--%s ",
				     option);
	if (st == TUFSIGN_OK)
		st = tufsign_key_signer(k->key, &k->signer, err);
	if (st == TUFSIGN_OK && k->signer.label == NULL)
		k->signer.label = tufsign_key_ref(k->key);
	return st;
}

void cli_key_close(cli_key *k)
{
	tufsign_key_free(k->key);
	memset(k, 0, sizeof(*k));
}

void cli_keys_shutdown(void)
{
	tufsign_pkcs11_shutdown();
}

void cli_print_first_use(const cli_context *ctx, const cli_repo *r, const char *gun, const char *id)
{
	if (r->context.pin != NULL)
		cli_info(ctx, "tufsign: pinned the root of '%s' with root key ID %s, as required",
			 gun, id);
	else
		cli_info(ctx,
			 "tufsign: trusting the root of '%s' on first use: root key ID %s; "
			 "pass --root-key-id %s to require it",
			 gun, id, id);
}

void cli_signed_versions(const tufsign_publish_result *r, char *buf, size_t size)
{
	size_t i, used = 0;

	snprintf(buf, size, "targets version %lld", (long long)r->targets_version);
	for (i = 0; i < r->role_count && used < size; i++) {
		int n = snprintf(buf + used, size - used, "%s%s version %lld", i ? ", " : "",
				 r->roles[i].name, (long long)r->roles[i].version);

		if (n < 0)
			break;
		used += (size_t)n;
	}
}

int cli_publish_changes(cli_context *ctx, const cli_args *args, const char *gun,
			const tufsign_target_change *changes, size_t count,
			cli_publish_report report)
{
	cli_key targets = {0}, snapshot = {0};
	tufsign_publish_options opts = {0};
	tufsign_publish_result result;
	tufsign_error err;
	cli_repo repo = {0};
	int rc;

	tufsign_error_clear(&err);
	rc = cli_check_roles(ctx, args);
	if (rc != EXIT_OK)
		goto out;
	/* The push check follows the opening of the keys, whose references are
	 * local input and checked before any server use, and comes before the
	 * first signature, so a user without push rights signs nothing. */
	if (cli_repo_open(ctx, args, &repo, &err) != TUFSIGN_OK ||
	    cli_key_open(ctx, args->value[OPT_KEY], &targets, &err) != TUFSIGN_OK ||
	    (args->value[OPT_SNAPSHOT_KEY] != NULL &&
	     cli_key_open(ctx, args->value[OPT_SNAPSHOT_KEY], &snapshot, &err) != TUFSIGN_OK) ||
	    tufsign_notary_check_push(repo.client, gun, &err) != TUFSIGN_OK) {
		rc = cli_fail(ctx, &err);
		goto out;
	}
	opts.targets = &targets.signer;
	opts.snapshot = snapshot.key != NULL ? &snapshot.signer : NULL;
	if ((args->count[OPT_ROLE] > 0
		     ? cli_publish_roles(ctx, args, &repo.context, gun, changes, count, &opts,
					 &result, &err)
		     : tufsign_repo_publish(&repo.context, gun, changes, count, &opts, &result,
					    &err)) != TUFSIGN_OK) {
		rc = cli_fail(ctx, &err);
		goto out;
	}
	if (result.first_use)
		cli_print_first_use(ctx, &repo, gun, result.root_key_id);
	cli_warn_expiring(gun, result.expiring, result.expiring_count);
	rc = report(ctx, gun, changes, count, &result);
out:
	cli_key_close(&snapshot);
	cli_key_close(&targets);
	cli_keys_shutdown();
	cli_repo_release(&repo);
	return rc;
}

/* Write the advice, for the expiry warning, on how to sign role of gun
 * again. */
static void expiry_remedy(const char *role, const char *gun, char *buf, size_t size)
{
	if (strcmp(role, "root") == 0)
		snprintf(buf, size,
			 "every 'tufsign key rotate' signs a new root that is valid for 10 years, "
			 "for example 'tufsign key rotate %s timestamp --root-key URI "
			 "--server-managed'",
			 gun);
	else if (strcmp(role, "targets") == 0)
		snprintf(buf, size,
			 "sign or remove a tag with the targets key, which signs "
			 "targets again");
	else if (strcmp(role, "snapshot") == 0)
		snprintf(buf, size, "publish any change, which signs a new snapshot");
	else
		snprintf(buf, size,
			 "sign a tag with --role for this delegation, which signs it "
			 "again");
}

void cli_warn_expiring(const char *gun, const tufsign_expiring *list, size_t count)
{
	time_t now = time(NULL);
	size_t i;

	for (i = 0; i < count && i < TUFSIGN_MAX_EXPIRING; i++) {
		char when[TUFSIGN_TIME_SIZE] = "";
		int64_t days = (list[i].expires.seconds - (int64_t)now) / 86400;
		/* Whole seconds in UTC, as tufsign writes expiry, whatever the
		 * server wrote. */
		tufsign_time expires_utc = tufsign_time_from_unix((time_t)list[i].expires.seconds);

		char remedy[TUFSIGN_MAX_GUN_LENGTH + 160];

		tufsign_time_format(&expires_utc, when, NULL);
		expiry_remedy(list[i].role, gun, remedy, sizeof(remedy));
		cli_error("warning: '%s' of '%s' expires on %s (in %lld days); %s", list[i].role,
			  gun, when, (long long)(days > 0 ? days : 0), remedy);
	}
	if (count > TUFSIGN_MAX_EXPIRING)
		cli_error("warning: %zu more delegation%s of '%s' expire%s within the warning "
			  "period",
			  count - TUFSIGN_MAX_EXPIRING, count - TUFSIGN_MAX_EXPIRING > 1 ? "s" : "",
			  gun, count - TUFSIGN_MAX_EXPIRING > 1 ? "" : "s");
}

size_t cli_chain_expiring(const tufsign_repo_context *rc, const tufsign_chain *chain,
			  tufsign_expiring list[TUFSIGN_MAX_EXPIRING])
{
	int days = rc->expiry_warning_days ? rc->expiry_warning_days : TUFSIGN_EXPIRY_WARNING_DAYS;

	if (days <= 0)
		return 0;
	return tufsign_chain_expiring(chain, (int64_t)time(NULL) + days * 86400LL, list,
				      TUFSIGN_MAX_EXPIRING);
}

json_t *cli_json_expiring(const tufsign_expiring *list, size_t count)
{
	json_t *array = json_array();
	size_t i;

	for (i = 0; array != NULL && i < count && i < TUFSIGN_MAX_EXPIRING; i++) {
		char when[TUFSIGN_TIME_SIZE] = "";
		tufsign_time expires_utc = tufsign_time_from_unix((time_t)list[i].expires.seconds);

		tufsign_time_format(&expires_utc, when, NULL);
		json_array_append_new(
			array, json_pack("{s:s,s:s}", "role", list[i].role, "expires", when));
	}
	return array;
}

static void warn_expiring_chain(const tufsign_repo_context *rc, const char *gun,
				const tufsign_chain *chain)
{
	tufsign_expiring list[TUFSIGN_MAX_EXPIRING];

	cli_warn_expiring(gun, list, cli_chain_expiring(rc, chain, list));
}

int cli_open_verified(const cli_context *ctx, const cli_args *args, const char *gun, cli_repo *r,
		      tufsign_repo **out)
{
	tufsign_error err;
	int rc = cli_check_gun(ctx, gun);

	*out = NULL;
	memset(r, 0, sizeof(*r));
	if (rc == EXIT_OK)
		rc = cli_repo_check_options(ctx, args);
	if (rc != EXIT_OK)
		return rc;
	tufsign_error_clear(&err);
	if (cli_repo_open(ctx, args, r, &err) != TUFSIGN_OK ||
	    tufsign_repo_open(&r->context, gun, out, &err) != TUFSIGN_OK)
		return cli_fail(ctx, &err);
	if (tufsign_repo_first_use(*out)) {
		char id[TUFSIGN_KEYID_SIZE] = "";
		const tufsign_role *role =
			tufsign_meta_find_role(tufsign_repo_chain(*out)->root, "root");

		if (role != NULL && role->keyid_count > 0)
			snprintf(id, sizeof(id), "%s", role->keyids[0]);
		cli_print_first_use(ctx, r, gun, id);
	}
	warn_expiring_chain(&r->context, gun, tufsign_repo_chain(*out));
	return EXIT_OK;
}

void cli_digest_text(const unsigned char sha256[32], char out[CLI_DIGEST_SIZE])
{
	static const char hex[] = "0123456789abcdef";
	size_t i;

	memcpy(out, "sha256:", 7);
	for (i = 0; i < 32; i++) {
		out[7 + 2 * i] = hex[sha256[i] >> 4];
		out[8 + 2 * i] = hex[sha256[i] & 15];
	}
	out[7 + 64] = '\0';
}

json_t *cli_json_custom(const char *custom)
{
	json_t *value = custom ? json_loads(custom, JSON_DECODE_ANY, NULL) : NULL;

	return value != NULL ? value : json_null();
}
