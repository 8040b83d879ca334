/* Test driver for the Notary client: one API call per run, so the script
 * tests can check bytes, statuses and messages against a real server.
 *
 *   netcheck [options] ping
 *   netcheck [options] get GUN ROLE [MAX]        body on stdout
 *   netcheck [options] hash GUN ROLE SHA256 LENGTH
 *   netcheck [options] version GUN ROLE N
 *   netcheck [options] key GUN ROLE              "keytype public_b64 length"
 *   netcheck [options] publish GUN ROLE=FILE...
 *   netcheck [options] delete GUN
 *
 * Options: -s URL, -c CA, --cert FILE, --key FILE, --insecure-plain-http,
 * -u USER (password from NETCHECK_PASSWORD), --no-env, -r RETRIES,
 * -t TIMEOUT_MS, -v (debug log), -vv (trace log). On failure it prints
 * "STATUS_NAME: message" on stderr and exits with the status number. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "tufsign/log.h"
#include "tufsign/notary.h"

static void log_to_stderr(void *ctx, tufsign_log_level level, const char *component,
			  const char *message)
{
	(void)ctx;
	fprintf(stderr, "log[%d] %s: %s\n", (int)level, component, message);
}

static int write_all(const unsigned char *data, size_t len)
{
	return fwrite(data, 1, len, stdout) == len && fflush(stdout) == 0 ? 0 : -1;
}

static tufsign_status run_publish(tufsign_notary *client, int argc, char **argv, tufsign_error *err)
{
	tufsign_notary_file files[16];
	unsigned char *data[16] = {0};
	size_t n = 0, i;
	tufsign_status st = TUFSIGN_OK;

	for (i = 1; i < (size_t)argc && n < 16 && st == TUFSIGN_OK; i++, n++) {
		char *eq = strchr(argv[i], '=');

		if (eq == NULL)
			return tufsign_error_set(err, TUFSIGN_ERR_INVALID_ARGUMENT,
						 "expected ROLE=FILE, got '%s'", argv[i]);
		*eq = '\0';
		files[n].role = argv[i];
		st = tf_read_file(eq + 1, (size_t)1 << 30, &data[n], &files[n].len, err);
		files[n].data = data[n];
	}
	if (st == TUFSIGN_OK)
		st = tufsign_notary_publish(client, argv[0], files, n, err);
	for (i = 0; i < n; i++)
		free(data[i]);
	return st;
}

static tufsign_status run_command(tufsign_notary *client, int argc, char **argv, tufsign_error *err)
{
	tufsign_status st = TUFSIGN_ERR_INVALID_ARGUMENT;
	unsigned char *data = NULL;
	size_t len = 0;
	const char *cmd = argc > 0 ? argv[0] : "";

	if (strcmp(cmd, "ping") == 0) {
		st = tufsign_notary_ping(client, err);
	} else if (strcmp(cmd, "get") == 0 && argc >= 3) {
		st = tufsign_notary_get_role(client, argv[1], argv[2],
					     argc > 3 ? strtoull(argv[3], NULL, 10) : 0, &data,
					     &len, err);
	} else if (strcmp(cmd, "hash") == 0 && argc == 5) {
		st = tufsign_notary_get_by_hash(client, argv[1], argv[2], argv[3],
						strtoull(argv[4], NULL, 10), &data, &len, err);
	} else if (strcmp(cmd, "version") == 0 && argc == 4) {
		st = tufsign_notary_get_by_version(
			client, argv[1], argv[2], strtoull(argv[3], NULL, 10), 0, &data, &len, err);
	} else if (strcmp(cmd, "key") == 0 && argc == 3) {
		tufsign_notary_key key;

		st = tufsign_notary_get_key(client, argv[1], argv[2], &key, err);
		if (st == TUFSIGN_OK)
			printf("%s %s %zu\n", key.keytype, key.public_b64, key.public_len);
		tufsign_notary_key_release(&key);
	} else if (strcmp(cmd, "publish") == 0 && argc >= 3) {
		st = run_publish(client, argc - 1, argv + 1, err);
	} else if (strcmp(cmd, "delete") == 0 && argc == 2) {
		st = tufsign_notary_delete(client, argv[1], err);
	} else {
		tufsign_error_set(err, st, "unknown command or wrong arguments: '%s'", cmd);
	}
	if (st == TUFSIGN_OK && data != NULL && write_all(data, len) != 0)
		st = tufsign_error_set(err, TUFSIGN_ERR_IO, "cannot write the body to stdout");
	free(data);
	return st;
}

/* Parse options into cfg; returns the index of the command word. */
static int parse_options(int argc, char **argv, tufsign_notary_config *cfg)
{
	int i;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *next = i + 1 < argc ? argv[i + 1] : NULL;

		if (strcmp(a, "-s") == 0 && next)
			cfg->url = argv[++i];
		else if (strcmp(a, "-c") == 0 && next)
			cfg->ca_file = argv[++i];
		else if (strcmp(a, "--cert") == 0 && next)
			cfg->client_cert = argv[++i];
		else if (strcmp(a, "--key") == 0 && next)
			cfg->client_key = argv[++i];
		else if (strcmp(a, "--insecure-plain-http") == 0)
			cfg->insecure_plain_http = 1;
		else if (strcmp(a, "-u") == 0 && next)
			cfg->username = argv[++i];
		else if (strcmp(a, "--no-env") == 0)
			cfg->use_environment = 0;
		else if (strcmp(a, "-r") == 0 && next)
			cfg->retries = (unsigned)strtoul(argv[++i], NULL, 10);
		else if (strcmp(a, "-t") == 0 && next)
			cfg->timeout_ms = strtol(argv[++i], NULL, 10);
		else if (strcmp(a, "-v") == 0)
			tufsign_log_set_handler(log_to_stderr, NULL, TUFSIGN_LOG_DEBUG);
		else if (strcmp(a, "-vv") == 0)
			tufsign_log_set_handler(log_to_stderr, NULL, TUFSIGN_LOG_TRACE);
		else
			break;
	}
	return i;
}

int main(int argc, char **argv)
{
	tufsign_notary_config cfg;
	tufsign_notary *client = NULL;
	tufsign_error err;
	tufsign_status st;
	int first;

	tufsign_error_clear(&err);
	tufsign_log_set_handler(log_to_stderr, NULL, TUFSIGN_LOG_WARN);
	tufsign_notary_config_init(&cfg);
	cfg.retry_delay_ms = 50;
	first = parse_options(argc, argv, &cfg);
	cfg.password = getenv("NETCHECK_PASSWORD");
	st = tufsign_notary_new(&cfg, &client, &err);
	if (st == TUFSIGN_OK)
		st = run_command(client, argc - first, argv + first, &err);
	tufsign_notary_free(client);
	if (st != TUFSIGN_OK)
		fprintf(stderr, "%s: %s\n", tufsign_status_name(st), err.message);
	return (int)st;
}
