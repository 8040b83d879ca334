#!/bin/bash
# Token faults injected by the wrapper module around SoftHSM: a locked PIN at
# login and a token removed in the middle of signing. Each gives a clear
# message with the CK_RV name and its exit code, and leaves nothing
# half-written: no certificate file, no certificate on the token.
. "$TUFSIGN_SOURCE_DIR/tests/lib/common.sh"
. "$TUFSIGN_SOURCE_DIR/tests/engines/lib.sh"

new_token faults
export TUFSIGN_PIN=$TOKEN_PIN
log=$TEST_DIR/calls.log
export TUFSIGN_FAULT_LOG=$log
wrapped="?module-path=$FAULT_MODULE"
key="pkcs11:token=faults;object=root"
msg=$TEST_DIR/msg
printf 'signed bytes' >"$msg"
assert_exit 0 "$TUFSIGN" key generate "$key"

certs_on_token() {
	p11tool --list-objects --type cert 2>/dev/null | grep -c 'Certificate Object' || true
}

# CKR_PIN_LOCKED at login: the PIN exit code, one C_Login, no file.
: >"$log"
assert_exit 3 env TUFSIGN_FAULT_LOGIN_RV=0xa4 "$TUFSIGN" key cert registry.example/f/app \
	"$key$wrapped" --out "$TEST_DIR/locked.pem" --store
assert_contains "$STDERR" "login to token 'faults' failed: CKR_PIN_LOCKED; the user PIN is locked"
assert_eq 1 "$(grep -c '^C_Login' "$log")" "C_Login calls"
assert_eq 0 "$(grep -c '^C_Sign' "$log" || true)" "C_Sign calls"
[ ! -e "$TEST_DIR/locked.pem" ] || fail "a certificate file was written after CKR_PIN_LOCKED"

# CKR_GENERAL_ERROR at login on a SoftHSM2 token, as when another process
# rewrites the token file: the token exit code and the advice for parallel
# jobs, with one C_Login.
: >"$log"
assert_exit 4 env TUFSIGN_FAULT_LOGIN_RV=0x5 "$TUFSIGN" key cert registry.example/f/app \
	"$key$wrapped" --out "$TEST_DIR/general.pem"
assert_eq "tufsign: login to token 'faults' failed: CKR_GENERAL_ERROR; if other jobs use this SoftHSM2 token at the same time, its file store can fail a login this way: give each job its own copy of the token or serialize them with flock(1)" \
	"$STDERR" "message of CKR_GENERAL_ERROR at login"
assert_eq 1 "$(grep -c '^C_Login' "$log")" "C_Login calls after CKR_GENERAL_ERROR"

# CKR_DEVICE_REMOVED at the certificate's signature: the token exit code,
# no certificate file (nor a temporary one), none stored on the token.
: >"$log"
assert_exit 4 env TUFSIGN_FAULT_SIGN_RV=0x32 TUFSIGN_FAULT_SIGN_AT=1 "$TUFSIGN" key cert \
	registry.example/f/app "$key$wrapped" --out "$TEST_DIR/removed.pem" --store
assert_contains "$STDERR" "signing with key 'root' on token 'faults' failed: CKR_DEVICE_REMOVED"
assert_contains "$STDERR" "reconnect the token and run the command again"
assert_eq 0 "$(find "$TEST_DIR" -maxdepth 1 -name 'removed.pem*' | wc -l)" "certificate files"
assert_eq 0 "$(certs_on_token)" "certificates on the token"

# The same command without faults works, so the failures above came from them.
assert_exit 0 "$TUFSIGN" key cert registry.example/f/app "$key$wrapped" \
	--out "$TEST_DIR/good.pem" --store
openssl x509 -in "$TEST_DIR/good.pem" -noout -subject | grep -q 'CN *= *registry.example/f/app' ||
	fail "certificate subject is not the GUN"
assert_eq 1 "$(certs_on_token)" "certificates on the token"

# Removed in the middle of a run of signatures: the ones before the fault
# were returned, the third fails with its status, and no later one is made.
: >"$log"
assert_exit 27 env TUFSIGN_FAULT_SIGN_RV=0x32 TUFSIGN_FAULT_SIGN_AT=3 "$ENGINE_SIGN" -n 5 \
	-o "$TEST_DIR/mid" "$msg" "$key$wrapped"
assert_contains "$STDERR" "status=TUFSIGN_ERR_TOKEN"
assert_contains "$STDERR" "CKR_DEVICE_REMOVED"
assert_eq 2 "$(grep -c 'length 64$' <<<"$STDOUT")" "signatures before the fault"
assert_eq 3 "$(grep -c '^C_Sign' "$log")" "C_Sign calls"
[ ! -e "$TEST_DIR/mid.0.2.sig" ] || fail "a signature file was written for the failed C_Sign"

# Any other CK_RV from C_Sign is reported by name too.
assert_exit 27 env TUFSIGN_FAULT_SIGN_RV=0x30 "$ENGINE_SIGN" "$msg" "$key$wrapped"
assert_contains "$STDERR" "failed: CKR_DEVICE_ERROR"
echo "PASS: faults"
