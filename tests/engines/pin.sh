#!/bin/bash
# PIN handling. The fault module wrapped around SoftHSM counts one C_Login
# per token per run. A wrong PIN is tried once and reported with the PIN exit
# code. Each PIN source works, there is no prompt without a terminal, and the
# PIN is in no output and no file the tool writes.
. "$TUFSIGN_SOURCE_DIR/tests/lib/common.sh"
. "$TUFSIGN_SOURCE_DIR/tests/engines/lib.sh"
require_cmd setsid

pin=Zq7-pin-4821
new_token pin 87654321 "$pin"
log=$TEST_DIR/calls.log
export TUFSIGN_FAULT_LOG=$log
token="pkcs11:token=pin"
wrapped="?module-path=$FAULT_MODULE"
msg=$TEST_DIR/msg
printf 'signed bytes' >"$msg"

for role in root targets; do
	assert_exit 0 "$TUFSIGN" --pin-file "$TOKEN_PIN_FILE" key generate "$token;object=$role"
done

count() {
	grep -c "^$1" "$log" || true
}

# Two keys of one token, three signatures each, as a publish run signs root
# and targets: one session, one C_Login, one C_Sign per signature.
: >"$log"
assert_exit 0 env TUFSIGN_PIN="$pin" "$ENGINE_SIGN" -n 3 "$msg" \
	"$token;object=root$wrapped" "$token;object=targets$wrapped"
assert_eq 1 "$(count 'C_Login 1')" "C_Login calls for two keys"
assert_eq 1 "$(count C_OpenSession)" "sessions for two keys"
assert_eq 6 "$(count C_Sign)" "C_Sign calls for six signatures"

# A token some other application already logged in to is used as it is.
assert_exit 0 env TUFSIGN_PIN="$pin" TUFSIGN_FAULT_LOGIN_RV=0x100 "$ENGINE_SIGN" "$msg" \
	"$token;object=root$wrapped"

# A wrong PIN: one C_Login, never retried, the PIN exit code, the CK_RV name
# and where the PIN came from, but not the PIN.
retry_note="tufsign does not retry, because every failed login counts against the token's retry limit"
: >"$log"
assert_exit 3 env TUFSIGN_PIN=0000-wrong "$TUFSIGN" key list "$token$wrapped"
assert_eq 1 "$(count C_Login)" "C_Login calls with a wrong PIN"
assert_eq "tufsign: login to token 'pin' failed: CKR_PIN_INCORRECT; the PIN in TUFSIGN_PIN is wrong. $retry_note" \
	"$STDERR"
printf '0000-wrong\n' >"$TEST_DIR/wrong-pin"
assert_exit 3 env -u TUFSIGN_PIN "$TUFSIGN" --pin-file "$TEST_DIR/wrong-pin" key list \
	"$token$wrapped"
assert_eq "tufsign: login to token 'pin' failed: CKR_PIN_INCORRECT; the PIN read from the file '$TEST_DIR/wrong-pin' given with --pin-file is wrong. $retry_note" \
	"$STDERR"
assert_exit 3 "$TUFSIGN" key list "$token?pin-source=file:$TEST_DIR/wrong-pin&module-path=$FAULT_MODULE"
assert_eq "tufsign: login to token 'pin' failed: CKR_PIN_INCORRECT; the PIN read from the file '$TEST_DIR/wrong-pin' named by pin-source in the PKCS#11 URI is wrong. $retry_note" \
	"$STDERR"
assert_not_contains "$STDERR" "0000-wrong" "wrong PIN message"
# A PIN the token rejects for its length or characters names its source too.
assert_exit 3 env TUFSIGN_FAULT_LOGIN_RV=0xa2 TUFSIGN_PIN="$pin" "$TUFSIGN" key list \
	"$token$wrapped"
assert_eq "tufsign: login to token 'pin' failed: CKR_PIN_LEN_RANGE; the PIN in TUFSIGN_PIN is shorter or longer than the token accepts" \
	"$STDERR"
assert_exit 3 env TUFSIGN_PIN=0000-wrong "$TUFSIGN" --json key list "$token$wrapped"
assert_contains "$STDOUT" '"code":"TUFSIGN_ERR_PIN_INCORRECT"'
assert_contains "$STDOUT" '"exit_code":3'

# A library caller that goes on to open a second key of the same token after
# the wrong PIN gets the same error without a second C_Login.
: >"$log"
assert_exit $((10 + 13)) env TUFSIGN_PIN=0000-wrong "$ENGINE_SIGN" -c "$msg" \
	"$token;object=root$wrapped" "$token;object=targets$wrapped"
assert_eq 1 "$(count C_Login)" "C_Login calls for two keys with a wrong PIN"
assert_eq 2 "$(grep -c '^open failed: status=TUFSIGN_ERR_PIN_INCORRECT' <<<"$STDERR")" \
	"failed opens reported"
assert_contains "$STDERR" "CKR_PIN_INCORRECT; the PIN in TUFSIGN_PIN is wrong"
assert_contains "$STDERR" "(not tried again in this process)"

# Each PIN source on its own.
printf '%s\n' "$pin" >"$TEST_DIR/pin with space"
assert_exit 0 "$TUFSIGN" key list "$token?pin-source=file:$TOKEN_PIN_FILE"
assert_contains "$STDOUT" "root"
assert_exit 0 "$TUFSIGN" --pin-file "$TEST_DIR/pin with space" key list "$token"
assert_contains "$STDOUT" "targets"
assert_exit 0 env TUFSIGN_PIN="$pin" "$TUFSIGN" key list "$token"
assert_contains "$STDOUT" "root"
# A PIN file that is a FIFO: the early check of input files only tests its
# permission, so the writer's line reaches the PIN reader.
mkfifo "$TEST_DIR/pin.fifo"
printf '%s\n' "$pin" >"$TEST_DIR/pin.fifo" &
writer=$!
assert_exit 0 timeout 20 "$TUFSIGN" --pin-file "$TEST_DIR/pin.fifo" key list "$token"
assert_contains "$STDOUT" "targets"
kill "$writer" 2>/dev/null || true
# An empty PIN file is an error before any login.
: >"$TEST_DIR/empty"
: >"$log"
assert_exit 3 "$TUFSIGN" --pin-file "$TEST_DIR/empty" key list "$token$wrapped"
assert_eq "tufsign: the first line of the PIN file '$TEST_DIR/empty' given with --pin-file is empty" \
	"$STDERR"
assert_eq 0 "$(count C_)" "PKCS#11 session calls with an empty PIN file"
# A PIN file larger than 256 bytes is not a PIN file.
head -c 300 /dev/zero | tr '\0' 7 >"$TEST_DIR/large"
assert_exit 3 "$TUFSIGN" --pin-file "$TEST_DIR/large" key list "$token$wrapped"
assert_eq "tufsign: the PIN file '$TEST_DIR/large' given with --pin-file is larger than 256 bytes; it should contain only the PIN on its first line" \
	"$STDERR"
# A pin-source file that cannot be read is a PIN error (exit 3) that names
# the file and pin-source, before any session.
source_advice="correct the path, or remove pin-source from the URI to use --pin-file or TUFSIGN_PIN"
assert_exit 3 "$TUFSIGN" key list "$token?pin-source=file:$TEST_DIR/nonexist&module-path=$FAULT_MODULE"
assert_eq "tufsign: cannot read the PIN file '$TEST_DIR/nonexist' named by pin-source in the PKCS#11 URI: No such file or directory; $source_advice" \
	"$STDERR"
assert_exit 3 "$TUFSIGN" --json key list "$token?pin-source=file://$TEST_DIR&module-path=$FAULT_MODULE"
assert_eq "tufsign: cannot read the PIN file '$TEST_DIR' named by pin-source in the PKCS#11 URI: Is a directory; $source_advice" \
	"$STDERR"
assert_contains "$STDOUT" '"code":"TUFSIGN_ERR_PIN_REQUIRED"'
assert_contains "$STDOUT" '"exit_code":3'
assert_exit 3 "$TUFSIGN" key list "$token?pin-source=file:$TEST_DIR/empty&module-path=$FAULT_MODULE"
assert_eq "tufsign: the first line of the PIN file '$TEST_DIR/empty' named by pin-source in the PKCS#11 URI is empty; $source_advice" \
	"$STDERR"
assert_eq 0 "$(count C_)" "PKCS#11 session calls with unusable pin-source files"
# The URI's pin-source comes before --pin-file and TUFSIGN_PIN.
printf 'wrong-pin\n' >"$TEST_DIR/wrong"
assert_exit 0 env TUFSIGN_PIN=wrong-pin "$TUFSIGN" --pin-file "$TEST_DIR/wrong" key list \
	"$token?pin-source=file:$TOKEN_PIN_FILE"

# With a terminal and no other source, the PIN is asked for with echo off:
# the terminal transcript shows the prompt but not the PIN. The PIN is sent
# only once the prompt is on screen, so no typed-ahead input is flushed.
# at_prompt LINE URI: runs 'key list URI' on a terminal with no other PIN
# source, types LINE once the prompt is on screen and sets $transcript.
at_prompt() {
	local tty_out=$TEST_DIR/tty.out
	: >"$tty_out"
	(
		for _ in $(seq 300); do
			grep -q "PIN for token 'pin'" "$tty_out" && break
			sleep 0.1
		done
		printf '%s\n' "$1"
	) | env -u TUFSIGN_PIN script -qec "'$TUFSIGN' key list '$2'" /dev/null >"$tty_out" || true
	transcript=$(tr -d '\r' <"$tty_out")
}

if command -v script >/dev/null; then
	at_prompt "$pin" "$token;object=root"
	assert_contains "$transcript" "PIN for token 'pin': " "terminal transcript"
	assert_contains "$transcript" "object=root;type=private" "terminal transcript"
	assert_not_contains "$transcript" "$pin" "terminal transcript"
	# An empty line at the prompt is an error before any login, because a
	# wrong PIN counts against the token's retry limit.
	: >"$log"
	at_prompt "" "$token$wrapped"
	assert_contains "$transcript" "no PIN was entered for token 'pin'; nothing was sent" \
		"terminal transcript"
	assert_eq 0 "$(count C_Login)" "C_Login calls after an empty PIN at the prompt"
	# A wrong PIN at the prompt: the message names the prompt as its source.
	at_prompt 0000-wrong "$token"
	assert_contains "$transcript" "CKR_PIN_INCORRECT; the PIN entered at the prompt is wrong." \
		"terminal transcript"
	assert_not_contains "$transcript" "0000-wrong" "terminal transcript"
else
	skip_at_exit "'script' (util-linux) is not installed, so the terminal prompt is untested"
fi

# A PIN in the URI is rejected before any module is loaded, and the message
# does not repeat it.
: >"$log"
pin_value_message="tufsign: the PKCS#11 URI contains pin-value, which tufsign rejects because command lines are visible to other users; use ?pin-source=file:PATH in the URI, --pin-file or TUFSIGN_PIN"
assert_exit 2 "$TUFSIGN" key list "$token;object=root?pin-value=$pin&module-path=$FAULT_MODULE"
assert_eq "$pin_value_message" "$STDERR"
assert_exit 2 "$TUFSIGN" key list "$token;object=root;pin-value=$pin?module-path=$FAULT_MODULE"
assert_eq "$pin_value_message" "$STDERR"
assert_eq 0 "$(count C_)" "PKCS#11 calls with pin-value in the URI"

# pin-source is a query attribute (RFC 7512): in the path part it is
# rejected with the URI that has it after '?'.
assert_exit 2 "$TUFSIGN" key list "$token;pin-source=file:$TOKEN_PIN_FILE?module-path=$FAULT_MODULE"
assert_eq "tufsign: PKCS#11 URI '$token;pin-source=file:$TOKEN_PIN_FILE?module-path=$FAULT_MODULE' has the query attribute pin-source in its path part; RFC 7512 puts query attributes after '?', as in '$token?module-path=$FAULT_MODULE&pin-source=file:$TOKEN_PIN_FILE'" \
	"$STDERR"
assert_eq 0 "$(count C_)" "PKCS#11 calls with pin-source in the path part"

# No PIN source and no terminal: fails before a session is opened.
: >"$log"
assert_exit 3 setsid -w env -u TUFSIGN_PIN "$TUFSIGN" key list "$token$wrapped"
assert_contains "$STDERR" "token 'pin' needs a PIN and there is no terminal to ask for it"
assert_eq 0 "$(count C_OpenSession)" "sessions opened without a PIN"
assert_eq 0 "$(count C_Login)" "C_Login calls without a PIN"

# A token with a protected authentication path (the fault module plays a PIN
# pad): no PIN is read or sent, even with TUFSIGN_PIN set or with no source
# and no terminal, and the user is told to use the keypad.
: >"$log"
assert_exit 0 setsid -w env -u TUFSIGN_PIN TUFSIGN_FAULT_KEYPAD_PIN="$pin" "$TUFSIGN" key list \
	"$token$wrapped"
assert_contains "$STDERR" "enter the PIN on the keypad of token 'pin'"
assert_contains "$STDOUT" "targets"
assert_eq 1 "$(count 'C_Login 1')" "C_Login calls on a PIN pad token"
assert_exit 0 env TUFSIGN_PIN="$pin" TUFSIGN_FAULT_KEYPAD_PIN="$pin" "$ENGINE_SIGN" "$msg" \
	"$token;object=root$wrapped"

# The other login failures: their own names, the PIN exit code, one C_Login.
for case in 0xa4:CKR_PIN_LOCKED:TUFSIGN_ERR_PIN_LOCKED 0xa2:CKR_PIN_LEN_RANGE:TUFSIGN_ERR_PIN_INVALID \
	0xa1:CKR_PIN_INVALID:TUFSIGN_ERR_PIN_INVALID 0xa3:CKR_PIN_EXPIRED:TUFSIGN_ERR_PIN_EXPIRED; do
	IFS=: read -r rv name status <<<"$case"
	: >"$log"
	assert_exit 3 env TUFSIGN_FAULT_LOGIN_RV="$rv" TUFSIGN_PIN="$pin" "$TUFSIGN" --json key list \
		"$token$wrapped"
	assert_contains "$STDERR" "login to token 'pin' failed: $name"
	assert_contains "$STDOUT" "\"code\":\"$status\""
	assert_eq 1 "$(count C_Login)" "C_Login calls for $name"
done

# The PIN reaches no output at the highest verbosity and no written file.
out=$TEST_DIR/out
mkdir "$out"
assert_exit 0 env TUFSIGN_PIN="$pin" TUFSIGN_DEBUG=all "$TUFSIGN" -v -v key list "$token"
assert_not_contains "$STDOUT$STDERR" "$pin" "key list output"
assert_contains "$STDERR" "C_Login on token 'pin'" "debug output"
assert_exit 0 env TUFSIGN_PIN="$pin" TUFSIGN_DEBUG=all "$TUFSIGN" -v -v --json key generate \
	"$token;object=third"
assert_not_contains "$STDOUT$STDERR" "$pin" "key generate output"
assert_exit 0 env TUFSIGN_PIN="$pin" "$ENGINE_SIGN" -v -n 2 -o "$out/sig" "$msg" \
	"$token;object=root"
assert_not_contains "$STDOUT$STDERR" "$pin" "engine output"
if grep -rlF -- "$pin" "$out" "$TEST_DIR/stdout" "$TEST_DIR/stderr"; then
	fail "a file written by the tool contains the PIN"
fi
echo "PASS: pin"
