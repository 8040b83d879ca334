#!/bin/bash
# Key rotation behind token auth: a server-managed rotation requests the "*"
# action, which a pull-only user does not get, so that user's rotation fails
# and changes nothing. The push user rotates the timestamp and targets keys.
. "$TUFSIGN_SOURCE_DIR/tests/lib/common.sh"
. "$TUFSIGN_SOURCE_DIR/tests/lib/oracles.sh"
. "$TUFSIGN_SOURCE_DIR/tests/e2e/e2e.sh"

e2e_setup token
gen_key root
gen_key targets
gen_key targets2
new_targets_id=$(awk '$1 == "keyid:" { print $2 }' <<<"$STDOUT")
gun=$(unique_gun)
printf '%s\n' "$NOTARY_AUTH_PASSWORD" >"$TEST_DIR/password"
printf '%s\n' "$NOTARY_READER_PASSWORD" >"$TEST_DIR/reader-password"

# as_user NAME PASSWORD_FILE ARGS...: tufsign with the credentials of NAME.
as_user() {
	local user=$1 password_file=$2
	shift 2
	ts --username "$user" --password-file "$password_file" "$@"
}

assert_exit 0 as_user "$NOTARY_AUTH_USER" "$TEST_DIR/password" init "$gun" \
	--root-key "$(key_uri root)" --targets-key "$(key_uri targets)"
make_manifest "$TEST_DIR/m1.json"
assert_exit 0 as_user "$NOTARY_AUTH_USER" "$TEST_DIR/password" sign "$gun" v1 \
	--key "$(key_uri targets)" --manifest "$TEST_DIR/m1.json"
old_timestamp_id=$(server_get "$gun" root.json | jq -r '.signed.roles.timestamp.keyids[0]')

# The pull-only user gets no token for the "*" action.
snapshot_states "$gun"
assert_exit 5 as_user "$NOTARY_READER_USER" "$TEST_DIR/reader-password" key rotate "$gun" \
	timestamp --root-key "$(key_uri root)" --server-managed
assert_eq "tufsign: POST 'timestamp.key' of '$gun' failed: HTTP 401 insufficient_scope: the token for 'repository:$gun:*' from '$NOTARY_TOKEN_REALM' (user '$NOTARY_READER_USER') does not grant access; check that the user may use this repository" \
	"$STDERR" "rotation by a pull-only user"
unchanged_since "$gun" "a timestamp rotation by a pull-only user"

assert_exit 0 as_user "$NOTARY_AUTH_USER" "$TEST_DIR/password" --json key rotate "$gun" \
	timestamp --root-key "$(key_uri root)" --server-managed
new_timestamp_id=$(jq -r .new_key_id <<<"$STDOUT")
assert_eq "2 $old_timestamp_id" "$(jq -r '"\(.root_version) \(.old_key_id)"' <<<"$STDOUT")" \
	"timestamp rotation result"
[ "$new_timestamp_id" != "$old_timestamp_id" ] || fail "the timestamp key ID did not change"
assert_eq "$new_timestamp_id" \
	"$(server_get "$gun" root.json | jq -r '.signed.roles.timestamp.keyids | join(",")')" \
	"timestamp key in root"
assert_eq "$new_timestamp_id" \
	"$(server_get "$gun" timestamp.json | jq -r '[.signatures[].keyid] | join(",")')" \
	"signer of the server's timestamp"

assert_exit 0 as_user "$NOTARY_AUTH_USER" "$TEST_DIR/password" key rotate "$gun" targets \
	--root-key "$(key_uri root)" --new-targets-key "$(key_uri targets2)"
assert_eq "$new_targets_id" "$STDOUT" "targets rotation output"
make_manifest "$TEST_DIR/m2.json"
assert_exit 0 as_user "$NOTARY_AUTH_USER" "$TEST_DIR/password" sign "$gun" v2 \
	--key "$(key_uri targets2)" --manifest "$TEST_DIR/m2.json"
check_oracles "$gun" v2 "$DIGEST" "$SIZE"
check_oracles "$gun" v1 "$(sha256sum "$TEST_DIR/m1.json" | cut -d' ' -f1)" \
	"$(stat -c %s "$TEST_DIR/m1.json")"
echo "PASS: key rotation with token auth for $gun"
