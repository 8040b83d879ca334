#!/bin/bash
# One login and one token signature per role signed: init and sign run
# through OpenSC's pkcs11-spy module in front of SoftHSM2, which logs every
# PKCS#11 call. init signs the root certificate, root and targets (three
# C_Sign); sign signs targets only (one C_Sign); each run logs in once.
. "$TUFSIGN_SOURCE_DIR/tests/lib/common.sh"
. "$TUFSIGN_SOURCE_DIR/tests/lib/oracles.sh"
. "$TUFSIGN_SOURCE_DIR/tests/e2e/e2e.sh"

spy=""
for f in /usr/lib/*/pkcs11-spy.so /usr/lib/*/pkcs11/pkcs11-spy.so; do
	[ -e "$f" ] && spy=$f && break
done
[ -n "$spy" ] || skip "OpenSC's pkcs11-spy.so is not installed"
# A PIN that cannot appear by chance in hex digests or key IDs.
e2e_setup plain Pin-wxyz-7
gen_key root
gen_key targets
gun=$(unique_gun)
export PKCS11SPY=$SOFTHSM2_MODULE

# spy_run LOG ARGS...: tufsign through the spy, logging to LOG.
spy_run() {
	local log=$1
	shift
	PKCS11SPY_OUTPUT=$log assert_exit 0 ts --module "$spy" "$@"
}

# calls LOG NAME: how many times NAME was called.
calls() {
	grep -c "^[0-9]*: $2\$" "$1" || true
}

spy_run "$TEST_DIR/init.log" init "$gun" --root-key "$(key_uri root)" \
	--targets-key "$(key_uri targets)"
assert_eq 1 "$(calls "$TEST_DIR/init.log" C_Login)" "C_Login calls of init"
assert_eq 3 "$(calls "$TEST_DIR/init.log" C_Sign)" "C_Sign calls of init"

make_manifest "$TEST_DIR/m.json"
spy_run "$TEST_DIR/sign.log" sign "$gun" v1 --key "$(key_uri targets)" --manifest "$TEST_DIR/m.json"
assert_eq 1 "$(calls "$TEST_DIR/sign.log" C_Login)" "C_Login calls of sign"
assert_eq 1 "$(calls "$TEST_DIR/sign.log" C_Sign)" "C_Sign calls of sign"
check_oracles "$gun" v1 "$DIGEST" "$SIZE"

# Most verbose output of a sign: the PIN appears nowhere in it.
make_manifest "$TEST_DIR/m2.json"
assert_exit 0 ts -vv sign "$gun" v2 --key "$(key_uri targets)" --manifest "$TEST_DIR/m2.json"
assert_contains "$STDERR" "C_Login on token '$TOKEN_LABEL'"
assert_not_contains "$STDOUT$STDERR" "$TOKEN_PIN"
echo "PASS: one login and one signature per role for $gun"
