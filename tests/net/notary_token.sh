#!/bin/bash
# usage: notary_token.sh NETCHECK
#
# Token authentication against notary-server's "token" auth and the test
# token service. Credentials come from NOTARY_AUTH, the command line and the
# docker config. Also covered: wrong passwords, anonymous and read-only
# users, an upload and a delete with a token, and no secret in the trace log.
. "$TUFSIGN_SOURCE_DIR/tests/lib/common.sh"
. "$TUFSIGN_SOURCE_DIR/tests/net/helpers.sh"

require_cmd notary openssl jq
use_notary_fixture token

gun=$(unique_gun)
# Credentials come only from what each case sets.
export HOME=$TEST_DIR/home
mkdir -p "$HOME"
unset DOCKER_CONFIG

# The push user, from NOTARY_AUTH, may fetch the timestamp key (push,pull).
assert_exit 0 netcheck key "$gun" timestamp

# Wrong password: the message names the user, its source and the realm.
assert_exit 26 env NOTARY_AUTH="$(printf '%s:wrong' "$NOTARY_AUTH_USER" | base64 -w0)" \
	"$NETCHECK" -s "$NOTARY_URL" -c "$NOTARY_CA" key "$gun" timestamp
assert_eq "TUFSIGN_ERR_AUTH: the token service '$NOTARY_TOKEN_REALM' rejected the credentials of user '$NOTARY_AUTH_USER' from NOTARY_AUTH (HTTP 401); check the user name and password" \
	"$STDERR" "message for a wrong password"
assert_exit 26 env -u NOTARY_AUTH NETCHECK_PASSWORD=wrong \
	"$NETCHECK" -s "$NOTARY_URL" -c "$NOTARY_CA" -u "$NOTARY_AUTH_USER" key "$gun" timestamp
assert_contains "$STDERR" "rejected the credentials of user '$NOTARY_AUTH_USER' from the command line"

# The command line wins over NOTARY_AUTH.
assert_exit 0 env NOTARY_AUTH="$(printf 'nobody:x' | base64 -w0)" \
	NETCHECK_PASSWORD="$NOTARY_AUTH_PASSWORD" \
	"$NETCHECK" -s "$NOTARY_URL" -c "$NOTARY_CA" -u "$NOTARY_AUTH_USER" key "$gun" timestamp

# Anonymous: pull works, push is denied with a hint.
assert_exit 28 env -u NOTARY_AUTH "$NETCHECK" -s "$NOTARY_URL" -c "$NOTARY_CA" get "$gun" root
assert_contains "$STDERR" "HTTP 404 METADATA_NOT_FOUND"
assert_exit 26 env -u NOTARY_AUTH "$NETCHECK" -s "$NOTARY_URL" -c "$NOTARY_CA" key "$gun" timestamp
assert_eq "TUFSIGN_ERR_AUTH: GET 'timestamp.key' of '$gun' failed: HTTP 401 insufficient_scope: the token for 'repository:$gun:push,pull' from '$NOTARY_TOKEN_REALM' (user 'anonymous') does not grant access; give credentials with --username, NOTARY_AUTH or a docker login" \
	"$STDERR" "message for an anonymous push"

# A user who may only pull is denied push.
assert_exit 26 env -u NOTARY_AUTH NETCHECK_PASSWORD="$NOTARY_READER_PASSWORD" \
	"$NETCHECK" -s "$NOTARY_URL" -c "$NOTARY_CA" -u "$NOTARY_READER_USER" key "$gun" timestamp
assert_contains "$STDERR" "(user '$NOTARY_READER_USER') does not grant access; check that the user may use this repository"

# Credentials of the GUN's registry host from the docker config.
mkdir -p "$TEST_DIR/docker"
jq -n --arg auth "$NOTARY_AUTH" \
	'{auths: {"https://registry.example": {auth: $auth}, "other.example": {auth: "eDp5"}}}' \
	>"$TEST_DIR/docker/config.json"
assert_exit 0 env -u NOTARY_AUTH DOCKER_CONFIG="$TEST_DIR/docker" \
	"$NETCHECK" -v -s "$NOTARY_URL" -c "$NOTARY_CA" key "$gun" timestamp
assert_contains "$STDERR" "using credentials of user '$NOTARY_AUTH_USER' for 'registry.example' from the docker config"
mkdir -p "$HOME/.docker"
cp "$TEST_DIR/docker/config.json" "$HOME/.docker/config.json"
assert_exit 0 env -u NOTARY_AUTH "$NETCHECK" -s "$NOTARY_URL" -c "$NOTARY_CA" key "$gun" timestamp
rm -r "$HOME/.docker"

# An upload, downloads and a delete with tokens, traced: the trace shows the
# requests but no password, token or Authorization value.
notary_local_init "$gun"
assert_exit 0 netcheck -vv publish "$gun" root="$META_DIR/root.json" \
	targets="$META_DIR/targets.json" snapshot="$META_DIR/snapshot.json"
trace=$STDERR
assert_contains "$trace" "> POST /v2/$gun/_trust/tuf/ HTTP/1.1"
assert_contains "$trace" "> Authorization: <redacted>"
assert_contains "$trace" "requesting a token for 'repository:$gun:push,pull' from '$NOTARY_TOKEN_REALM' as $NOTARY_AUTH_USER"
assert_not_contains "$trace" "$NOTARY_AUTH_PASSWORD" "trace log"
assert_not_contains "$trace" "$NOTARY_AUTH" "trace log"
assert_not_contains "$trace" "Authorization: Bearer" "trace log"
assert_not_contains "$trace" "Authorization: Basic" "trace log"
assert_not_contains "$trace" "eyJ" "trace log"
# Exactly one token request: the token is reused for the upload.
assert_eq 1 "$(grep -c 'requesting a token' <<<"$trace")" "token requests"

assert_exit 0 env -u NOTARY_AUTH "$NETCHECK" -s "$NOTARY_URL" -c "$NOTARY_CA" get "$gun" targets
cmp "$TEST_DIR/stdout" "$META_DIR/targets.json" || fail "targets read with an anonymous token differs"
assert_exit 0 netcheck delete "$gun"
assert_exit 28 netcheck get "$gun" root
echo "PASS: token authentication of the Notary client against $NOTARY_URL"
