#!/bin/bash
# Faults: server down, an untrusted TLS certificate, a 500 answered once to a
# read and once to the upload (faultproxy.py in front of the server), rolled
# back metadata served by the proxy, and expired metadata (libfaketime moves
# tufsign's clock past the timestamp's 14 days). Each gets its message and
# exit code and leaves server and trust cache as they were.
. "$TUFSIGN_SOURCE_DIR/tests/lib/common.sh"
. "$TUFSIGN_SOURCE_DIR/tests/lib/oracles.sh"
. "$TUFSIGN_SOURCE_DIR/tests/e2e/e2e.sh"
# shellcheck source=../net/helpers.sh
. "$TUFSIGN_SOURCE_DIR/tests/net/helpers.sh" unused-netcheck

require_cmd python3 openssl
e2e_setup
gen_key root
gen_key targets
gun=$(unique_gun)
key=$(key_uri targets)
init_repo "$gun" root targets
make_manifest "$TEST_DIR/m1.json"
assert_exit 0 ts sign "$gun" v1 --key "$key" --manifest "$TEST_DIR/m1.json"
server_get "$gun" timestamp.json >"$TEST_DIR/timestamp-v2.json"
make_manifest "$TEST_DIR/m2.json"
snapshot_states "$gun"

# Server down: nothing listens on the port.
port=$(free_port)
assert_exit 5 "$TUFSIGN" -s "https://127.0.0.1:$port" --tls-ca "$NOTARY_CA" \
	sign "$gun" v2 --key "$key" --manifest "$TEST_DIR/m2.json"
assert_contains "$STDERR" "127.0.0.1:$port"
unchanged_since "$gun" "sign with the server down"

# Untrusted TLS certificate: the system store and a foreign CA both reject it.
assert_exit 5 "$TUFSIGN" -s "$NOTARY_URL" sign "$gun" v2 --key "$key" --manifest "$TEST_DIR/m2.json"
assert_contains "$STDERR" "certificate"
make_ca "$TEST_DIR" other-ca
assert_exit 5 "$TUFSIGN" -s "$NOTARY_URL" --tls-ca "$TEST_DIR/other-ca.crt" \
	list "$gun"
assert_contains "$STDERR" "certificate"
unchanged_since "$gun" "an untrusted TLS certificate"

# Plain HTTP needs the explicit option.
assert_exit 2 "$TUFSIGN" -s "http://127.0.0.1:$port" list "$gun"
assert_contains "$STDERR" "--insecure-plain-http"

start_faultproxy tls
px() {
	"$TUFSIGN" -s "$PROXY_URL" --tls-ca "$PROXY_CA" "$@"
}

# A 500 on a read is retried and the sign goes through.
proxy_rules '[{"method": "GET", "path": "/timestamp\\.json$", "count": 1, "status": 500}]'
assert_exit 0 px sign "$gun" v2 --key "$key" --manifest "$TEST_DIR/m2.json"
assert_eq 1 "$(proxy_control GET log | jq '[.[] | select(.action == "status")] | length')" \
	"injected 500 answers"
check_oracles "$gun" v2 "$DIGEST" "$SIZE"
proxy_reset

# A 500 on the upload is not repeated: the run fails, nothing changes, and
# the next run publishes.
make_manifest "$TEST_DIR/m3.json"
snapshot_states "$gun"
proxy_rules '[{"method": "POST", "path": "/_trust/tuf/$", "count": 1, "status": 500}]'
assert_exit 5 px sign "$gun" v3 --key "$key" --manifest "$TEST_DIR/m3.json"
assert_contains "$STDERR" "500"
assert_contains "$STDERR" "injected by faultproxy"
unchanged_since "$gun" "a 500 on the upload"
assert_exit 0 px sign "$gun" v3 --key "$key" --manifest "$TEST_DIR/m3.json"
check_oracles "$gun" v3 "$DIGEST" "$SIZE"
proxy_reset

# A race lost on every attempt: the proxy keeps serving the timestamp of
# targets version 2 to an agent with an empty trust cache, so each upload
# repeats a version the server already has and is refused as a conflict.
snapshot_states "$gun"
proxy_rules "[{\"method\": \"GET\", \"path\": \"/timestamp\\\\.json$\", \"count\": -1, \"action\": \"body\", \"file\": \"$TEST_DIR/timestamp-v2.json\"}]"
assert_exit 7 env TUFSIGN_TRUST_DIR="$TEST_DIR/stale-agent" "$TUFSIGN" -s "$PROXY_URL" \
	--tls-ca "$PROXY_CA" sign "$gun" v4 --key "$key" --manifest "$TEST_DIR/m1.json"
assert_contains "$STDERR" "gave up after 8 attempts"
assert_contains "$STDERR" "retrying in"
unchanged_since "$gun" "a race lost on every attempt"
[ ! -e "$TEST_DIR/stale-agent" ] || [ -z "$(ls "$TEST_DIR/stale-agent"/*/current 2>/dev/null)" ] ||
	fail "the stale agent's trust cache was written"
proxy_reset

# The connection drops during the upload, before the server sees it: the
# run checks the server, finds no change and reports the network error.
make_manifest "$TEST_DIR/m5.json"
snapshot_states "$gun"
proxy_rules '[{"method": "POST", "path": "/_trust/tuf/$", "count": 1, "action": "close"}]'
assert_exit 5 px sign "$gun" v5 --key "$key" --manifest "$TEST_DIR/m5.json"
unchanged_since "$gun" "a connection dropped during the upload"
proxy_reset

# A change confirmed on the second attempt: the first confirmation gets the
# timestamp from before the upload and sees a lost race, and the next attempt
# finds the delegation in place. The result still reports the upload and,
# for an agent with an empty trust cache, the first use.
gen_key alice
server_get "$gun" timestamp.json >"$TEST_DIR/timestamp-before.json"
ts_path='"path": "/timestamp\\.json$"'
proxy_rules "[{\"method\": \"GET\", $ts_path, \"count\": 1, \"action\": \"delay\", \"seconds\": 0},
	{\"method\": \"GET\", $ts_path, \"count\": 1, \"action\": \"body\", \"file\": \"$TEST_DIR/timestamp-before.json\"}]"
assert_exit 0 env TUFSIGN_TRUST_DIR="$TEST_DIR/new-agent" "$TUFSIGN" --json -s "$PROXY_URL" \
	--tls-ca "$PROXY_CA" delegation add "$gun" alice --key "$key" --signer-key "$(key_uri alice)"
assert_eq "true true 2" "$(jq -r '"\(.published) \(.first_use) \(.attempts)"' <<<"$STDOUT")" \
	"delegation add confirmed on the second attempt"
proxy_reset

# Rolled-back metadata: the proxy serves the timestamp of targets version 2
# to a client whose cache holds a newer one.
assert_exit 0 px list "$gun"
snapshot_states "$gun"
proxy_rules "[{\"method\": \"GET\", \"path\": \"/timestamp\\\\.json$\", \"count\": -1, \"action\": \"body\", \"file\": \"$TEST_DIR/timestamp-v2.json\"}]"
assert_exit 6 px list "$gun"
assert_contains "$STDERR" "older than the trusted version"
assert_exit 6 px sign "$gun" v4 --key "$key" --manifest "$TEST_DIR/m1.json"
unchanged_since "$gun" "a rolled-back timestamp"
proxy_reset

# Expired metadata: 20 days on, the server's 14-day timestamp has expired.
# The proxy speaks plain HTTP to tufsign so the short-lived TLS certificates
# of the fixture do not expire first.
if command -v faketime >/dev/null 2>&1; then
	url=$PROXY_URL
	PROXY_CA=
	start_faultproxy plain
	snapshot_states "$gun"
	assert_exit 6 env ASAN_OPTIONS=verify_asan_link_order=0 faketime -f '+20d' \
		"$TUFSIGN" --insecure-plain-http -s "$PROXY_URL" list "$gun"
	assert_contains "$STDERR" "expired"
	unchanged_since "$gun" "expired metadata"
	assert_exit 0 "$TUFSIGN" --insecure-plain-http -s "$PROXY_URL" list "$gun"
else
	skip_at_exit "faketime is not installed: the expired-metadata check was not run"
fi
check_oracles "$gun" v1 "$(sha256sum "$TEST_DIR/m1.json" | cut -d' ' -f1)" \
	"$(stat -c %s "$TEST_DIR/m1.json")"
echo "PASS: faults leave $gun and the trust cache unchanged"
