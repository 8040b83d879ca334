#!/bin/bash
# Credentials from a real docker credential helper, docker-credential-pass
# over a throwaway pass store and GnuPG key, against the token-auth fixture.
# The docker config names the helper with "credsStore" or "credHelpers" and
# contains no password. The test checks that:
# - init and sign succeed with the helper's credentials;
# - a wrong stored secret fails with the exact auth error and exit 5, and
#   changes nothing;
# - --username with TUFSIGN_PASSWORD, and NOTARY_AUTH, override the helper;
# - a host the helper stores nothing for is anonymous, even with an
#   "auths" entry. It also
# checks that an identity token the helper stores (user "<token>") is sent
# in the OAuth2 refresh grant and never logged.
. "$TUFSIGN_SOURCE_DIR/tests/lib/common.sh"
. "$TUFSIGN_SOURCE_DIR/tests/lib/oracles.sh"
. "$TUFSIGN_SOURCE_DIR/tests/e2e/e2e.sh"

require_cmd docker-credential-pass pass gpg gpgconf
e2e_setup token
gen_key root
gen_key targets
gun=$(unique_gun)
host=${gun%%/*}
key=$(key_uri targets)
user=$NOTARY_AUTH_USER
password=$NOTARY_AUTH_PASSWORD
helper_source="credential helper 'docker-credential-pass'"

# A pass store encrypted to a GnuPG key without passphrase, both in
# $TEST_DIR; the gpg-agent that pass starts is stopped at exit.
export GNUPGHOME=$TEST_DIR/gnupg PASSWORD_STORE_DIR=$TEST_DIR/pass-store
mkdir -m 700 "$GNUPGHOME"
on_exit "GNUPGHOME='$GNUPGHOME' gpgconf --kill all"
gpg --batch --pinentry-mode loopback --passphrase '' \
	--quick-gen-key 'tufsign test <tufsign-test@example.invalid>' default default never \
	2>"$TEST_DIR/gpg.log" || fail "gpg --quick-gen-key failed: $(cat "$TEST_DIR/gpg.log")"
fingerprint=$(gpg --batch --with-colons --list-keys 2>/dev/null | awk -F: '/^fpr/ { print $10; exit }')
pass init "$fingerprint" >/dev/null

# store_credentials SERVER USER SECRET: stores them as `docker login SERVER`
# does with "credsStore": "pass".
store_credentials() {
	jq -cn --arg s "$1" --arg u "$2" --arg p "$3" '{ServerURL: $s, Username: $u, Secret: $p}' |
		docker-credential-pass store || fail "docker-credential-pass store $1 failed"
}

# docker_config JSON: writes $DOCKER_CONFIG/config.json.
export DOCKER_CONFIG=$TEST_DIR/docker-config
mkdir -p "$DOCKER_CONFIG"
docker_config() {
	printf '%s\n' "$1" >"$DOCKER_CONFIG/config.json"
}

store_credentials "$host" "$user" "$password"
echo -n "$host" | docker-credential-pass get >"$TEST_DIR/stored.json"
assert_eq "$user" "$(jq -r .Username "$TEST_DIR/stored.json")" "user stored by docker-credential-pass"

# "credsStore" alone: init and sign use the helper's credentials.
docker_config '{"credsStore": "pass"}'
assert_exit 0 ts --json init "$gun" --root-key "$(key_uri root)" --targets-key "$key"
assert_eq true "$(jq -r .created <<<"$STDOUT")" "init with credentials from credsStore"
make_manifest "$TEST_DIR/m1.json"
assert_exit 0 env TUFSIGN_DEBUG=http "$TUFSIGN" -s "$NOTARY_URL" --tls-ca "$NOTARY_CA" \
	sign "$gun" v1 --key "$key" --manifest "$TEST_DIR/m1.json"
assert_contains "$STDERR" "using credentials of user '$user' for '$host' from $helper_source"
assert_not_contains "$STDERR" "$password" "debug log"
check_oracles "$gun" v1 "$DIGEST" "$SIZE"

# "credHelpers" for the host alone, and winning over a "credsStore" whose
# program does not exist.
docker_config "{\"credHelpers\": {\"$host\": \"pass\"}}"
make_manifest "$TEST_DIR/m2.json"
assert_exit 0 ts sign "$gun" v2 --key "$key" --manifest "$TEST_DIR/m2.json"
check_oracles "$gun" v2 "$DIGEST" "$SIZE"
docker_config "{\"credsStore\": \"tufsign-test-missing\", \"credHelpers\": {\"$host\": \"pass\"}}"
make_manifest "$TEST_DIR/m3.json"
assert_exit 0 ts sign "$gun" v3 --key "$key" --manifest "$TEST_DIR/m3.json"
check_oracles "$gun" v3 "$DIGEST" "$SIZE"

# A wrong secret in the store: the token service rejects it, nothing changes.
store_credentials "$host" "$user" wrong-secret
docker_config '{"credsStore": "pass"}'
snapshot_states "$gun"
make_manifest "$TEST_DIR/m4.json"
assert_exit 5 ts sign "$gun" v4 --key "$key" --manifest "$TEST_DIR/m4.json"
assert_eq "tufsign: the token service '$NOTARY_TOKEN_REALM' rejected the credentials of user '$user' from $helper_source (HTTP 401); store the current password with docker login, or give credentials with --username" \
	"$STDERR" "message for a wrong stored secret"
unchanged_since "$gun" "a sign with a wrong stored secret"

# --username with TUFSIGN_PASSWORD, and NOTARY_AUTH, override the helper.
# The docker check runs with a config that names no credentials, so docker
# runs docker-credential-pass by default. It gets an empty store here.
assert_exit 0 env TUFSIGN_PASSWORD="$password" "$TUFSIGN" -s "$NOTARY_URL" \
	--tls-ca "$NOTARY_CA" --username "$user" sign "$gun" v4 --key "$key" \
	--manifest "$TEST_DIR/m4.json"
PASSWORD_STORE_DIR=$TEST_DIR/empty-pass-store check_oracles "$gun" v4 "$DIGEST" "$SIZE"
make_manifest "$TEST_DIR/m5.json"
assert_exit 0 env NOTARY_AUTH="$(printf '%s:%s' "$user" "$password" | base64 -w0)" \
	"$TUFSIGN" -s "$NOTARY_URL" --tls-ca "$NOTARY_CA" sign "$gun" v5 --key "$key" \
	--manifest "$TEST_DIR/m5.json"
PASSWORD_STORE_DIR=$TEST_DIR/empty-pass-store check_oracles "$gun" v5 "$DIGEST" "$SIZE"

# An identity token, stored as docker login stores one: the user is
# "<token>" and the secret an OAuth2 refresh token. sign sends it in the
# refresh grant with the client_id "docker" that the token service logs.
# Only tufsign requests push; docker trust inspect requests pull. The -vv
# protocol trace never shows the token.
store_credentials "$host" "<token>" "$NOTARY_AUTH_REFRESH_TOKEN"
echo -n "$host" | docker-credential-pass get >"$TEST_DIR/stored.json"
assert_eq "<token>" "$(jq -r .Username "$TEST_DIR/stored.json")" "identity token user stored by docker-credential-pass"
docker_config '{"credsStore": "pass"}'
make_manifest "$TEST_DIR/m6.json"
assert_exit 0 ts -vv sign "$gun" v6 --key "$key" --manifest "$TEST_DIR/m6.json"
assert_contains "$STDERR" "requesting a token for 'repository:$gun:push,pull' from '$NOTARY_TOKEN_REALM' with the identity token from $helper_source"
# The hex part of the token also shows a form-encoded copy.
assert_not_contains "$STDERR" "${NOTARY_AUTH_REFRESH_TOKEN%%+*}" "-vv output with an identity token"
assert_contains "$(cat "$NOTARY_FIXTURE_STATE/log/tokenserver.log")" \
	"refresh grant for '$user' with client_id 'docker': [{\"type\": \"repository\", \"name\": \"$gun\", \"actions\": [\"push\", \"pull\"]}]"
check_oracles "$gun" v6 "$DIGEST" "$SIZE"

# A refresh token the token service does not know: exit 5, nothing changes.
store_credentials "$host" "<token>" unknown-refresh-token
snapshot_states "$gun"
make_manifest "$TEST_DIR/m7.json"
assert_exit 5 ts sign "$gun" v7 --key "$key" --manifest "$TEST_DIR/m7.json"
assert_eq "tufsign: the token service '$NOTARY_TOKEN_REALM' rejected the identity token from $helper_source (HTTP 401); it may have expired or been revoked, so log in again with 'docker login' (for Azure Container Registry, 'az acr login'), or give credentials with --username" \
	"$STDERR" "message for an unknown identity token"
unchanged_since "$gun" "a sign with an unknown identity token"

# A host the helper stores nothing for is anonymous, as in the docker CLI:
# the "auths" entry of the same file is not used, so the push is denied.
other_gun=other.example/${gun#*/}
docker_config "{\"credsStore\": \"pass\", \"auths\": {\"other.example\": {\"auth\": \"$(printf '%s:%s' "$user" "$password" | base64 -w0)\"}}}"
assert_exit 5 ts init "$other_gun" --root-key "$(key_uri root)" --targets-key "$key"
assert_eq "tufsign: GET 'snapshot.key' of '$other_gun' failed: HTTP 401 insufficient_scope: the token for 'repository:$other_gun:push,pull' from '$NOTARY_TOKEN_REALM' (user 'anonymous') does not grant access; no credentials were sent because the credential helper 'docker-credential-pass' (credsStore in '$DOCKER_CONFIG/config.json') has no credentials for 'other.example'; give credentials with --username, NOTARY_AUTH or a docker login" \
	"$STDERR" "message for a host without stored credentials"
assert_eq "" "$(server_get "$other_gun" root.json)" "root.json after an anonymous init"
echo "PASS: credentials from docker-credential-pass for $gun"
