/* Shared declarations of the tufsign command: the command table, option
 * parsing, exit codes and output helpers. Only the CLI includes this. */
#ifndef TUFSIGN_CLI_H
#define TUFSIGN_CLI_H

#include <stdio.h>

#include <jansson.h>

#include "tufsign/error.h"
#include "tufsign/key.h"

/* Exit codes; documented in the README and the man page, never renumbered. */
enum cli_exit {
	EXIT_OK = 0,
	EXIT_FAILED = 1,     /* the operation failed for another reason */
	EXIT_USAGE = 2,      /* bad command line or invalid input value */
	EXIT_PIN = 3,        /* PIN missing, wrong, locked or expired */
	EXIT_TOKEN = 4,      /* module, token, key or mechanism unavailable, or a key
			      * that is not the one the metadata lists for its role */
	EXIT_NETWORK = 5,    /* server unreachable, TLS, authentication or server error */
	EXIT_UNTRUSTED = 6,  /* downloaded metadata failed verification */
	EXIT_CONFLICT = 7,   /* publish conflict still lost after the retries */
	EXIT_NOT_SIGNED = 8, /* verify: the tag is not signed or has another digest;
			      * remove: the tag is not signed */
};

/* Option identifiers shared by all commands; global ones come first. */
enum cli_opt_id {
	OPT_NONE = 0,
	OPT_HELP,
	OPT_VERSION,
	OPT_SERVER,
	OPT_TRUST_DIR,
	OPT_TLS_CA,
	OPT_TLS_CERT,
	OPT_TLS_KEY,
	OPT_INSECURE_PLAIN_HTTP,
	OPT_JSON,
	OPT_VERBOSE,
	OPT_QUIET,
	OPT_MODULE,
	OPT_PIN_FILE,
	OPT_PASSPHRASE_FILE,
	OPT_USERNAME,
	OPT_PASSWORD_FILE,
	OPT_GLOBAL_LAST, /* options below are per command */
	OPT_TYPE,
	OPT_DAYS,
	OPT_OUT,
	OPT_STORE,
	OPT_ROOT_KEY,
	OPT_TARGETS_KEY,
	OPT_SNAPSHOT_KEY,
	OPT_KEY,
	OPT_DIGEST,
	OPT_SIZE,
	OPT_MANIFEST,
	OPT_TARGETS_FILE,
	OPT_CUSTOM,
	OPT_ROOT_KEY_ID,
	OPT_ROOT_CERT,
	OPT_EXPIRES,
	OPT_SIGNER_KEY,
	OPT_SIGNER_CERT,
	OPT_SIGNER_PUBKEY,
	OPT_PATHS,
	OPT_ROLE,
	OPT_NEW_ROOT_KEY,
	OPT_NEW_TARGETS_KEY,
	OPT_NEW_SNAPSHOT_KEY,
	OPT_SERVER_MANAGED,
	OPT_ID_MAX
};

typedef struct cli_option {
	int id;
	const char *long_name;
	char short_name;      /* 0 for none */
	const char *arg_name; /* NULL for a flag */
	const char *help;
} cli_option;

/* Values given on the command line; repeated flags count up, repeated
 * values keep the last one. */
typedef struct cli_args {
	const char *value[OPT_ID_MAX];
	int count[OPT_ID_MAX];
	char **positional;
	int npositional;
	/* Every option that took a value, in command-line order, for options
	 * that may be repeated (cli_values()). */
	struct cli_given {
		int id;
		const char *value;
	} * given;
	int ngiven;
} cli_args;

typedef struct cli_context cli_context;

typedef struct cli_command {
	const char *name;          /* "key generate" */
	const char *operands;      /* "URI [--type T]" for the usage line */
	const char *summary;       /* one line for the command list */
	const char *description;   /* paragraph for --help; may be NULL */
	const cli_option *options; /* terminated by an entry with id OPT_NONE */
	int min_operands;
	int max_operands;
	int (*run)(cli_context *ctx, const cli_args *args);
} cli_command;

/* Settings that every command reads; filled from options and environment. */
struct cli_context {
	const cli_command *command;
	int json;
	int verbosity; /* -1 quiet, 0 default, 1.. for each -v */
	const char *server;
	const char *trust_dir;
	const char *tls_ca;
	const char *tls_cert;
	const char *tls_key;
	int insecure_plain_http;
	const char *username;
	const char *password_file;
	tufsign_key_options key_options;
	const cli_args *args; /* the parsed command line, to name the option of a value */
};

extern const cli_command *const cli_commands[];

/* Command handlers, one file each. */
extern const cli_command cmd_token_list;
extern const cli_command cmd_key_generate;
extern const cli_command cmd_key_list;
extern const cli_command cmd_key_cert;
extern const cli_command cmd_init;
extern const cli_command cmd_sign;
extern const cli_command cmd_remove;
extern const cli_command cmd_list;
extern const cli_command cmd_verify;
extern const cli_command cmd_delegation_add;
extern const cli_command cmd_delegation_list;
extern const cli_command cmd_delegation_remove;
extern const cli_command cmd_key_rotate;

/* Parse argv (after the command words) against cmd's options and the global
 * ones. Returns 0, or prints a usage error and returns EXIT_USAGE. */
int cli_parse_args(const cli_command *cmd, int argc, char **argv, cli_args *out);
void cli_args_release(cli_args *args);
/* Check that every file named by an input option (--tls-ca, --pin-file,
 * --manifest...) can be opened for reading and is no directory, and that a
 * --root-cert file contains a PEM certificate. Prints the error naming the
 * option and returns its exit code (EXIT_PIN for --pin-file, else
 * EXIT_USAGE), or EXIT_OK. */
int cli_check_input_files(const cli_args *args);
/* Find the command named by the first one or two words after the leading
 * global options. Returns 0 with *cmd set, or -1. */
int cli_find_command(int argc, char **argv, const cli_command **cmd, int *first_word, int *nwords);
/* Check the options before the command words, where only global options
 * belong, when no command was found. Prints the error of the first unknown
 * long option, with the nearest global one, and returns EXIT_USAGE, or
 * returns EXIT_OK. */
int cli_check_leading_options(int argc, char **argv);
void cli_print_command_help(FILE *f, const cli_command *cmd);
void cli_print_usage(FILE *f);

/* Print "tufsign: <message>" to stderr. */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Progress on stderr, silenced by -q. It stays on stderr with --json too,
 * because stdout carries only the JSON document. */
void cli_info(const cli_context *ctx, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Report err on stderr (or as JSON on stdout with --json) and return the
 * exit code for its status. */
int cli_fail(const cli_context *ctx, const tufsign_error *err);
int cli_exit_code(tufsign_status status);
/* Usage error naming the command: prints and returns EXIT_USAGE. */
int cli_usage_error(const cli_context *ctx, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Print a JSON document on stdout (compact, one line) and release it. */
int cli_print_json(json_t *doc);

/* Repository commands (repo_common.c). */
#include "tufsign/metadata.h"
#include "tufsign/repo.h"

/* Buffer size of "sha256:" and 64 hex digits. */
#define CLI_DIGEST_SIZE 72

/* Server, trust cache and root pin of a repository command. */
typedef struct cli_repo {
	tufsign_notary *client;
	tufsign_trust_cache *cache;
	tufsign_repo_pin pin;
	char *pin_cert;
	tufsign_repo_context context; /* points at the members above */
} cli_repo;

/* A signing key opened from a reference (PKCS#11 URI or key file). */
typedef struct cli_key {
	tufsign_key *key;
	tufsign_signer signer;
} cli_key;

/* Read a whole file of at most max bytes; *data is NUL-terminated and freed
 * by the caller. */
tufsign_status cli_read_file(const char *path, size_t max, char **data, size_t *len,
			     tufsign_error *err);
/* Report err (an input check) as a usage error; returns EXIT_USAGE. */
int cli_usage_from_error(const cli_context *ctx, const tufsign_error *err);
/* Check a GUN; a usage error when invalid, else EXIT_OK. */
int cli_check_gun(const cli_context *ctx, const char *gun);
/* Check --server, --root-key-id and --root-cert before any work. */
int cli_repo_check_options(const cli_context *ctx, const cli_args *args);
tufsign_status cli_repo_open(const cli_context *ctx, const cli_args *args, cli_repo *r,
			     tufsign_error *err);
void cli_repo_release(cli_repo *r);
tufsign_status cli_key_open(const cli_context *ctx, const char *ref, cli_key *k,
			    tufsign_error *err);
void cli_key_close(cli_key *k);
/* Close every token session; call once after the last cli_key_close(). */
void cli_keys_shutdown(void);
/* Warn on stderr about each role of gun in list (count of them in all,
 * of which at most TUFSIGN_MAX_EXPIRING are in list) that expires soon,
 * saying how to sign it again. */
void cli_warn_expiring(const char *gun, const tufsign_expiring *list, size_t count);
/* Find the roles of chain that expire within the warning window of rc, as
 * tufsign_chain_expiring() counts them. */
size_t cli_chain_expiring(const tufsign_repo_context *rc, const tufsign_chain *chain,
			  tufsign_expiring list[TUFSIGN_MAX_EXPIRING]);
/* Return a new JSON array of {"role", "expires"} for the first count roles
 * of list (at most TUFSIGN_MAX_EXPIRING), for the --json output. */
json_t *cli_json_expiring(const tufsign_expiring *list, size_t count);
/* Tell the user which root was trusted on first use. */
void cli_print_first_use(const cli_context *ctx, const cli_repo *r, const char *gun,
			 const char *root_key_id);
/* Prints the outcome of a publish; used by sign and remove. */
typedef int (*cli_publish_report)(const cli_context *ctx, const char *gun,
				  const tufsign_target_change *changes, size_t count,
				  const tufsign_publish_result *result);
/* Write the roles a publish signed, each with its version, into buf:
 * "targets version 3", or "targets/releases version 1, targets/alice
 * version 2" after a publish with --role. */
void cli_signed_versions(const tufsign_publish_result *r, char *buf, size_t size);
/* Open the repository, the --key (and --snapshot-key) keys, publish the
 * changes and report them; returns the exit code. */
int cli_publish_changes(cli_context *ctx, const cli_args *args, const char *gun,
			const tufsign_target_change *changes, size_t count,
			cli_publish_report report);
/* Check the operands, then fetch and verify gun for list and verify; on
 * failure reports and returns the exit code. The caller releases r and
 * frees *out. */
int cli_open_verified(const cli_context *ctx, const cli_args *args, const char *gun, cli_repo *r,
		      tufsign_repo **out);
/* Format a SHA-256 digest as "sha256:" and lower-case hex. */
void cli_digest_text(const unsigned char sha256[32], char out[CLI_DIGEST_SIZE]);
/* Parse canonical custom data into a JSON value (json null when absent). */
json_t *cli_json_custom(const char *custom);

/* Delegations (delegation_common.c). */
/* Most values one repeated option takes. */
#define CLI_MAX_VALUES 8
/* Collect the values of option id, each split at commas when split is set;
 * returns their count, or -1 (after a usage error) beyond CLI_MAX_VALUES. */
int cli_values(const cli_context *ctx, const cli_args *args, int id, int split,
	       const char *out[CLI_MAX_VALUES]);
/* Check GUN and NAME operands and --key of delegation add and remove. */
int cli_check_signer_operands(const cli_context *ctx, const cli_args *args);
/* Server, trust cache, --key and --snapshot-key of a delegation change. */
typedef struct cli_signing {
	cli_repo repo;
	cli_key targets;
	cli_key snapshot;
	tufsign_delegation_options options; /* keys, name and paths to fill in */
} cli_signing;
/* Open everything of s; release it with cli_signing_close() on every path. */
tufsign_status cli_signing_open(const cli_context *ctx, const cli_args *args, cli_signing *s,
				tufsign_error *err);
void cli_signing_close(cli_signing *s);
/* Check the --role values before any token or network use: returns
 * EXIT_OK, or prints a usage error and returns EXIT_USAGE. */
int cli_check_roles(const cli_context *ctx, const cli_args *args);
/* Publish changes into the --role delegations instead of targets. */
tufsign_status cli_publish_roles(const cli_context *ctx, const cli_args *args,
				 const tufsign_repo_context *repo, const char *gun,
				 const tufsign_target_change *changes, size_t count,
				 const tufsign_publish_options *opts,
				 tufsign_publish_result *result, tufsign_error *err);

#endif
