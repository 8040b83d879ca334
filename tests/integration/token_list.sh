#!/bin/bash
# tufsign token list shows the shared SoftHSM2 fixture token, through the
# p11-kit proxy and through --module, and a module that does not exist is a
# token error (exit 4).
. "$TUFSIGN_SOURCE_DIR/tests/lib/common.sh"

use_softhsm_fixture
assert_eq fixture-token "$TOKEN_LABEL" "label of the fixture token"

assert_exit 0 "$TUFSIGN" token list
assert_contains "$STDOUT" "token=fixture-token"
assert_exit 0 "$TUFSIGN" token list --module "$SOFTHSM2_MODULE"
assert_contains "$STDOUT" "token=fixture-token"
assert_exit 4 "$TUFSIGN" token list --module "$TEST_DIR/missing-module.so"
assert_contains "$STDERR" "missing-module.so"
echo "PASS: tufsign token list shows the fixture token"
