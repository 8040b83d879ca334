/* Early check of the files named on the command line, so a mistyped path is
 * reported as bad input naming its option, before any token or network use. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "tufsign/pubkey.h"

/* Maximum size of a --root-cert file in bytes. */
#define MAX_ROOT_CERT ((size_t)1 << 20)

static const struct input_file_option {
	int id;
	const char *name;
	int exit_code;
} input_file_options[] = {
	{OPT_TLS_CA, "tls-ca", EXIT_USAGE},
	{OPT_TLS_CERT, "tls-cert", EXIT_USAGE},
	{OPT_TLS_KEY, "tls-key", EXIT_USAGE},
	{OPT_PIN_FILE, "pin-file", EXIT_PIN},
	{OPT_PASSWORD_FILE, "password-file", EXIT_USAGE},
	{OPT_PASSPHRASE_FILE, "passphrase-file", EXIT_USAGE},
	{OPT_ROOT_CERT, "root-cert", EXIT_USAGE},
	{OPT_MANIFEST, "manifest", EXIT_USAGE},
	{OPT_TARGETS_FILE, "targets-file", EXIT_USAGE},
	{OPT_SIGNER_CERT, "signer-cert", EXIT_USAGE},
	{OPT_SIGNER_PUBKEY, "signer-pubkey", EXIT_USAGE},
};

/* Return 1 when path can be read, else 0 with errno set. A FIFO is only
 * checked for permission, because opening it would take the place of the
 * real reader: the writer's data would be lost or the writer would wait for
 * a reader that never comes. */
static int readable(const char *path)
{
	struct stat st;
	int fd;

	if (stat(path, &st) != 0)
		return 0;
	if (S_ISDIR(st.st_mode)) {
		errno = EISDIR;
		return 0;
	}
	if (!S_ISREG(st.st_mode))
		return access(path, R_OK) == 0;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	close(fd);
	return 1;
}

/* Check that the regular file path contains a PEM certificate, so a wrong
 * --root-cert is bad input found before any network use. Prints the error
 * and returns EXIT_USAGE, or returns EXIT_OK. A FIFO is left for the one
 * real read, as in readable(). */
static int check_root_cert(const char *path)
{
	tufsign_pubkey key;
	tufsign_error err;
	struct stat st;
	char *pem = NULL;
	size_t len = 0;
	int rc = EXIT_OK;

	if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
		return EXIT_OK;
	memset(&key, 0, sizeof(key));
	tufsign_error_clear(&err);
	if (cli_read_file(path, MAX_ROOT_CERT, &pem, &len, &err) != TUFSIGN_OK ||
	    tufsign_pubkey_from_cert_pem(&key, pem, len, &err) != TUFSIGN_OK) {
		cli_error("cannot read --root-cert '%s': %s; expected the PEM certificate of the "
			  "root key",
			  path, err.message);
		rc = EXIT_USAGE;
	}
	tufsign_pubkey_release(&key);
	free(pem);
	return rc;
}

int cli_check_input_files(const cli_args *args)
{
	size_t i, k;

	for (i = 0; i < (size_t)args->ngiven; i++) {
		for (k = 0; k < sizeof(input_file_options) / sizeof(input_file_options[0]); k++) {
			const struct input_file_option *o = &input_file_options[k];

			if (o->id != args->given[i].id)
				continue;
			if (readable(args->given[i].value)) {
				if (o->id == OPT_ROOT_CERT && check_root_cert(args->given[i].value))
					return EXIT_USAGE;
				continue;
			}
			cli_error("cannot read --%s '%s': %s", o->name, args->given[i].value,
				  strerror(errno));
			return o->exit_code;
		}
	}
	return EXIT_OK;
}
