#!/bin/bash
# Bad input is refused with a message naming the value and the fix, the
# documented exit code, and neither the server nor the trust cache changes:
# malformed digests, bad sizes, invalid GUNs and tags, bad targets files,
# bad custom data, a wrong targets key and an unknown tag for remove.
. "$TUFSIGN_SOURCE_DIR/tests/lib/common.sh"
. "$TUFSIGN_SOURCE_DIR/tests/lib/oracles.sh"
. "$TUFSIGN_SOURCE_DIR/tests/e2e/e2e.sh"

e2e_setup
gen_key root
gen_key targets
gun=$(unique_gun)
init_repo "$gun" root targets
make_manifest "$TEST_DIR/m.json"
assert_exit 0 ts sign "$gun" v1 --key "$(key_uri targets)" --manifest "$TEST_DIR/m.json"
snapshot_states "$gun"
key=$(key_uri targets)
good_digest=sha256:$DIGEST

# expect_usage MESSAGE ARGS...: tufsign ARGS exits 2 with MESSAGE, changing nothing.
expect_usage() {
	local message=$1
	shift
	assert_exit 2 ts "$@"
	assert_contains "$STDERR" "$message"
	assert_contains "$STDERR" "usage: tufsign"
	unchanged_since "$gun" "tufsign $*"
}

upper=$(tr a-f A-F <<<"$DIGEST")
expect_usage "invalid digest 'sha256:$upper': expected 'sha256:' followed by 64 lower-case hex digits" \
	sign "$gun" v2 --key "$key" --digest "sha256:$upper" --size 10
expect_usage "invalid digest '$DIGEST'" sign "$gun" v2 --key "$key" --digest "$DIGEST" --size 10
expect_usage "invalid digest 'sha256:abc'" sign "$gun" v2 --key "$key" --digest sha256:abc --size 10
expect_usage "invalid size '-5': expected the manifest size in bytes" \
	sign "$gun" v2 --key "$key" --digest "$good_digest" --size=-5
expect_usage "invalid size '12kB'" sign "$gun" v2 --key "$key" --digest "$good_digest" --size 12kB
expect_usage "invalid size '9007199254740992'" \
	sign "$gun" v2 --key "$key" --digest "$good_digest" --size 9007199254740992
expect_usage "invalid GUN 'registry.example/Team/app': component 'Team'" \
	sign registry.example/Team/app v2 --key "$key" --digest "$good_digest" --size 1
expect_usage "invalid GUN 'registry.example//app'" list registry.example//app
expect_usage "invalid GUN" init "registry.example/a b" --root-key "$(key_uri root)" --targets-key "$key"
expect_usage "invalid tag: control character 0x0a at byte 1" \
	sign "$gun" "a
b" --key "$key" --digest "$good_digest" --size 1
expect_usage "invalid tag: control character 0x09" remove "$gun" "a	b" --key "$key"
expect_usage "--digest and --size go together" sign "$gun" v2 --key "$key" --digest "$good_digest"
expect_usage "give exactly one of --digest with --size, --manifest FILE or --targets-file FILE" \
	sign "$gun" v2 --key "$key" --digest "$good_digest" --size 1 --manifest "$TEST_DIR/m.json"
expect_usage "missing --key URI" sign "$gun" v2 --digest "$good_digest" --size 1
expect_usage "missing TAG" sign "$gun" --key "$key" --digest "$good_digest" --size 1
assert_exit 2 ts sign "$gun" v2 --key "$key" --manifest "$TEST_DIR/missing.json"
assert_eq "tufsign: cannot read --manifest '$TEST_DIR/missing.json': No such file or directory" \
	"$STDERR"
unchanged_since "$gun" "sign with a missing manifest"
assert_exit 2 ts sign "$gun" v2 --key "$key" --manifest "$TEST_DIR"
assert_eq "tufsign: cannot read --manifest '$TEST_DIR': Is a directory" "$STDERR"
unchanged_since "$gun" "sign with a directory as manifest"
expect_usage "invalid --custom data" sign "$gun" v2 --key "$key" --manifest "$TEST_DIR/m.json" \
	--custom '{"ratio":1.5}'
expect_usage "invalid --root-key-id 'abc'" list "$gun" --root-key-id abc
expect_usage "both --root-key URI and --targets-key URI are required" init "$gun" --root-key "$key"

printf 'ok sha256:%s 1\n\nbad sha256:%s -1\n' "$DIGEST" "$DIGEST" >"$TEST_DIR/t1.txt"
expect_usage "$TEST_DIR/t1.txt line 3: invalid size '-1'" \
	sign "$gun" --key "$key" --targets-file "$TEST_DIR/t1.txt"
printf '# header\nonly-a-tag\n' >"$TEST_DIR/t2.txt"
expect_usage "$TEST_DIR/t2.txt line 2: expected 'TAG sha256:HEX SIZE', but 'only-a-tag' has 1 field" \
	sign "$gun" --key "$key" --targets-file "$TEST_DIR/t2.txt"
printf 'dup sha256:%s 1\ndup sha256:%s 2\n' "$DIGEST" "$DIGEST" >"$TEST_DIR/t3.txt"
expect_usage "$TEST_DIR/t3.txt line 2: tag 'dup' appears twice" \
	sign "$gun" --key "$key" --targets-file "$TEST_DIR/t3.txt"

# No server: a usage error before anything else.
assert_exit 2 env -u TUFSIGN_SERVER "$TUFSIGN" list "$gun"
assert_contains "$STDERR" "no Notary server given; use -s URL or set TUFSIGN_SERVER"

# A repository that does not exist: bad input (a mistyped GUN), which a
# pipeline must not retry; for verify the tag is not signed.
missing="repository '$gun-missing' does not exist on the server $NOTARY_URL; check the GUN, or create the repository with 'tufsign init'"
assert_exit 2 ts sign "$gun-missing" v1 --key "$key" --manifest "$TEST_DIR/m.json"
assert_eq "tufsign: $missing" "$STDERR"
assert_exit 2 ts list "$gun-missing"
assert_eq "tufsign: $missing" "$STDERR"
assert_exit 8 ts verify "$gun-missing" v1
assert_eq "tufsign: $missing" "$STDERR"
assert_exit 8 ts --json verify "$gun-missing" v1
assert_eq "TUFSIGN_ERR_REPO_NOT_FOUND 8" "$(jq -r '"\(.error.code) \(.error.exit_code)"' <<<"$STDOUT")" \
	"JSON error of verify on a missing repository"
assert_exit 2 ts --json list "$gun-missing"
assert_eq "TUFSIGN_ERR_REPO_NOT_FOUND 2" "$(jq -r '"\(.error.code) \(.error.exit_code)"' <<<"$STDOUT")" \
	"JSON error of list on a missing repository"
# None of these runs left a directory for the missing GUN in the cache.
assert_eq "" "$(ls "$TUFSIGN_TRUST_DIR" | grep -F -- "-missing" || true)" \
	"trust cache entries for the missing repository"

# A tag that is not signed cannot be removed.
assert_exit 8 ts remove "$gun" never-signed --key "$key"
assert_contains "$STDERR" "tag 'never-signed' is not signed in '$gun' (targets version 2); nothing to remove"
unchanged_since "$gun" "remove of an unknown tag"
assert_exit 8 ts --json remove "$gun" never-signed --key "$key"
assert_eq "TUFSIGN_ERR_TAG_NOT_FOUND 8" "$(jq -r '"\(.error.code) \(.error.exit_code)"' <<<"$STDOUT")" \
	"JSON error of remove"

# A key that is not the repository's targets key, named with both key IDs.
gen_key intruder
assert_exit 4 ts sign "$gun" v2 --key "$(key_uri intruder)" --manifest "$TEST_DIR/m.json"
assert_contains "$STDERR" "is not the targets key of '$gun'"
assert_contains "$STDERR" "lists targets key ID $TARGETS_KEY_ID"
unchanged_since "$gun" "sign with a foreign key"

# A root pin that does not match the server's root: untrusted, nothing cached.
export TUFSIGN_TRUST_DIR=$TEST_DIR/fresh-trust
snapshot_states "$gun"
assert_exit 6 ts list "$gun" --root-key-id "$(printf 'ab%.0s' {1..32})"
assert_contains "$STDERR" "does not list the root key ID given with --root-key-id, abab"
unchanged_since "$gun" "list with a wrong pin"
openssl req -x509 -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 30 \
	-subj "/CN=other-root" -keyout "$TEST_DIR/other.key" -out "$TEST_DIR/other.pem" 2>/dev/null
assert_exit 6 ts list "$gun" --root-cert "$TEST_DIR/other.pem"
assert_contains "$STDERR" "does not list the key ID of the given root certificate (--root-cert),"
unchanged_since "$gun" "list with a foreign root certificate"
server_get "$gun" root.json | jq -r --arg id "$ROOT_KEY_ID" '.signed.keys[$id].keyval.public' |
	base64 -d >"$TEST_DIR/root.pem"
assert_exit 0 ts list "$gun" --root-cert "$TEST_DIR/root.pem"
assert_contains "$STDERR" "pinned the root of '$gun' with root key ID $ROOT_KEY_ID, as required"
rm -rf "$TUFSIGN_TRUST_DIR"
assert_exit 0 ts list "$gun" --root-key-id "$ROOT_KEY_ID"
assert_contains "$STDERR" "pinned the root of '$gun' with root key ID $ROOT_KEY_ID, as required"

# The repository is still intact for the real clients.
check_oracles "$gun" v1 "$DIGEST" "$SIZE"
# Key references that fail before any upload, each with its exit code: a
# mistyped --key scheme, a pin-source file that does not exist and a query
# attribute in the path part of the URI.
snapshot_states "$gun"
assert_exit 2 ts sign "$gun" v7 --key "pkcs11-token=$TOKEN_LABEL" --digest "$good_digest" --size 5
assert_eq "tufsign: --key 'pkcs11-token=$TOKEN_LABEL' is neither a PKCS#11 URI, which starts with 'pkcs11:', nor a key file: No such file or directory" \
	"$STDERR"
unchanged_since "$gun" "sign with a mistyped --key"
assert_exit 3 ts sign "$gun" v7 --key "$key?pin-source=file:$TEST_DIR/nonexist" \
	--digest "$good_digest" --size 5
assert_eq "tufsign: cannot read the PIN file '$TEST_DIR/nonexist' named by pin-source in the PKCS#11 URI: No such file or directory; correct the path, or remove pin-source from the URI to use --pin-file or TUFSIGN_PIN" \
	"$STDERR"
unchanged_since "$gun" "sign with a missing pin-source file"
assert_exit 2 ts sign "$gun" v7 --key "$key;module-path=$SOFTHSM2_MODULE" \
	--digest "$good_digest" --size 5
assert_contains "$STDERR" "has the query attribute module-path in its path part; RFC 7512 puts query attributes after '?', as in '$key?module-path=$SOFTHSM2_MODULE'"
unchanged_since "$gun" "sign with module-path in the path part"
echo "PASS: bad input refused without changes to $gun"
