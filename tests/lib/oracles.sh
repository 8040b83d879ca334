# Oracles: the real Notary clients read what a test published and must accept
# it. Source after common.sh and use_notary_fixture (they read NOTARY_URL,
# NOTARY_HOSTPORT, NOTARY_CA and, with mutual TLS, NOTARY_CLIENT_CERT and
# NOTARY_CLIENT_KEY). Each call starts from an empty trust directory, so the
# client trusts the root on first use and downloads and verifies every role.
# Set ORACLE_ROOT_KEY_ID to pin the root key ID instead. Any error fails the
# test; call the functions as `value=$(oracle_... )` so errexit catches a failure.

# _oracle_notary ARGS...: runs the notary client with its own configuration
# and trust directory; prints its stdout.
_oracle_notary() {
	local dir rc=0 client="" pinning=""
	require_cmd notary
	[ -n "${NOTARY_URL:-}" ] || fail "NOTARY_URL is not set; call use_notary_fixture first"
	dir=$(mktemp -d "$TEST_DIR/notary-oracle.XXXXXX")
	if [ -n "${NOTARY_CLIENT_CERT:-}" ]; then
		client=$(printf '"remote_server": {"tls_client_cert": "%s", "tls_client_key": "%s"}' \
			"$NOTARY_CLIENT_CERT" "$NOTARY_CLIENT_KEY")
	fi
	if [ -n "${ORACLE_ROOT_KEY_ID:-}" ]; then
		pinning=$(printf '"trust_pinning": {"certs": {"%s": ["%s"]}, "disable_tofu": true}' \
			"$2" "$ORACLE_ROOT_KEY_ID")
	fi
	printf '{%s%s%s}\n' "$client" "${client:+${pinning:+,}}" "$pinning" >"$dir/config.json"
	notary -c "$dir/config.json" -s "$NOTARY_URL" --tlscacert "$NOTARY_CA" -d "$dir/trust" \
		"$@" >"$dir/stdout" 2>"$dir/stderr" </dev/null || rc=$?
	if [ "$rc" != 0 ]; then
		fail "notary $* failed (exit $rc): $(cat "$dir/stderr" "$dir/stdout")"
	fi
	cat "$dir/stdout"
}

# oracle_notary_list GUN: prints `notary list GUN`: a header, then one line
# per target: NAME DIGEST SIZE ROLE.
oracle_notary_list() {
	_oracle_notary list "$1"
}

# oracle_notary_lookup GUN TAG: prints "sha256:HEX SIZE" of TAG.
oracle_notary_lookup() {
	local line name digest size
	line=$(_oracle_notary lookup "$1" "$2")
	read -r name digest size <<<"$line"
	[ "$name" = "$2" ] && [ -n "$size" ] || fail "unexpected notary lookup output: $line"
	echo "$digest $size"
}

# oracle_notary_digest GUN TAG: prints the hex SHA-256 of TAG.
oracle_notary_digest() {
	local found
	found=$(oracle_notary_lookup "$1" "$2")
	found=${found%% *}
	echo "${found#sha256:}"
}

# docker_cli_present: true when the docker CLI can run. Otherwise prints the
# SKIP line and makes a test that passes the remaining checks exit 77. Guard
# every oracle_docker_* call with it:
#   if docker_cli_present; then ...; fi
docker_cli_present() {
	if command -v docker >/dev/null 2>&1; then
		return 0
	fi
	skip_at_exit "docker CLI not found: 'docker trust inspect' checks were not run"
	return 1
}

# oracle_docker_inspect GUN: prints the JSON of `docker trust inspect GUN`.
# docker reads the CA (and the client certificate for mutual TLS) from its
# configuration directory under tls/HOST:PORT/.
oracle_docker_inspect() {
	local dir tls rc=0
	command -v docker >/dev/null 2>&1 || fail "docker CLI not found; guard with docker_cli_present"
	case ${1%%/*} in
	localhost | localhost:* | 127.*)
		fail "GUN '$1': docker does not verify TLS for loopback registries; use registry.example/..."
		;;
	esac
	dir=$(mktemp -d "$TEST_DIR/docker-oracle.XXXXXX")
	tls=$dir/config/tls/$NOTARY_HOSTPORT
	mkdir -p "$tls"
	cp "$NOTARY_CA" "$tls/ca.crt"
	if [ -n "${NOTARY_CLIENT_CERT:-}" ]; then
		cp "$NOTARY_CLIENT_CERT" "$tls/client.cert"
		cp "$NOTARY_CLIENT_KEY" "$tls/client.key"
	fi
	DOCKER_CONFIG=$dir/config DOCKER_CONTENT_TRUST_SERVER=$NOTARY_URL \
		docker trust inspect "$1" >"$dir/stdout" 2>"$dir/stderr" </dev/null || rc=$?
	if [ "$rc" != 0 ]; then
		fail "docker trust inspect $1 failed (exit $rc): $(cat "$dir/stderr")"
	fi
	cat "$dir/stdout"
}

# oracle_docker_digest GUN TAG: prints the hex SHA-256 docker reports for TAG.
oracle_docker_digest() {
	local json digest
	require_cmd jq
	json=$(oracle_docker_inspect "$1")
	digest=$(jq -r --arg tag "$2" \
		'.[0].SignedTags[] | select(.SignedTag == $tag) | .Digest' <<<"$json")
	[ -n "$digest" ] || fail "docker trust inspect $1 lists no signed tag '$2': $json"
	echo "$digest"
}

# oracle_docker_root_key GUN: prints the root key ID docker shows for GUN.
oracle_docker_root_key() {
	local json
	require_cmd jq
	json=$(oracle_docker_inspect "$1")
	jq -r '.[0].AdministrativeKeys[] | select(.Name == "Root") | .Keys[0].ID' <<<"$json"
}
