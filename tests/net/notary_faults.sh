#!/bin/bash
# usage: notary_faults.sh NETCHECK
#
# Faults the real server cannot produce, injected by faultproxy.py in front
# of it. Reads are retried after a 500 or a closed connection, uploads never
# are. Also covered: a response slower than the timeout, oversized and
# recorded bodies, a Basic challenge, a token service that rejects
# anonymous access, the refresh grant of an identity token, and plain http
# with and without the explicit flag.
. "$TUFSIGN_SOURCE_DIR/tests/lib/common.sh"
. "$TUFSIGN_SOURCE_DIR/tests/net/helpers.sh"

require_cmd notary openssl jq python3 curl
use_notary_fixture plain
start_faultproxy tls

gun=$(unique_gun)
notary_local_init "$gun"
upload=(root="$META_DIR/root.json" targets="$META_DIR/targets.json"
	snapshot="$META_DIR/snapshot.json")

# An upload that gets a 500 is not repeated, and was not applied.
proxy_rules '[{"method": "POST", "action": "status", "status": 500}]'
assert_exit 27 via_proxy publish "$gun" "${upload[@]}"
assert_eq "TUFSIGN_ERR_SERVER: upload of 3 files to '$gun' failed: HTTP 500 UNKNOWN: injected by faultproxy" \
	"$STDERR" "message for a failed upload"
assert_eq 1 "$(proxy_count POST /_trust/tuf/)" "POSTs sent"
assert_exit 28 via_proxy get "$gun" root

# An upload whose connection closes is not repeated either.
proxy_reset
proxy_rules '[{"method": "POST", "action": "close"}]'
assert_exit 24 via_proxy publish "$gun" "${upload[@]}"
assert_contains "$STDERR" "TUFSIGN_ERR_NETWORK: POST $PROXY_URL/v2/$gun/_trust/tuf/ failed: "
assert_eq 1 "$(proxy_count POST /_trust/tuf/)" "POSTs sent after a closed connection"

# The upload on the wire: one part per file in the layout of notary's own
# client, the exact file bytes, CRLF line ends, and the trailing slash.
proxy_reset
proxy_rules "[{\"method\": \"POST\", \"path\": \"^/v2/$gun/_trust/tuf/\$\", \"action\": \"capture\",
	\"file\": \"$TEST_DIR/upload\"}]"
assert_exit 0 via_proxy publish "$gun" "${upload[@]}"
content_type=$(cat "$TEST_DIR/upload.type")
boundary=${content_type#multipart/form-data; boundary=}
[ "$boundary" != "$content_type" ] && [ ${#boundary} -ge 16 ] ||
	fail "unexpected Content-Type '$content_type'"
for role in root targets snapshot; do
	printf -- '--%s\r\nContent-Disposition: form-data; name="files"; filename="%s"\r\nContent-Type: application/octet-stream\r\n\r\n' \
		"$boundary" "$role"
	cat "$META_DIR/$role.json"
	printf '\r\n'
done >"$TEST_DIR/expected-upload"
printf -- '--%s--\r\n' "$boundary" >>"$TEST_DIR/expected-upload"
cmp "$TEST_DIR/upload" "$TEST_DIR/expected-upload" || fail "the multipart body differs from the expected layout"

# A read that gets a 500 twice is retried and then succeeds.
proxy_reset
proxy_rules '[{"method": "GET", "path": "/targets.json$", "action": "status", "status": 500, "count": 2}]'
assert_exit 0 via_proxy get "$gun" targets
cmp "$TEST_DIR/stdout" "$META_DIR/targets.json" || fail "targets after two 500s differs"
assert_contains "$STDERR" "server error 500; retry 1 of 3 in 50 ms"
assert_contains "$STDERR" "server error 500; retry 2 of 3 in 100 ms"
assert_eq 3 "$(proxy_count GET '/targets.json$')" "GETs of targets.json"

# A read that keeps failing stops after the retries.
proxy_reset
proxy_rules '[{"method": "GET", "path": "/targets.json$", "action": "status", "status": 503, "count": -1}]'
assert_exit 27 via_proxy -r 2 get "$gun" targets
assert_eq "TUFSIGN_ERR_SERVER: GET 'targets.json' of '$gun' failed: HTTP 503 UNKNOWN: injected by faultproxy" \
	"$(tail -n 1 <<<"$STDERR")" "message after the retries"
assert_eq 3 "$(proxy_count GET '/targets.json$')" "GETs of targets.json with -r 2"

# A closed connection on a read is retried.
proxy_reset
proxy_rules '[{"method": "GET", "path": "/root.json$", "action": "close"}]'
assert_exit 0 via_proxy get "$gun" root
cmp "$TEST_DIR/stdout" "$META_DIR/root.json" || fail "root after a closed connection differs"
assert_eq 2 "$(proxy_count GET '/root.json$')" "GETs of root.json"

# A response slower than the timeout is a network error.
proxy_reset
proxy_rules '[{"method": "GET", "path": "/root.json$", "action": "delay", "seconds": 3}]'
assert_exit 24 via_proxy -r 0 -t 1000 get "$gun" root
assert_contains "$STDERR" "TUFSIGN_ERR_NETWORK: GET $PROXY_URL/v2/$gun/_trust/tuf/root.json failed: Operation timed out after"

# Size caps: a timestamp above 1 MiB is refused, a root of 2 MiB is not.
proxy_reset
proxy_rules '[{"path": "/timestamp.json$", "action": "big", "size": 1048577},
	{"path": "/root.json$", "action": "big", "size": 2097152}]'
assert_exit 29 via_proxy get "$gun" timestamp
assert_eq "TUFSIGN_ERR_TOO_LARGE: GET $PROXY_URL/v2/$gun/_trust/tuf/timestamp.json: the response is larger than the limit of 1048576 bytes" \
	"$STDERR" "message for an oversized timestamp"
via_proxy get "$gun" root >"$TEST_DIR/big-root" || fail "a 2 MiB root was refused"
assert_eq 2097152 "$(stat -c %s "$TEST_DIR/big-root")" "size of the 2 MiB root"

# A recorded body is returned as served: verifying it is the caller's job.
proxy_reset
printf '{"signed":{"_type":"Timestamp","version":0}}' >"$TEST_DIR/old-timestamp.json"
proxy_rules "[{\"path\": \"/timestamp.json\$\", \"action\": \"body\", \"file\": \"$TEST_DIR/old-timestamp.json\"}]"
assert_exit 0 via_proxy get "$gun" timestamp
cmp "$TEST_DIR/stdout" "$TEST_DIR/old-timestamp.json" || fail "recorded body differs"

# 401 without a challenge and 403 are authentication failures.
proxy_reset
proxy_rules '[{"path": "/root.json$", "action": "status", "status": 401},
	{"path": "/root.json$", "action": "status", "status": 403}]'
assert_exit 26 via_proxy get "$gun" root
assert_contains "$STDERR" "TUFSIGN_ERR_AUTH: GET 'root.json' of '$gun' failed: HTTP 401: access denied for user 'anonymous'"
assert_exit 26 via_proxy get "$gun" root
assert_contains "$STDERR" "HTTP 403"

# A Basic challenge: the request is sent again with the credentials, and
# without credentials it is an authentication failure.
proxy_reset
basic_401='{"path": "/root.json$", "action": "status", "status": 401,
	"headers": {"WWW-Authenticate": "Basic realm=\"faultproxy\""}}'
proxy_rules "[$basic_401]"
assert_exit 0 env NETCHECK_PASSWORD=secret "$NETCHECK" -s "$PROXY_URL" -c "$PROXY_CA" -u ci \
	get "$gun" root
cmp "$TEST_DIR/stdout" "$META_DIR/root.json" || fail "root after a Basic challenge differs"
assert_eq '["","Basic"]' "$(proxy_control GET log | jq -c '[.[] | select(.path | test("/root.json$")) | .auth]')" \
	"Authorization schemes sent for root.json"
proxy_rules "[$basic_401, $basic_401]"
assert_exit 26 via_proxy --no-env get "$gun" root
assert_eq "TUFSIGN_ERR_AUTH: GET 'root.json' of '$gun' failed: HTTP 401: access denied for user 'anonymous' at realm faultproxy" \
	"$STDERR" "message for a Basic challenge without credentials"

# A Bearer challenge whose token service rejects anonymous access. The
# docker config names a helper that has no entry for the host, and the
# message names that helper.
mkdir -p "$TEST_DIR/bin" "$TEST_DIR/docker"
printf '#!/bin/sh\ncat >/dev/null\necho "credentials not found in native keychain"\nexit 1\n' \
	>"$TEST_DIR/bin/docker-credential-none"
chmod +x "$TEST_DIR/bin/docker-credential-none"
printf '{"credsStore": "none"}\n' >"$TEST_DIR/docker/config.json"
proxy_reset
proxy_rules "[{\"path\": \"/root.json\$\", \"action\": \"status\", \"status\": 401,
	\"headers\": {\"WWW-Authenticate\": \"Bearer realm=\\\"$PROXY_URL/token\\\",service=\\\"faultproxy\\\"\"}},
	{\"path\": \"^/token\", \"action\": \"status\", \"status\": 401}]"
assert_exit 26 env -u NOTARY_AUTH PATH="$TEST_DIR/bin:$PATH" DOCKER_CONFIG="$TEST_DIR/docker" \
	"$NETCHECK" -s "$PROXY_URL" -c "$PROXY_CA" get "$gun" root
assert_eq "TUFSIGN_ERR_AUTH: the token service '$PROXY_URL/token' rejected anonymous access (HTTP 401); no credentials were sent because the credential helper 'docker-credential-none' (credsStore in '$TEST_DIR/docker/config.json') has no credentials for 'registry.example'; give credentials with --username, NOTARY_AUTH or a docker login" \
	"$STDERR" "message for a rejected anonymous token request"

# An identity token from the "auths" entry goes in the OAuth2 refresh grant:
# a form POST to the realm with the fields and the client_id of the docker
# CLI, the token form-encoded. The capture forwards the POST to
# notary-server, which has no /token, so the request then fails with 404.
printf '{"auths": {"registry.example": {"identitytoken": "r+/=&%%"}}}\n' \
	>"$TEST_DIR/docker/config.json"
# get_root_with_docker_config CODE: gets root through the proxy with the
# credentials of that docker config alone; fails unless it exits with CODE.
get_root_with_docker_config() {
	assert_exit "$1" env -u NOTARY_AUTH DOCKER_CONFIG="$TEST_DIR/docker" \
		"$NETCHECK" -s "$PROXY_URL" -c "$PROXY_CA" get "$gun" root
}
bearer_401="{\"path\": \"/root.json\$\", \"action\": \"status\", \"status\": 401,
	\"headers\": {\"WWW-Authenticate\": \"Bearer realm=\\\"$PROXY_URL/token\\\",service=\\\"faultproxy\\\"\"}}"
proxy_reset
proxy_rules "[$bearer_401, {\"method\": \"POST\", \"path\": \"^/token\$\", \"action\": \"capture\",
	\"file\": \"$TEST_DIR/grant\"}]"
get_root_with_docker_config 28
scope_escaped=$(jq -rn --arg s "repository:$gun:pull" '$s | @uri')
assert_eq "grant_type=refresh_token&refresh_token=r%2B%2F%3D%26%25&service=faultproxy&scope=$scope_escaped&client_id=docker" \
	"$(cat "$TEST_DIR/grant")" "refresh grant form"
assert_eq "application/x-www-form-urlencoded" "$(cat "$TEST_DIR/grant.type")" \
	"refresh grant content type"

# A token service that rejects the identity token with 400 invalid_grant,
# as OAuth2 services do: the message names the docker config and the fix.
proxy_reset
proxy_rules "[$bearer_401, {\"path\": \"^/token\", \"action\": \"status\", \"status\": 400}]"
get_root_with_docker_config 26
assert_eq "TUFSIGN_ERR_AUTH: the token service '$PROXY_URL/token' rejected the identity token from the docker config '$TEST_DIR/docker/config.json' (HTTP 400); it may have expired or been revoked, so log in again with 'docker login' (for Azure Container Registry, 'az acr login'), or give credentials with --username" \
	"$STDERR" "message for a rejected identity token"

# A Basic challenge cannot take the identity token: nothing is sent with
# it, and the message names the credentials to give instead.
proxy_reset
proxy_rules "[$basic_401]"
get_root_with_docker_config 26
assert_eq "TUFSIGN_ERR_AUTH: the server '$PROXY_URL' requests Basic authentication, which the identity token from the docker config '$TEST_DIR/docker/config.json' cannot give; give a user name and password with --username or NOTARY_AUTH" \
	"$STDERR" "message for a Basic challenge with an identity token"
assert_eq '[""]' "$(proxy_control GET log | jq -c '[.[] | select(.path | test("/root.json$")) | .auth]')" \
	"Authorization schemes sent for root.json with an identity token"

# Plain http: rejected without the flag, byte-exact with it.
start_faultproxy plain
assert_exit 23 "$NETCHECK" -s "$PROXY_URL" get "$gun" root
assert_contains "$STDERR" "TUFSIGN_ERR_URI: the server URL '$PROXY_URL' uses plain http"
assert_exit 0 "$NETCHECK" --insecure-plain-http -s "$PROXY_URL" get "$gun" root
cmp "$TEST_DIR/stdout" "$META_DIR/root.json" || fail "root over plain http differs"
echo "PASS: retries, caps and failures of the Notary client behind faultproxy"
