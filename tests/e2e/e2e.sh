# shellcheck shell=bash
# Helpers of the end-to-end tests: tufsign against the fixture notary-server
# with keys on a fresh SoftHSM2 token, checked by the notary client and
# docker trust inspect. Source after common.sh and oracles.sh.

# e2e_setup [plain|token [PIN]]: exports the fixture server, a fresh token
# (TUFSIGN_PIN set) and a trust cache under $TEST_DIR.
e2e_setup() {
	require_cmd notary softhsm2-util jq curl sha256sum
	use_notary_fixture "${1:-plain}"
	new_token e2e 12345678 "${2:-1234}"
	export TUFSIGN_PIN=$TOKEN_PIN
	export TUFSIGN_TRUST_DIR=$TEST_DIR/trust
	unset TUFSIGN_SERVER DOCKER_CONTENT_TRUST_SERVER TUFSIGN_PASSWORD NOTARY_AUTH
	export DOCKER_CONFIG=$TEST_DIR/no-docker-config
}

# ts ARGS...: tufsign against the fixture server.
ts() {
	"$TUFSIGN" -s "$NOTARY_URL" --tls-ca "$NOTARY_CA" "$@"
}

# key_uri LABEL: the PKCS#11 URI of key LABEL on the test token.
key_uri() {
	printf 'pkcs11:token=%s;object=%s\n' "$TOKEN_LABEL" "$1"
}

# gen_key LABEL [TYPE]: generates a key pair on the token.
gen_key() {
	assert_exit 0 "$TUFSIGN" key generate "$(key_uri "$1")" --type "${2:-ecdsa-p256}"
}

# make_manifest FILE: writes a small image manifest and sets DIGEST and SIZE.
make_manifest() {
	printf '{"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v2+json","config":{"digest":"sha256:%s"}}' \
		"$(head -c 32 /dev/urandom | sha256sum | cut -d' ' -f1)" >"$1"
	DIGEST=$(sha256sum "$1" | cut -d' ' -f1)
	SIZE=$(stat -c %s "$1")
}

# server_get GUN FILE: prints a metadata file of GUN from the server ("" when
# the server has none).
server_get() {
	local auth=() token
	if [ -n "${NOTARY_TOKEN_REALM:-}" ]; then
		# An anonymous pull token from the fixture's token service.
		token=$(curl -sf --cacert "$NOTARY_CA" -G "$NOTARY_TOKEN_REALM" \
			--data-urlencode "service=$NOTARY_TOKEN_SERVICE" \
			--data-urlencode "scope=repository:$1:pull" | jq -r .token) ||
			fail "no pull token from $NOTARY_TOKEN_REALM"
		auth=(-H "Authorization: Bearer $token")
	fi
	curl -sf --cacert "$NOTARY_CA" "${auth[@]}" "$NOTARY_URL/v2/$1/_trust/tuf/$2" \
		2>/dev/null || true
}

# server_state GUN: prints a digest of everything the server holds for GUN.
server_state() {
	local f
	for f in root.json targets.json snapshot.json timestamp.json; do
		printf '%s: %s\n' "$f" "$(server_get "$1" "$f" | sha256sum | cut -d' ' -f1)"
	done
}

# cache_state: prints a digest of the committed metadata files in the trust
# cache (each GUN's "current" generation).
cache_state() {
	(
		cd "$TUFSIGN_TRUST_DIR" 2>/dev/null || exit 0
		find -L ./*/current -type f -print0 2>/dev/null | sort -z | xargs -0 -r sha256sum
	)
}

# snapshot_states GUN: records the server and cache states for unchanged_since.
snapshot_states() {
	SAVED_SERVER=$(server_state "$1")
	SAVED_CACHE=$(cache_state)
}

# unchanged_since GUN WHAT: fails unless server and cache are as recorded.
unchanged_since() {
	assert_eq "$SAVED_SERVER" "$(server_state "$1")" "server state of $1 after $2"
	assert_eq "$SAVED_CACHE" "$(cache_state)" "trust cache after $2"
}

# init_repo GUN ROOT_LABEL TARGETS_LABEL [ARGS...]: tufsign init; sets ROOT_KEY_ID.
init_repo() {
	local gun=$1 root=$2 targets=$3
	shift 3
	assert_exit 0 ts --json init "$gun" --root-key "$(key_uri "$root")" \
		--targets-key "$(key_uri "$targets")" "$@"
	assert_eq true "$(jq -r .created <<<"$STDOUT")" "init created $gun"
	ROOT_KEY_ID=$(jq -r .root_key_id <<<"$STDOUT")
	TARGETS_KEY_ID=$(jq -r .targets_key_id <<<"$STDOUT")
}

# check_oracles GUN TAG DIGEST SIZE: the notary client and docker (when
# present) read TAG as DIGEST and SIZE.
check_oracles() {
	local found
	found=$(oracle_notary_lookup "$1" "$2")
	assert_eq "sha256:$3 $4" "$found" "notary lookup of $1 $2"
	if docker_cli_present; then
		found=$(oracle_docker_digest "$1" "$2")
		assert_eq "$3" "$found" "docker trust inspect digest of $1 $2"
	fi
}

# check_tufsign GUN TAG DIGEST SIZE: tufsign list and verify agree.
check_tufsign() {
	local row
	assert_exit 0 ts --json list "$1"
	row=$(jq -r --arg t "$2" '.targets[] | select(.tag == $t) | "\(.digest) \(.size) \(.role)"' \
		<<<"$STDOUT")
	assert_eq "sha256:$3 $4 targets" "$row" "tufsign list row of $1 $2"
	assert_exit 0 ts verify "$1" "$2" --digest "sha256:$3"
}
