/* Sources of a token PIN, in order: the URI's pin-source, --pin-file, the
 * TUFSIGN_PIN variable, a prompt on the terminal with echo off. A PIN is
 * never taken from the command line. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <termios.h>
#include <unistd.h>

#include "pkcs11/p11.h"

#define PIN_MAX 256

/* Read path into buf, which has room for size bytes. Returns 0 with *len set, an
 * errno value, or EFBIG when the file has more than size bytes. */
static int read_small_file(const char *path, char *buf, size_t size, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	int rc = 0;

	*len = 0;
	if (fd < 0)
		return errno;
	for (;;) {
		ssize_t n = read(fd, buf + *len, size - *len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			rc = errno;
		if (n <= 0)
			break;
		*len += (size_t)n;
		if (*len == size) {
			rc = EFBIG;
			break;
		}
	}
	close(fd);
	return rc;
}

/* Keep the first line of a PIN file, which may end with a newline. The
 * messages name the file with named_by (the option or attribute that gave
 * it) and end with advice, "" or "; what to do". */
static tufsign_status pin_from_file(const char *path, const char *named_by, const char *advice,
				    char **pin, char origin[TF_P11_PIN_ORIGIN_SIZE],
				    tufsign_error *err)
{
	char buf[PIN_MAX + 1];
	size_t len = 0;
	int rc = read_small_file(path, buf, sizeof(buf), &len);
	tufsign_status st = TUFSIGN_OK;

	snprintf(origin, TF_P11_PIN_ORIGIN_SIZE, "the PIN read from the file '%s' %s", path,
		 named_by);
	buf[len < sizeof(buf) ? len : sizeof(buf) - 1] = '\0';
	if (rc == EFBIG)
		st = tufsign_error_set(err, TUFSIGN_ERR_PIN_REQUIRED,
				       "the PIN file '%s' %s is larger than %d bytes; it should "
				       "contain only the PIN on its first line%s",
				       path, named_by, PIN_MAX, advice);
	else if (rc != 0)
		st = tufsign_error_set(err, TUFSIGN_ERR_PIN_REQUIRED,
				       "cannot read the PIN file '%s' %s: %s%s", path, named_by,
				       strerror(rc), advice);
	else if (strcspn(buf, "\r\n") == 0)
		st = tufsign_error_set(err, TUFSIGN_ERR_PIN_REQUIRED,
				       "the first line of the PIN file '%s' %s is empty%s", path,
				       named_by, advice);
	else if ((*pin = tf_strndup(buf, strcspn(buf, "\r\n"))) == NULL)
		st = tufsign_error_set(err, TUFSIGN_ERR_NOMEM, "out of memory");
	tf_wipe(buf, sizeof(buf));
	return st;
}

/* RFC 7512 pin-source is a URI; tufsign reads local files only. */
static tufsign_status pin_from_source(const char *source, char **pin,
				      char origin[TF_P11_PIN_ORIGIN_SIZE], tufsign_error *err)
{
	const char *path = source;

	if (strncmp(source, "file://", 7) == 0)
		path = source + 7;
	else if (strncmp(source, "file:", 5) == 0)
		path = source + 5;
	else if (strchr(source, ':') != NULL)
		return tufsign_error_set(
			err, TUFSIGN_ERR_URI,
			"pin-source '%s' is not supported; use pin-source=file:PATH", source);
	return pin_from_file(path, "named by pin-source in the PKCS#11 URI",
			     "; correct the path, or remove pin-source from the URI to use "
			     "--pin-file or TUFSIGN_PIN",
			     pin, origin, err);
}

/* Read one line from the terminal into buf, without its end of line.
 * Returns its length, PIN_READ_ERROR (errno set) or PIN_TOO_LONG. */
#define PIN_READ_ERROR (-1)
#define PIN_TOO_LONG   (-2)
static ssize_t read_pin_line(int fd, char *buf, size_t size)
{
	size_t len = 0;

	for (;;) {
		ssize_t n = read(fd, buf + len, 1);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return PIN_READ_ERROR;
		if (n == 0 || buf[len] == '\n' || buf[len] == '\r')
			break;
		if (++len == size)
			return PIN_TOO_LONG;
	}
	buf[len] = '\0';
	return (ssize_t)len;
}

/* Read the PIN with echo off. A partial or empty PIN is never returned,
 * because each failed C_Login counts against the token's retry limit. */
static tufsign_status pin_prompt(int fd, const char *token_label, char **pin, tufsign_error *err)
{
	struct termios old, quiet;
	char buf[PIN_MAX];
	ssize_t len;
	int read_errno;
	tufsign_status st = TUFSIGN_OK;
	char *prompt = tf_asprintf("PIN for token '%s': ", token_label);

	if (prompt == NULL)
		return tufsign_error_set(err, TUFSIGN_ERR_NOMEM, "out of memory");
	if (tcgetattr(fd, &old) != 0) {
		free(prompt);
		return tufsign_error_set(err, TUFSIGN_ERR_PIN_REQUIRED,
					 "cannot prompt for the PIN of token '%s': the terminal "
					 "does not allow it; use --pin-file or TUFSIGN_PIN",
					 token_label);
	}
	quiet = old;
	quiet.c_lflag &= ~(tcflag_t)(ECHO | ECHONL);
	quiet.c_lflag |= ICANON;
	(void)!write(fd, prompt, strlen(prompt));
	free(prompt);
	/* NOTE: a signal that ends the process during the prompt leaves echo
	 * off on the terminal; 'stty echo' restores it. */
	tcsetattr(fd, TCSAFLUSH, &quiet);
	len = read_pin_line(fd, buf, sizeof(buf));
	read_errno = errno;
	/* TCSAFLUSH also drops the rest of a PIN that was too long. */
	tcsetattr(fd, TCSAFLUSH, &old);
	(void)!write(fd, "\n", 1);
	if (len == PIN_READ_ERROR)
		st = tufsign_error_set(err, TUFSIGN_ERR_PIN_REQUIRED,
				       "cannot read the PIN of token '%s' from the terminal: %s",
				       token_label, strerror(read_errno));
	else if (len == PIN_TOO_LONG)
		st = tufsign_error_set(err, TUFSIGN_ERR_PIN_INVALID,
				       "the PIN entered for token '%s' is longer than %d bytes",
				       token_label, PIN_MAX - 1);
	else if (len == 0)
		st = tufsign_error_set(err, TUFSIGN_ERR_PIN_REQUIRED,
				       "no PIN was entered for token '%s'; nothing was sent to "
				       "the token",
				       token_label);
	else if ((*pin = tf_strndup(buf, (size_t)len)) == NULL)
		st = tufsign_error_set(err, TUFSIGN_ERR_NOMEM, "out of memory");
	tf_wipe(buf, sizeof(buf));
	return st;
}

tufsign_status tf_p11_pin_read(const char *pin_source, const tufsign_key_options *opts,
			       const char *token_label, char **pin,
			       char origin[TF_P11_PIN_ORIGIN_SIZE], tufsign_error *err)
{
	struct rlimit no_core = {0, 0};
	const char *env = getenv("TUFSIGN_PIN");
	tufsign_status st;
	int fd;

	*pin = NULL;
	/* A core dump taken after this point could hold the PIN. */
	setrlimit(RLIMIT_CORE, &no_core);
	origin[0] = '\0';
	if (pin_source != NULL)
		return pin_from_source(pin_source, pin, origin, err);
	if (opts != NULL && opts->pin_file != NULL)
		return pin_from_file(opts->pin_file, "given with --pin-file", "", pin, origin, err);
	/* A CI secret that does not exist expands to an empty value; asking on
	 * the terminal instead would hide that mistake. */
	if (env != NULL && env[0] == '\0')
		return tufsign_error_set(err, TUFSIGN_ERR_PIN_REQUIRED,
					 "TUFSIGN_PIN is set but empty (an unset pipeline "
					 "secret?); token '%s' needs a PIN: set TUFSIGN_PIN to it, "
					 "or unset it and use --pin-file",
					 token_label);
	if (env != NULL) {
		snprintf(origin, TF_P11_PIN_ORIGIN_SIZE, "the PIN in TUFSIGN_PIN");
		*pin = tf_strdup(env);
		return *pin ? TUFSIGN_OK
			    : tufsign_error_set(err, TUFSIGN_ERR_NOMEM, "out of memory");
	}
	fd = (opts != NULL && opts->allow_prompt) ? open("/dev/tty", O_RDWR | O_CLOEXEC) : -1;
	if (fd < 0)
		return tufsign_error_set(err, TUFSIGN_ERR_PIN_REQUIRED,
					 "token '%s' needs a PIN and there is no terminal to ask "
					 "for it; use pin-source=file:PATH in the URI, --pin-file "
					 "or TUFSIGN_PIN",
					 token_label);
	snprintf(origin, TF_P11_PIN_ORIGIN_SIZE, "the PIN entered at the prompt");
	st = pin_prompt(fd, token_label, pin, err);
	close(fd);
	return st;
}
