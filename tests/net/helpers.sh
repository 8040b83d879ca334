# Helpers of the Notary client script tests. Source after common.sh and
# use_notary_fixture. The netcheck driver (tests/net/netcheck.c) comes from
# $NETCHECK or the script's first argument; other tests may source this file
# without it to use the fault proxy (start_faultproxy, proxy_rules, ...).

NETCHECK=${NETCHECK:-${1:-}}
NET_TESTS=$TUFSIGN_SOURCE_DIR/tests/net

# netcheck ARGS...: the driver against the fixture server.
netcheck() {
	[ -n "$NETCHECK" ] || fail "no netcheck driver given"
	"$NETCHECK" -s "$NOTARY_URL" -c "$NOTARY_CA" "$@"
}

# notary_local_init GUN: runs `notary init` without publishing, so the
# notary client writes root.json, targets.json and snapshot.json for GUN
# (fetching the server's timestamp key) without uploading them. Sets
# META_DIR to the directory holding the three files.
notary_local_init() {
	local gun=$1 trust=$TEST_DIR/notary-trust
	require_cmd notary
	NOTARY_ROOT_PASSPHRASE=root-passphrase NOTARY_TARGETS_PASSPHRASE=targets-passphrase \
		NOTARY_SNAPSHOT_PASSPHRASE=snapshot-passphrase \
		notary -s "$NOTARY_URL" --tlscacert "$NOTARY_CA" -d "$trust" init "$gun" \
		</dev/null >"$TEST_DIR/notary-init.log" 2>&1 ||
		fail "notary init $gun failed: $(cat "$TEST_DIR/notary-init.log")"
	META_DIR=$trust/tuf/$gun/metadata
	[ -s "$META_DIR/root.json" ] && [ -s "$META_DIR/targets.json" ] &&
		[ -s "$META_DIR/snapshot.json" ] || fail "notary init wrote no metadata for $gun"
}

# sha256_hex FILE
sha256_hex() {
	sha256sum "$1" | cut -d' ' -f1
}

# sha256_b64 FILE: the hash as the "hashes" members of TUF metadata write it.
sha256_b64() {
	openssl dgst -sha256 -binary "$1" | base64 -w0
}

# make_ca DIR NAME: a throwaway CA (EC P-256) in DIR/NAME.crt and .key.
make_ca() {
	openssl req -x509 -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		-keyout "$1/$2.key" -out "$1/$2.crt" -days 2 -subj "/CN=$2" \
		-addext "basicConstraints=critical,CA:TRUE" \
		-addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
}

# start_faultproxy tls|plain: runs faultproxy.py on a free port in front of
# the fixture server. Sets PROXY_URL and, for tls, PROXY_CA: a bundle of the
# fixture CA and the proxy's own CA, so one CA file verifies both.
start_faultproxy() {
	local mode=$1 dir=$TEST_DIR/proxy-$1 tls=() scheme=http try
	mkdir -p "$dir"
	if [ "$mode" = tls ]; then
		make_ca "$dir" proxy-ca
		openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
			-keyout "$dir/proxy.key" -out "$dir/proxy.csr" -subj "/CN=faultproxy" 2>/dev/null
		printf '%s\n' "basicConstraints=critical,CA:FALSE" "extendedKeyUsage=serverAuth" \
			"subjectAltName=IP:127.0.0.1" >"$dir/proxy.ext"
		openssl x509 -req -in "$dir/proxy.csr" -CA "$dir/proxy-ca.crt" \
			-CAkey "$dir/proxy-ca.key" -CAcreateserial -days 2 -extfile "$dir/proxy.ext" \
			-out "$dir/proxy.crt" 2>/dev/null
		cat "$NOTARY_CA" "$dir/proxy-ca.crt" >"$dir/bundle.crt"
		PROXY_CA=$dir/bundle.crt
		tls=(--tls-cert "$dir/proxy.crt" --tls-key "$dir/proxy.key")
		scheme=https
	fi
	for ((try = 0; try < 5; try++)); do
		local port
		port=$(free_port)
		python3 "$NET_TESTS/faultproxy.py" --listen "127.0.0.1:$port" \
			--upstream "$NOTARY_URL" --upstream-ca "$NOTARY_CA" "${tls[@]}" \
			--pidfile "$dir/pid" 2>"$dir/log" &
		on_exit "kill $! 2>/dev/null"
		local i
		for ((i = 0; i < 100; i++)); do
			if port_listening "$port"; then
				PROXY_URL=$scheme://127.0.0.1:$port
				return 0
			fi
			kill -0 $! 2>/dev/null || break
			sleep 0.1
		done
	done
	fail "faultproxy did not start: $(cat "$dir/log")"
}

# proxy_control METHOD PATH [JSON]: calls a control endpoint of the proxy
# and prints its response.
proxy_control() {
	local ca=()
	[ -n "${PROXY_CA:-}" ] && ca=(--cacert "$PROXY_CA")
	curl -sf "${ca[@]}" -X "$1" ${3:+--data-binary "$3"} "$PROXY_URL/_faultproxy/$2" ||
		fail "faultproxy control $1 $2 failed"
}

# proxy_rules JSON: adds rules; proxy_reset: drops rules and the log.
proxy_rules() {
	proxy_control POST rules "$1" >/dev/null
}

proxy_reset() {
	proxy_control POST reset >/dev/null
}

# proxy_count METHOD PATH_REGEX: how many logged requests match.
proxy_count() {
	proxy_control GET log | jq --arg m "$1" --arg p "$2" \
		'[.[] | select(.method == $m and (.path | test($p)))] | length'
}

# via_proxy ARGS...: the driver against the TLS proxy.
via_proxy() {
	"$NETCHECK" -s "$PROXY_URL" -c "$PROXY_CA" "$@"
}
