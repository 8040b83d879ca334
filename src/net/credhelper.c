/* Docker credential helpers: "docker-credential-NAME get" reads a server URL
 * on stdin and writes {"ServerURL", "Username", "Secret"} on stdout, or exits
 * non-zero with an error text on stdout. The docker CLI and the helpers of
 * docker/docker-credential-helpers speak this protocol. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "net/net.h"

/* A response is a few hundred bytes, so a helper writing more is broken. */
#define HELPER_OUTPUT_MAX ((size_t)64 << 10)
/* The message a helper prints when it stores nothing for the server. */
#define NOT_FOUND_MESSAGE "credentials not found in native keychain"
/* Characters of a failing helper's output quoted in an error message. */
#define QUOTED_OUTPUT_MAX 200

extern char **environ;

/* tufsign's own secrets, which the helper has no use for. */
static const char *const withheld_variables[] = {
	"TUFSIGN_PASSWORD",
	"TUFSIGN_PIN",
	"TUFSIGN_PASSPHRASE",
	"NOTARY_AUTH",
};

/* A finished helper run: its exit status and stdout (a secret). */
typedef struct helper_run {
	char *output; /* HELPER_OUTPUT_MAX + 1 bytes, NUL-terminated */
	size_t len;
	int status; /* from waitpid */
} helper_run;

static long monotonic_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int is_withheld(const char *entry)
{
	size_t i, n;

	for (i = 0; i < TF_ARRAY_LEN(withheld_variables); i++) {
		n = strlen(withheld_variables[i]);
		if (strncmp(entry, withheld_variables[i], n) == 0 && entry[n] == '=')
			return 1;
	}
	return 0;
}

/* The process environment without withheld_variables; the array is
 * malloc'd, its strings are borrowed from environ. */
static char **helper_environment(void)
{
	size_t n = 0, k = 0, i;
	char **env;

	while (environ != NULL && environ[n] != NULL)
		n++;
	env = calloc(n + 1, sizeof(*env));
	if (env == NULL)
		return NULL;
	for (i = 0; i < n; i++) {
		if (!is_withheld(environ[i]))
			env[k++] = environ[i];
	}
	return env;
}

/* Start the helper with stdin reading in_fd and stdout writing out_fd. No
 * other descriptor of this process stays open in the child. Returns 0 or an
 * errno value. */
static int spawn_helper(const char *program, int in_fd, int out_fd, pid_t *pid)
{
	posix_spawn_file_actions_t actions;
	char *argv[] = {(char *)program, (char *)"get", NULL};
	char **env = helper_environment();
	int rc;

	if (env == NULL)
		return ENOMEM;
	rc = posix_spawn_file_actions_init(&actions);
	if (rc != 0) {
		free(env);
		return rc;
	}
	rc = posix_spawn_file_actions_adddup2(&actions, in_fd, STDIN_FILENO);
	if (rc == 0)
		rc = posix_spawn_file_actions_adddup2(&actions, out_fd, STDOUT_FILENO);
	if (rc == 0)
		rc = posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, "/dev/null",
						      O_WRONLY, 0);
	if (rc == 0)
		rc = posix_spawn_file_actions_addclosefrom_np(&actions, STDERR_FILENO + 1);
	/* glibc reports a failed exec, e.g. ENOENT for a helper not on PATH,
	 * as the result of posix_spawnp. */
	/* The helper stays in tufsign's process group, as the docker CLI runs
	 * it. In a group of its own, a helper that prompts on the terminal (a
	 * GnuPG pinentry) would be stopped by SIGTTIN. */
	if (rc == 0)
		rc = posix_spawnp(pid, program, &actions, NULL, argv, env);
	posix_spawn_file_actions_destroy(&actions);
	free(env);
	return rc;
}

/* Collect the helper's exit status if it has exited, and return 1 then.
 * When the host program reaps children itself (SIGCHLD ignored), waitpid
 * fails with ECHILD and the status is lost. It is then set to -1, so it is
 * never read as a success. */
static int reap(pid_t pid, helper_run *run)
{
	pid_t done = waitpid(pid, &run->status, WNOHANG);

	if (done == pid)
		return 1;
	if (done < 0 && errno != EINTR) {
		run->status = -1;
		return 1;
	}
	return 0;
}

/* Read what fd has ready without waiting. Returns 0 when nothing more is
 * ready or at EOF, 1 past the size cap. */
static int drain_output(int fd, helper_run *run)
{
	struct pollfd pfd = {.fd = fd, .events = POLLIN};
	ssize_t got;

	while (poll(&pfd, 1, 0) > 0) {
		got = read(fd, run->output + run->len, HELPER_OUTPUT_MAX + 1 - run->len);
		if (got <= 0)
			return 0;
		run->len += (size_t)got;
		if (run->len > HELPER_OUTPUT_MAX)
			return 1;
	}
	return 0;
}

/* Read the helper's stdout until EOF, the size cap or the deadline. A
 * process the helper left running may hold the pipe open after the helper
 * exits, so once it has exited, what is ready is read and the rest left.
 * Returns 0 at EOF or after that, 1 past the cap, -1 at the deadline;
 * *reaped is 1 when run->status was collected. */
static int read_output(int fd, pid_t pid, helper_run *run, long deadline, int *reaped)
{
	struct pollfd pfd = {.fd = fd, .events = POLLIN};
	ssize_t got;
	long left;
	int ready;

	for (;;) {
		left = deadline - monotonic_ms();
		if (left <= 0)
			return -1;
		ready = poll(&pfd, 1, (int)(left > 100 ? 100 : left));
		if (ready < 0 && errno != EINTR)
			return -1;
		if (ready <= 0) {
			*reaped = *reaped || reap(pid, run);
			if (*reaped)
				return drain_output(fd, run);
			continue;
		}
		got = read(fd, run->output + run->len, HELPER_OUTPUT_MAX + 1 - run->len);
		if (got < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (got <= 0)
			return 0;
		run->len += (size_t)got;
		if (run->len > HELPER_OUTPUT_MAX)
			return 1;
	}
}

/* Wait for the helper to exit until the deadline. Returns 0 when it did. */
static int wait_exit(pid_t pid, helper_run *run, long deadline)
{
	const struct timespec pause = {.tv_sec = 0, .tv_nsec = 10 * 1000 * 1000};

	for (;;) {
		if (reap(pid, run))
			return 0;
		if (monotonic_ms() >= deadline)
			return -1;
		nanosleep(&pause, NULL);
	}
}

/* Kill the helper. NOTE: a process it started and left behind is not
 * killed, because the helper shares tufsign's process group. */
static void kill_helper(pid_t pid)
{
	int status;

	kill(pid, SIGKILL);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
}

/* Write the server URL into the pipe before the helper starts. It fits in
 * the pipe buffer, so no write can meet a helper that has exited (SIGPIPE). */
static int feed_input(int fds[2], const char *server)
{
	size_t len = strlen(server);
	ssize_t put = write(fds[1], server, len);

	close(fds[1]);
	fds[1] = -1;
	return put == (ssize_t)len ? 0 : -1;
}

static tufsign_status run_failure(tufsign_error *err, const tf_helper_request *req,
				  const char *program, const char *why)
{
	return tufsign_error_set(err, TUFSIGN_ERR_AUTH,
				 "cannot run credential helper '%s' (%s) for '%s': %s", program,
				 req->setting, req->server, why);
}

/* Run the helper to completion, or kill it at the timeout or the size cap. */
static tufsign_status run_helper(const tf_helper_request *req, const char *program, helper_run *run,
				 tufsign_error *err)
{
	tufsign_status st = TUFSIGN_OK;
	int in[2] = {-1, -1}, out[2] = {-1, -1};
	long deadline = monotonic_ms() + req->timeout_ms;
	pid_t pid = -1;
	int rc, reaped = 0;

	if (pipe2(in, O_CLOEXEC) != 0 || pipe2(out, O_CLOEXEC) != 0 ||
	    feed_input(in, req->server) != 0) {
		st = run_failure(err, req, program, strerror(errno));
		goto out;
	}
	rc = spawn_helper(program, in[0], out[1], &pid);
	if (rc == ENOENT) {
		st = tufsign_error_set(err, TUFSIGN_ERR_AUTH,
				       "cannot run credential helper '%s' (%s) for '%s': not "
				       "found on PATH; install it, change that setting, or give "
				       "credentials with --username",
				       program, req->setting, req->server);
		goto out;
	}
	if (rc != 0) {
		st = run_failure(err, req, program, strerror(rc));
		goto out;
	}
	close(out[1]);
	out[1] = -1;
	rc = read_output(out[0], pid, run, deadline, &reaped);
	if (rc == 0 && !reaped)
		rc = wait_exit(pid, run, deadline);
	if (rc == 0 && run->status == -1)
		st = run_failure(err, req, program,
				 "its exit status was lost, because this program reaps child "
				 "processes itself");
	if (rc == 1) {
		kill_helper(pid);
		st = tufsign_error_set(err, TUFSIGN_ERR_AUTH,
				       "credential helper '%s' wrote more than %zu bytes for "
				       "'%s'; expected a JSON object with Username and Secret",
				       program, HELPER_OUTPUT_MAX, req->server);
	} else if (rc < 0) {
		kill_helper(pid);
		st = tufsign_error_set(err, TUFSIGN_ERR_AUTH,
				       "credential helper '%s' timed out after %ld s for '%s'; "
				       "check that it runs without a prompt, or raise "
				       "TUFSIGN_CREDENTIAL_HELPER_TIMEOUT",
				       program, req->timeout_ms / 1000, req->server);
	}
out:
	for (rc = 0; rc < 2; rc++) {
		if (in[rc] >= 0)
			close(in[rc]);
		if (out[rc] >= 0)
			close(out[rc]);
	}
	return st;
}

/* Copy the first line of a failing helper's output into quoted, keeping
 * printable ASCII only. Output that starts like JSON may contain a Secret,
 * so it is left out. */
static void quote_output(const helper_run *run, char *quoted, size_t size)
{
	const char *p = run->output;
	size_t k = 0;

	while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
		p++;
	if (*p == '{')
		p = "";
	for (; *p != '\0' && *p != '\n' && k + 1 < size; p++)
		quoted[k++] = (*p >= 0x20 && *p < 0x7f) ? *p : '?';
	while (k > 0 && (quoted[k - 1] == ' ' || quoted[k - 1] == '\r'))
		k--;
	quoted[k] = '\0';
}

/* Return 1 when the output is the helper's "no credentials" message. */
static int is_not_found_message(const helper_run *run)
{
	const char *p = run->output;
	size_t n = strlen(NOT_FOUND_MESSAGE);
	const char *rest;

	while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
		p++;
	if (strncmp(p, NOT_FOUND_MESSAGE, n) != 0)
		return 0;
	for (rest = p + n; *rest != '\0'; rest++) {
		if (*rest != ' ' && *rest != '\t' && *rest != '\r' && *rest != '\n')
			return 0;
	}
	return 1;
}

static tufsign_status report_exit(const tf_helper_request *req, const char *program,
				  const helper_run *run, tufsign_error *err)
{
	char quoted[QUOTED_OUTPUT_MAX + 1];

	if (WIFSIGNALED(run->status))
		return tufsign_error_set(err, TUFSIGN_ERR_AUTH,
					 "credential helper '%s' was killed by signal %d for '%s'",
					 program, WTERMSIG(run->status), req->server);
	quote_output(run, quoted, sizeof(quoted));
	return tufsign_error_set(err, TUFSIGN_ERR_AUTH,
				 "credential helper '%s' failed for '%s' with exit status %d%s%s; "
				 "check it with 'echo %s | %s get', or give credentials with "
				 "--username",
				 program, req->server, WEXITSTATUS(run->status),
				 quoted[0] ? ": " : "", quoted, req->server, program);
}

/* Take Username and Secret from a helper's output. An empty Username means
 * no credentials, as in the docker CLI. docker-credential-pass 0.6.4
 * returns one for a server it stores nothing for.
 * NOTE: jansson frees its copies of Username and Secret without wiping. */
static tufsign_status parse_answer(const tf_helper_request *req, const char *program,
				   const helper_run *run, tf_credentials *out, tufsign_error *err)
{
	tufsign_status st = TUFSIGN_OK;
	json_t *doc = json_loadb(run->output, run->len, 0, NULL);
	const char *user = json_string_value(json_object_get(doc, "Username"));
	const char *secret = json_string_value(json_object_get(doc, "Secret"));
	char source[sizeof(out->source)];

	if (user == NULL || secret == NULL) {
		st = tufsign_error_set(err, TUFSIGN_ERR_AUTH,
				       "credential helper '%s' returned invalid output for '%s': "
				       "expected a JSON object with string members Username and "
				       "Secret",
				       program, req->server);
		goto out;
	}
	if (strcmp(user, IDENTITY_TOKEN_USERNAME) == 0 && secret[0] == '\0') {
		st = tufsign_error_set(err, TUFSIGN_ERR_AUTH,
				       "credential helper '%s' returned an empty identity token "
				       "for '%s'; log in again with 'docker login'",
				       program, req->server);
		goto out;
	}
	if (strcmp(user, IDENTITY_TOKEN_USERNAME) == 0) {
		snprintf(source, sizeof(source), "credential helper '%s'", program);
		st = tf_credentials_set_identity_token(out, secret, source, err);
		out->from_helper = st == TUFSIGN_OK;
		goto out;
	}
	if (user[0] == '\0') {
		TF_DEBUG("http", "credential helper '%s' returned no user for '%s'", program,
			 req->server);
		goto out;
	}
	out->username = tf_strdup(user);
	out->password = tf_strdup(secret);
	snprintf(out->source, sizeof(out->source), "credential helper '%s'", program);
	out->from_helper = 1;
	if (out->username == NULL || out->password == NULL) {
		tf_credentials_release(out);
		st = tufsign_error_set(err, TUFSIGN_ERR_NOMEM, "out of memory reading credentials");
	}
out:
	json_decref(doc);
	return st;
}

tufsign_status tf_credential_helper_get(const tf_helper_request *req, tf_credentials *out,
					tufsign_error *err)
{
	tufsign_status st;
	helper_run run = {0};
	char *program = NULL;

	memset(out, 0, sizeof(*out));
	/* A '/' would make posix_spawnp run a path instead of searching PATH. */
	if (req->helper[0] == '\0' || strchr(req->helper, '/') != NULL)
		return tufsign_error_set(err, TUFSIGN_ERR_INVALID_ARGUMENT,
					 "invalid credential helper name '%s' (%s): expected the "
					 "NAME of a program docker-credential-NAME on PATH",
					 req->helper, req->setting);
	program = tf_asprintf("docker-credential-%s", req->helper);
	run.output = calloc(1, HELPER_OUTPUT_MAX + 1);
	if (program == NULL || run.output == NULL) {
		st = tufsign_error_set(err, TUFSIGN_ERR_NOMEM, "out of memory running a helper");
		goto out;
	}
	TF_DEBUG("http", "asking credential helper '%s' for '%s'", program, req->server);
	st = run_helper(req, program, &run, err);
	if (st != TUFSIGN_OK)
		goto out;
	if (WIFEXITED(run.status) && WEXITSTATUS(run.status) == 0)
		st = parse_answer(req, program, &run, out, err);
	else if (WIFEXITED(run.status) && is_not_found_message(&run))
		TF_DEBUG("http", "credential helper '%s' has no credentials for '%s'", program,
			 req->server);
	else
		st = report_exit(req, program, &run, err);
out:
	tf_free_wiped(run.output, HELPER_OUTPUT_MAX + 1);
	free(program);
	return st;
}
