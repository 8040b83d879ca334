#!/bin/bash
# usage: notary_client.sh NETCHECK
#
# The Notary client against the real notary-server over TLS. An upload is
# stored byte for byte, files come back by role, checksum and version, and
# the server's timestamp key is the one its root lists. 404, size caps,
# version conflicts, untrusted certificates, plain http and a server that is
# down each give their status and message.
. "$TUFSIGN_SOURCE_DIR/tests/lib/common.sh"
. "$TUFSIGN_SOURCE_DIR/tests/net/helpers.sh"

require_cmd notary openssl jq
use_notary_fixture plain

gun=$(unique_gun)
notary_local_init "$gun"

# Nothing is on the server before the upload.
assert_exit 28 netcheck get "$gun" root
assert_eq "TUFSIGN_ERR_NOT_FOUND: GET 'root.json' of '$gun' failed: HTTP 404 METADATA_NOT_FOUND: You have requested metadata that does not exist" \
	"$STDERR" "message for a missing root"

assert_exit 0 netcheck publish "$gun" root="$META_DIR/root.json" \
	targets="$META_DIR/targets.json" snapshot="$META_DIR/snapshot.json"

# Every file comes back with exactly the bytes uploaded.
for role in root targets snapshot; do
	assert_exit 0 netcheck get "$gun" "$role"
	cmp "$TEST_DIR/stdout" "$META_DIR/$role.json" || fail "$role.json differs from the upload"
done

# A GET goes out without a ping of /v2/ first. An upload, which is sent
# only once, follows a ping (the server rejects this repeated root).
assert_exit 0 netcheck -vv get "$gun" root
assert_not_contains "$STDERR" "> GET /v2/ HTTP/1.1" "trace of a GET"
assert_contains "$STDERR" "> GET /v2/$gun/_trust/tuf/root.json HTTP/1.1"
assert_exit 27 netcheck -vv publish "$gun" root="$META_DIR/root.json"
assert_contains "$STDERR" "> GET /v2/ HTTP/1.1"

# The server's timestamp covers the uploaded snapshot bytes.
netcheck get "$gun" timestamp >"$TEST_DIR/timestamp.json"
assert_eq "$(sha256_b64 "$META_DIR/snapshot.json")" \
	"$(jq -r .signed.meta.snapshot.hashes.sha256 "$TEST_DIR/timestamp.json")" \
	"timestamp hash of the snapshot"
assert_eq "$(stat -c %s "$META_DIR/snapshot.json")" \
	"$(jq -r .signed.meta.snapshot.length "$TEST_DIR/timestamp.json")" \
	"timestamp length of the snapshot"

# By checksum, with the exact length as the cap, and one byte short.
hash=$(sha256_hex "$META_DIR/targets.json")
length=$(stat -c %s "$META_DIR/targets.json")
assert_exit 0 netcheck hash "$gun" targets "$hash" "$length"
cmp "$TEST_DIR/stdout" "$META_DIR/targets.json" || fail "targets by checksum differs"
assert_exit 29 netcheck hash "$gun" targets "$hash" $((length - 1))
assert_contains "$STDERR" "TUFSIGN_ERR_TOO_LARGE: GET $NOTARY_URL/v2/$gun/_trust/tuf/targets.$hash.json: the response is larger than the limit of $((length - 1)) bytes"
assert_exit 28 netcheck hash "$gun" targets "$(printf '%064d' 0)" 100
assert_exit 2 netcheck hash "$gun" targets "ABC" 100
assert_contains "$STDERR" "invalid sha256 'ABC' for role 'targets'"

# By version.
assert_exit 0 netcheck version "$gun" root 1
cmp "$TEST_DIR/stdout" "$META_DIR/root.json" || fail "1.root.json differs"
assert_exit 28 netcheck version "$gun" root 2

# The timestamp key the server returns is the one the root lists.
assert_exit 0 netcheck key "$gun" timestamp
read -r keytype public length <<<"$STDOUT"
key_id=$(jq -r '.signed.roles.timestamp.keyids[0]' "$META_DIR/root.json")
assert_eq "$(jq -r ".signed.keys[\"$key_id\"].keytype" "$META_DIR/root.json")" "$keytype" \
	"timestamp key type"
assert_eq "$(jq -r ".signed.keys[\"$key_id\"].keyval.public" "$META_DIR/root.json")" "$public" \
	"timestamp public key"
assert_eq 32 "$length" "decoded ed25519 key length"
assert_exit 2 netcheck key "$gun" targets
assert_contains "$STDERR" "the server holds keys only for timestamp and snapshot, not 'targets'"

# Uploading the same versions again loses to the stored ones.
assert_exit 30 netcheck publish "$gun" targets="$META_DIR/targets.json" \
	snapshot="$META_DIR/snapshot.json"
assert_eq "TUFSIGN_ERR_CONFLICT: upload of 2 files to '$gun' failed: HTTP 400 VERSION: A newer version of metadata is already available; another publisher changed the repository first: fetch it again and retry" \
	"$STDERR" "conflict message"

# A rejected upload carries the server's validation detail.
assert_exit 27 netcheck publish "$gun" targets="$META_DIR/targets.json"
assert_contains "$STDERR" "HTTP 400 INVALID_UPDATE: Update sent by the client is invalid: ErrBadHierarchy: no snapshot was included in update and server does not hold current snapshot key for repository"
printf '{"signed":{"version":1.5}}' >"$TEST_DIR/bad.json"
assert_exit 27 netcheck publish "$gun" targets="$TEST_DIR/bad.json"
assert_contains "$STDERR" "TUFSIGN_ERR_SERVER: upload of 1 file to '$gun' failed: HTTP 400 MALFORMED_JSON"
assert_exit 2 netcheck publish "$gun" nonsense="$TEST_DIR/bad.json"
assert_contains "$STDERR" "invalid role 'nonsense'"
assert_exit 2 netcheck publish "$gun" 'targets/x"y'="$TEST_DIR/bad.json"
assert_contains "$STDERR" "invalid role"

# Invalid GUNs never reach the server.
assert_exit 2 netcheck get "../$gun" root
assert_contains "$STDERR" "invalid GUN '../$gun'"

# TLS: without the test CA, and with another CA, the certificate is
# untrusted; plain http needs the explicit flag.
assert_exit 25 "$NETCHECK" -s "$NOTARY_URL" get "$gun" root
assert_contains "$STDERR" "TUFSIGN_ERR_TLS: TLS connection for GET $NOTARY_URL/v2/$gun/_trust/tuf/root.json failed: SSL certificate problem: unable to get local issuer certificate"
make_ca "$TEST_DIR" other-ca
assert_exit 25 "$NETCHECK" -s "$NOTARY_URL" -c "$TEST_DIR/other-ca.crt" get "$gun" root
assert_exit 23 "$NETCHECK" -s "http://$NOTARY_HOSTPORT" get "$gun" root
assert_contains "$STDERR" "uses plain http"

# A server that is down: connection refused, retried, then a network error.
down=$(free_port)
start=$(date +%s%N)
assert_exit 24 "$NETCHECK" -r 2 -s "https://127.0.0.1:$down" -c "$NOTARY_CA" get "$gun" root
assert_contains "$STDERR" "retry 1 of 2 in 50 ms"
assert_contains "$STDERR" "retry 2 of 2 in 100 ms"
assert_not_contains "$STDERR" "retry 3"
assert_contains "$STDERR" "TUFSIGN_ERR_NETWORK: GET https://127.0.0.1:$down/v2/$gun/_trust/tuf/root.json failed: Failed to connect to 127.0.0.1 port $down"
elapsed_ms=$((($(date +%s%N) - start) / 1000000))
[ "$elapsed_ms" -ge 150 ] || fail "the backoff took $elapsed_ms ms, expected at least 150 ms"

# DELETE removes the GUN.
assert_exit 0 netcheck delete "$gun"
assert_exit 28 netcheck get "$gun" root
echo "PASS: upload, downloads and failures of the Notary client against $NOTARY_URL"
