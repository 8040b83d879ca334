/* Early check of the files named on the command line, so a mistyped path is
 * reported as bad input naming its option, before any token or network use. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

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
	if (!S_ISREG(st.st_mode))
		return access(path, R_OK) == 0;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	close(fd);
	return 1;
}

int cli_check_input_files(const cli_args *args)
{
	size_t i, k;

	for (i = 0; i < (size_t)args->ngiven; i++) {
		for (k = 0; k < sizeof(input_file_options) / sizeof(input_file_options[0]); k++) {
			const struct input_file_option *o = &input_file_options[k];

			if (o->id != args->given[i].id)
				continue;
			if (readable(args->given[i].value))
				continue;
			cli_error("cannot read --%s '%s': %s", o->name, args->given[i].value,
				  strerror(errno));
			return o->exit_code;
		}
	}
	return EXIT_OK;
}
