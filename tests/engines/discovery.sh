#!/bin/bash
# Token search under transient faults of the wrapper module: a token left out
# of the slot list, or CKR_GENERAL_ERROR from C_GetSlotList or
# C_GetTokenInfo, for the first K initializations of the module. tufsign loads
# the module again and searches again, up to 4 searches in all, all before
# the one C_Login. A fault that lasts fails with the usual message after the
# 4th search and no C_Login. A process with a session searches again without
# loading the module again.
. "$TUFSIGN_SOURCE_DIR/tests/lib/common.sh"
. "$TUFSIGN_SOURCE_DIR/tests/engines/lib.sh"

new_token disc
export TUFSIGN_PIN=$TOKEN_PIN
log=$TEST_DIR/calls.log
export TUFSIGN_FAULT_LOG=$log TUFSIGN_FAULT_INIT_LOG=$log
wrapped="?module-path=$FAULT_MODULE"
key="pkcs11:token=disc;object=root"
msg=$TEST_DIR/msg
printf 'signed bytes' >"$msg"
assert_exit 0 "$TUFSIGN" key generate "$key"

calls() {
	grep -c "^$1 " "$log" || true
}

# run_faulted EXIT SLOT_LIST TOKEN_INFO_RV INITS CMD...: runs CMD with the
# faults set, on an empty call log.
run_faulted() {
	local code=$1 slot_list=$2 token_info=$3 inits=$4
	shift 4
	: >"$log"
	assert_exit "$code" env TUFSIGN_FAULT_SLOT_LIST="$slot_list" \
		TUFSIGN_FAULT_TOKEN_INFO_RV="$token_info" TUFSIGN_FAULT_INITS="$inits" "$@"
}

# The token is left out of the slot list for 2 initializations: the third
# finds it, and the one C_Login follows.
run_faulted 0 empty "" 2 "$TUFSIGN" -v key list "$key$wrapped"
assert_contains "$STDOUT" "root"
assert_eq 3 "$(calls C_Initialize)" "C_Initialize calls"
assert_eq 1 "$(calls C_Login)" "C_Login calls"
assert_eq 1 "$(calls C_OpenSession)" "C_OpenSession calls"
assert_contains "$STDERR" "token search 1 of 4 failed, so the PKCS#11 modules are loaded again: no token matches '$key$wrapped'"
assert_contains "$STDERR" "token search 2 of 4 failed"
assert_not_contains "$STDERR" "token search 3 of 4"

# CKR_GENERAL_ERROR from C_GetTokenInfo during the first initialization.
run_faulted 0 "" 0x5 1 "$TUFSIGN" key list "$key$wrapped"
assert_contains "$STDOUT" "root"
assert_eq 2 "$(calls C_Initialize)" "C_Initialize calls"
assert_eq 1 "$(calls C_Login)" "C_Login calls"

# CKR_GENERAL_ERROR from C_GetSlotList for 3 initializations: the 4th and
# last search succeeds.
run_faulted 0 0x5 "" 3 "$TUFSIGN" key list "$key$wrapped"
assert_contains "$STDOUT" "root"
assert_eq 4 "$(calls C_Initialize)" "C_Initialize calls"
assert_eq 1 "$(calls C_Login)" "C_Login calls"

# A signature after a search that had to be repeated verifies.
run_faulted 0 empty "" 1 "$ENGINE_SIGN" -o "$TEST_DIR/sig" "$msg" "$key$wrapped"
verify_sig ecdsa-p256 "$TEST_DIR/sig.0.pub.der" "$msg" "$TEST_DIR/sig.0.0.sig"
assert_eq 2 "$(calls C_Initialize)" "C_Initialize calls"
assert_eq 1 "$(calls C_Login)" "C_Login calls"

# A token that stays missing: exit code 4 and the usual message after 4
# searches, without a session or a C_Login.
run_faulted 4 empty "" "" "$TUFSIGN" key list "$key$wrapped"
assert_eq "tufsign: no token matches '$key$wrapped'; 'tufsign token list' shows the tokens and their URIs" \
	"$STDERR"
assert_eq 4 "$(calls C_Initialize)" "C_Initialize calls"
assert_eq 0 "$(calls C_OpenSession)" "C_OpenSession calls"
assert_eq 0 "$(calls C_Login)" "C_Login calls"

# A slot list that keeps failing with CKR_GENERAL_ERROR.
run_faulted 4 0x5 "" "" "$TUFSIGN" key list "$key$wrapped"
assert_eq "tufsign: cannot list the slots of a module: CKR_GENERAL_ERROR" "$STDERR"
assert_eq 4 "$(calls C_Initialize)" "C_Initialize calls"
assert_eq 0 "$(calls C_Login)" "C_Login calls"

# Other results of C_GetSlotList are not transient: one search only.
run_faulted 4 0x6 "" "" "$TUFSIGN" key list "$key$wrapped"
assert_eq "tufsign: cannot list the slots of a module: CKR_FUNCTION_FAILED" "$STDERR"
assert_eq 1 "$(calls C_Initialize)" "C_Initialize calls"

# A URI that names no token at all fails after the same 4 searches.
run_faulted 4 "" "" "" "$TUFSIGN" key list "pkcs11:token=nope$wrapped"
assert_eq "tufsign: no token matches 'pkcs11:token=nope$wrapped'; 'tufsign token list' shows the tokens and their URIs" \
	"$STDERR"
assert_eq 4 "$(calls C_Initialize)" "C_Initialize calls"
assert_eq 0 "$(calls C_Login)" "C_Login calls"

# A wrong PIN after a repeated search: still exactly one C_Login.
run_faulted 3 empty "" 1 env TUFSIGN_FAULT_LOGIN_RV=0xa0 "$TUFSIGN" key list "$key$wrapped"
assert_contains "$STDERR" "login to token 'disc' failed: CKR_PIN_INCORRECT"
assert_eq 2 "$(calls C_Initialize)" "C_Initialize calls"
assert_eq 1 "$(calls C_Login)" "C_Login calls"

# token list with a URI searches again too.
run_faulted 0 empty "" 1 "$TUFSIGN" token list "pkcs11:token=disc$wrapped"
assert_contains "$STDOUT" "token=disc"
assert_eq 2 "$(calls C_Initialize)" "C_Initialize calls"
run_faulted 4 empty "" "" "$TUFSIGN" token list "pkcs11:token=disc$wrapped"
assert_eq "tufsign: no token matches 'pkcs11:token=disc$wrapped': the module has no tokens" \
	"$STDERR"
assert_eq 4 "$(calls C_Initialize)" "C_Initialize calls"

# Once a key of the process has a session, the modules are not loaded
# again, because that would end the session. A missing second token fails
# after 4 searches on the first initialization.
run_faulted 28 "" "" "" "$ENGINE_SIGN" -c -v "$msg" "$key$wrapped" \
	"pkcs11:token=nope;object=x$wrapped"
assert_contains "$STDERR" "status=TUFSIGN_ERR_TOKEN_NOT_FOUND"
assert_contains "$STDERR" "token search 3 of 4 failed, so it runs again without loading the PKCS#11 modules again, which would end the open sessions: no token matches 'pkcs11:token=nope;object=x$wrapped'"
assert_not_contains "$STDERR" "are loaded again"
assert_eq 1 "$(calls C_Initialize)" "C_Initialize calls"
assert_eq 1 "$(calls C_Login)" "C_Login calls"

# After a failed C_Login the module is not loaded again either, so the
# failure stays remembered and the same token gets no second C_Login.
run_faulted 23 "" "" "" env TUFSIGN_FAULT_LOGIN_RV=0xa0 "$ENGINE_SIGN" -c "$msg" "$key$wrapped" \
	"pkcs11:token=nope;object=x$wrapped" "pkcs11:token=disc;object=root$wrapped"
assert_contains "$STDERR" "(not tried again in this process)"
assert_eq 1 "$(calls C_Initialize)" "C_Initialize calls"
assert_eq 1 "$(calls C_Login)" "C_Login calls"
echo "PASS: discovery"
