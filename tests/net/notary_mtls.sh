#!/bin/bash
# usage: notary_mtls.sh NETCHECK
#
# Mutual TLS: a server that requires client certificates rejects the
# handshake without one and serves requests with one.
. "$TUFSIGN_SOURCE_DIR/tests/lib/common.sh"
. "$TUFSIGN_SOURCE_DIR/tests/net/helpers.sh"

use_notary_fixture mtls
gun=$(unique_gun)

assert_exit 25 netcheck get "$gun" root
assert_contains "$STDERR" "TUFSIGN_ERR_TLS: TLS connection for GET $NOTARY_URL/v2/$gun/_trust/tuf/root.json failed: "
assert_exit 28 netcheck --cert "$NOTARY_CLIENT_CERT" --key "$NOTARY_CLIENT_KEY" get "$gun" root
assert_contains "$STDERR" "HTTP 404 METADATA_NOT_FOUND"
assert_exit 25 netcheck --cert "$TEST_DIR/missing.crt" --key "$NOTARY_CLIENT_KEY" get "$gun" root
assert_contains "$STDERR" "TUFSIGN_ERR_TLS: "
echo "PASS: mutual TLS of the Notary client against $NOTARY_URL"
