# Shared helpers for tufsign's bash test scripts. Source it first:
#   . "$TUFSIGN_SOURCE_DIR/tests/lib/common.sh"
# It turns on errexit/nounset/pipefail, makes $TEST_DIR (removed at exit
# together with everything registered with on_exit) and defines the asserts.
# A failed assert prints "FAIL: ..." and exits 1; skip exits 77, which CTest
# reports as skipped, never as passed.

set -euo pipefail

TUFSIGN_SOURCE_DIR=${TUFSIGN_SOURCE_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
TUFSIGN=${TUFSIGN:-tufsign}
TEST_NAME=$(basename "$0" .sh)
# shellcheck source=net.sh
. "$TUFSIGN_SOURCE_DIR/tests/lib/net.sh"
# shellcheck source=process.sh
. "$TUFSIGN_SOURCE_DIR/tests/lib/process.sh"

TEST_DIR=$(mktemp -d "${TMPDIR:-/tmp}/tufsign-$TEST_NAME.XXXXXX")
# Commands run at exit, last registered first.
_exit_hooks=()
# Reason of a skip decided earlier that turns a passing exit into exit 77.
_deferred_skip=""

on_exit() {
	_exit_hooks+=("$*")
}

_run_exit_hooks() {
	local rc=$? i
	set +e
	for ((i = ${#_exit_hooks[@]} - 1; i >= 0; i--)); do
		eval "${_exit_hooks[i]}"
	done
	rm -rf "$TEST_DIR"
	if [ "$rc" = 0 ] && [ -n "$_deferred_skip" ]; then
		rc=77
	fi
	exit "$rc"
}
trap _run_exit_hooks EXIT

# A test killed with SIGKILL, as CTest does on a timeout, runs no trap. A
# watcher in its own session, so a kill of the test's process group misses
# it, removes TEST_DIR once the test has exited. It is started from a
# subshell, so it is no job of the test and a bare `wait` does not wait for it.
_watch_test_dir() {
	local start
	start=$(process_start_time $$)
	(
		setsid bash -c '. "$1"; wait_for_exit "$2" "$3"; rm -rf "$4"' test-dir-watcher \
			"$TUFSIGN_SOURCE_DIR/tests/lib/process.sh" $$ "$start" "$TEST_DIR" \
			</dev/null >/dev/null 2>&1 &
	)
}
_watch_test_dir
# A signal still runs the hooks: exit from the handler triggers the EXIT trap.
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

fail() {
	echo "FAIL: $*" >&2
	exit 1
}

# skip REASON: prints the SKIP line on stderr, which also reaches the log when
# skip runs inside a command substitution, and exits 77.
skip() {
	echo "SKIP: $*" >&2
	exit 77
}

# skip_at_exit REASON: prints the SKIP line now and lets the test go on, but a
# test that then passes exits 77, so a check left out never counts as passed.
skip_at_exit() {
	echo "SKIP: $*" >&2
	_deferred_skip=$*
}

# wait_until SECONDS CMD...: runs CMD every 0.1 s until it succeeds. Returns
# non-zero when it still fails after SECONDS.
wait_until() {
	local tries=$(($1 * 10)) i
	shift
	for ((i = 0; i < tries; i++)); do
		"$@" && return 0
		sleep 0.1
	done
	"$@"
}

# processes_of PATTERN: prints how many processes have PATTERN in their
# command line.
processes_of() {
	pgrep -c -f -- "$1" || true
}

# settled_count PATTERN N: waits up to 5 s for exactly N processes naming
# PATTERN and prints the count it last read. A fixture's watcher may briefly
# fork a subshell that carries its command line, so one reading can be one
# too high. The value printed is the reading that was compared, never a
# second one taken after it.
settled_count() {
	local count i
	for ((i = 0; i < 50; i++)); do
		count=$(processes_of "$1")
		[ "$count" = "$2" ] && break
		sleep 0.1
	done
	echo "$count"
}

# Skip the test unless every named command is on PATH.
require_cmd() {
	local c
	for c in "$@"; do
		command -v "$c" >/dev/null 2>&1 || skip "'$c' is not installed"
	done
}

# assert_eq EXPECTED ACTUAL [WHAT]
assert_eq() {
	if [ "$1" != "$2" ]; then
		fail "${3:-value}: expected '$1', got '$2'"
	fi
}

# assert_contains TEXT NEEDLE [WHAT]: NEEDLE is a fixed string.
assert_contains() {
	case $1 in
	*"$2"*) ;;
	*) fail "${3:-output} does not contain '$2'; it is: $1" ;;
	esac
}

# assert_not_contains TEXT NEEDLE [WHAT]
assert_not_contains() {
	case $1 in
	*"$2"*) fail "${3:-output} contains '$2'; it is: $1" ;;
	esac
}

# assert_exit CODE CMD...: runs CMD, fails unless it exits with CODE. The
# output is kept for later asserts in $STDOUT and $STDERR (and in the files
# $TEST_DIR/stdout and $TEST_DIR/stderr).
# CMD may be a shell function: it runs in a subshell, so its fail or exit ends
# only the subshell, and errexit stays on inside it (bash turns errexit off in
# a command followed by ||, hence the explicit status check).
assert_exit() {
	local expected=$1 rc=0
	shift
	set +e
	(
		set -e
		"$@"
	) >"$TEST_DIR/stdout" 2>"$TEST_DIR/stderr" </dev/null
	rc=$?
	set -e
	STDOUT=$(cat "$TEST_DIR/stdout")
	STDERR=$(cat "$TEST_DIR/stderr")
	if [ "$rc" != "$expected" ]; then
		echo "command: $*" >&2
		echo "stdout: $STDOUT" >&2
		echo "stderr: $STDERR" >&2
		fail "exit code of '$1': expected $expected, got $rc"
	fi
}

# new_token [LABEL [SO_PIN [PIN]]]: makes a fresh SoftHSM2 token under
# $TEST_DIR and exports its environment in this shell (SOFTHSM2_CONF,
# SOFTHSM2_MODULE, P11KIT_PROXY_MODULE, HOME, TOKEN_LABEL, TOKEN_PIN,
# TOKEN_PIN_FILE, TOKEN_URI, ...). Each call makes a new token directory and
# replaces the previous environment.
_token_count=0
new_token() {
	local label=${1:-tufsign-test} so_pin=${2:-12345678} pin=${3:-1234} dir
	require_cmd softhsm2-util
	_token_count=$((_token_count + 1))
	dir=$TEST_DIR/token$_token_count
	"$TUFSIGN_SOURCE_DIR/softhsm-config/make-token.sh" "$dir" "$label" "$so_pin" "$pin" \
		>/dev/null || fail "cannot make SoftHSM2 token '$label'"
	# shellcheck disable=SC1091
	. "$dir/token.env"
}

# copy_token DIR: copies the current token (the last new_token) to DIR and
# prints the path of a SoftHSM2 configuration that reads the copy. The copy
# contains the same keys. Tests that run tufsign in parallel give each process
# its own copy, because SoftHSM2's file backend is not safe for concurrent
# processes: C_Login rewrites token.object, and another process reading it
# at that moment drops the token from its slot list ("Token integrity check
# failed" in SoftHSM2's log).
copy_token() {
	local tokens
	tokens=$(sed -n 's/^directories.tokendir = //p' "$SOFTHSM2_CONF")
	mkdir -p "$1"
	cp -a "$tokens" "$1/tokens"
	sed "s|^directories.tokendir = .*|directories.tokendir = $1/tokens|" "$SOFTHSM2_CONF" \
		>"$1/softhsm2.conf"
	echo "$1/softhsm2.conf"
}

# use_softhsm_fixture: exports the environment of the suite's shared SoftHSM2
# token ("fixture-token", user PIN 1234) when the test requires CTest fixture
# "softhsm", else makes a fresh token like new_token. Only for tests that
# leave the token as they found it.
use_softhsm_fixture() {
	local env=${TUFSIGN_FIXTURES:-}/softhsm/token.env
	if [ -n "${TUFSIGN_FIXTURES:-}" ] && [ -f "$env" ]; then
		# shellcheck disable=SC1090
		. "$env"
	else
		new_token fixture-token 12345678 1234
	fi
}

# unique_gun [NAME]: a GUN no other test uses, under registry.example (docker
# verifies the Notary server's TLS for it, unlike 127.0.0.1 or localhost).
unique_gun() {
	local team
	team=$(printf '%s' "$TEST_NAME" | tr 'A-Z' 'a-z' | tr -c 'a-z0-9' '-')
	printf 'registry.example/%s/%s-%s\n' "$team" "${1:-app}" \
		"$(od -An -tx1 -N4 /dev/urandom | tr -d ' \n')"
}

# use_notary_fixture [plain|token|mtls]: exports the environment of a running
# notary-server (NOTARY_URL, NOTARY_CA, ...; see tests/fixtures/notary-server.sh).
# Under CTest it is the suite's fixture server; a script run by hand without
# that fixture starts its own server, stopped at exit.
use_notary_fixture() {
	local mode=${1:-plain} name=notary options=() dir
	case $mode in
	plain) ;;
	token) name=notary-token options=(--token-auth) ;;
	mtls) name=notary-mtls options=(--mutual-tls) ;;
	*) fail "use_notary_fixture: unknown mode '$mode'" ;;
	esac
	dir=${TUFSIGN_FIXTURES:-}/$name
	if [ -z "${TUFSIGN_FIXTURES:-}" ] || [ ! -f "$dir/notary.env" ]; then
		require_cmd notary-server
		dir=$TEST_DIR/$name
		on_exit "'$TUFSIGN_SOURCE_DIR/tests/fixtures/notary-server.sh' stop '$dir' 2>/dev/null"
		TUFSIGN_FIXTURE_OWNER=$$ "$TUFSIGN_SOURCE_DIR/tests/fixtures/notary-server.sh" \
			start "$dir" "${options[@]}" >/dev/null || fail "cannot start a notary-server ($mode)"
	fi
	# shellcheck disable=SC1091
	. "$dir/notary.env"
}
