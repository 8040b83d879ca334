#!/bin/bash
# usage: notary_oracles.sh [plain|token|mtls]
#
# Publishes a target with the real notary client into the fixture
# notary-server in the given mode. Both oracles, the notary client from a
# fresh trust directory and docker trust inspect, must read back its digest
# and size, and must fail on a tag that was never signed.
. "$TUFSIGN_SOURCE_DIR/tests/lib/common.sh"
. "$TUFSIGN_SOURCE_DIR/tests/lib/oracles.sh"

mode=${1:-plain}
require_cmd notary openssl jq
use_notary_fixture "$mode"

gun=$(unique_gun)
publisher=$TEST_DIR/publisher
mkdir -p "$publisher"
export NOTARY_ROOT_PASSPHRASE=root-passphrase
export NOTARY_TARGETS_PASSPHRASE=targets-passphrase
export NOTARY_SNAPSHOT_PASSPHRASE=snapshot-passphrase

config='{}'
if [ -n "${NOTARY_CLIENT_CERT:-}" ]; then
	config=$(printf '{"remote_server": {"tls_client_cert": "%s", "tls_client_key": "%s"}}' \
		"$NOTARY_CLIENT_CERT" "$NOTARY_CLIENT_KEY")
fi
printf '%s\n' "$config" >"$publisher/config.json"

# NOTARY_AUTH (token mode) carries the push user's credentials.
publish() {
	notary -c "$publisher/config.json" -s "$NOTARY_URL" --tlscacert "$NOTARY_CA" \
		-d "$publisher/trust" "$@" </dev/null
}

head -c 4096 /dev/urandom >"$TEST_DIR/artifact"
expected_digest=$(sha256sum "$TEST_DIR/artifact" | cut -d' ' -f1)
expected_size=$(stat -c %s "$TEST_DIR/artifact")

# The mode is really on: without credentials or a client certificate the
# server turns the publisher away.
case $mode in
token)
	assert_exit 1 env -u NOTARY_AUTH notary -c "$publisher/config.json" -s "$NOTARY_URL" \
		--tlscacert "$NOTARY_CA" -d "$publisher/trust" init "$gun-denied" -p
	assert_contains "$STDOUT$STDERR" "server returned 401"
	reader_auth=$(printf '%s:%s' "$NOTARY_READER_USER" "$NOTARY_READER_PASSWORD" | base64 -w0)
	assert_exit 1 env NOTARY_AUTH="$reader_auth" notary -c "$publisher/config.json" \
		-s "$NOTARY_URL" --tlscacert "$NOTARY_CA" -d "$publisher/trust" init "$gun-denied" -p
	assert_contains "$STDOUT$STDERR" "not authorized"
	# The token service also takes the OAuth2 password grant and rejects a
	# wrong password.
	scope="repository:$gun:push,pull"
	assert_exit 0 curl -sf --cacert "$NOTARY_CA" --data-urlencode grant_type=password \
		--data-urlencode "username=$NOTARY_AUTH_USER" \
		--data-urlencode "password=$NOTARY_AUTH_PASSWORD" \
		--data-urlencode service=notary-server --data-urlencode "scope=$scope" \
		"$NOTARY_TOKEN_REALM"
	assert_eq true "$(jq '.access_token == .token and .expires_in == 300' <<<"$STDOUT")" \
		"password grant response"
	assert_exit 22 curl -sf --cacert "$NOTARY_CA" -u "$NOTARY_AUTH_USER:wrong-password" \
		"$NOTARY_TOKEN_REALM?service=notary-server&scope=$scope"
	;;
mtls)
	assert_exit 1 notary -s "$NOTARY_URL" --tlscacert "$NOTARY_CA" -d "$publisher/no-cert" \
		list "$gun"
	assert_contains "$STDERR" "certificate"
	;;
esac

assert_exit 0 publish init "$gun" -p
assert_exit 0 publish add "$gun" v1 "$TEST_DIR/artifact" -p
assert_contains "$STDOUT$STDERR" "Successfully published changes for repository $gun"

# notary client, trusting the root on first use
found=$(oracle_notary_lookup "$gun" v1)
assert_eq "sha256:$expected_digest $expected_size" "$found" "notary lookup of v1"
digest=$(oracle_notary_digest "$gun" v1)
assert_eq "$expected_digest" "$digest" "notary digest of v1"
listing=$(oracle_notary_list "$gun")
row=$(awk '$1 == "v1" {print $2, $3, $4}' <<<"$listing")
assert_eq "$expected_digest $expected_size targets" "$row" "notary list row of v1"

# notary client with the root key ID pinned
root_key_id=$(jq -r '.signed.roles.root.keyids[0]' "$publisher/trust/tuf/$gun/metadata/root.json")
[ ${#root_key_id} = 64 ] || fail "root.json of $gun lists no root key ID: '$root_key_id'"
pinned=$(ORACLE_ROOT_KEY_ID=$root_key_id oracle_notary_digest "$gun" v1)
assert_eq "$expected_digest" "$pinned" "notary digest of v1 with the root pinned"

# The oracles must be able to fail: a tag never signed, and a wrong pin.
assert_exit 1 oracle_notary_lookup "$gun" v2
assert_contains "$STDERR" "FAIL: notary lookup $gun v2 failed"
assert_exit 1 env ORACLE_ROOT_KEY_ID="$(printf '0%.0s' {1..64})" \
	bash -c ". '$TUFSIGN_SOURCE_DIR/tests/lib/common.sh'; . '$TUFSIGN_SOURCE_DIR/tests/lib/oracles.sh';
		oracle_notary_list '$gun'"

readers=notary
if docker_cli_present; then
	readers="notary and docker"
	digest=$(oracle_docker_digest "$gun" v1)
	assert_eq "$expected_digest" "$digest" "docker digest of v1"
	docker_root=$(oracle_docker_root_key "$gun")
	assert_eq "$root_key_id" "$docker_root" "docker root key ID"
	assert_exit 1 oracle_docker_digest "$gun" v2
	assert_contains "$STDERR" "lists no signed tag 'v2'"
	assert_exit 1 oracle_docker_inspect "registry.example/never/published"
	assert_contains "$STDERR" "docker trust inspect registry.example/never/published failed"
fi
echo "PASS: $mode: $readers read sha256:$expected_digest for $gun:v1"
