#!/bin/bash
# usage: keytypes.sh p256|p384|rsa3072|ed25519
#
# init and sign with root and targets keys on a fresh SoftHSM2 token, for one
# targets key type (the root key is ECDSA P-256, or RSA-3072 in the rsa3072
# case): the notary client and docker trust inspect read the tag, digest and
# size, tufsign list and verify agree, the signature method is notary's for
# the key type, and a second init with the same root key is a no-op.
. "$TUFSIGN_SOURCE_DIR/tests/lib/common.sh"
. "$TUFSIGN_SOURCE_DIR/tests/lib/oracles.sh"
. "$TUFSIGN_SOURCE_DIR/tests/e2e/e2e.sh"

case ${1:-p256} in
p256) root_type=ecdsa-p256 targets_type=ecdsa-p256 method=ecdsa sig_len=64 ;;
p384) root_type=ecdsa-p256 targets_type=ecdsa-p384 method=ecdsa sig_len=96 ;;
rsa3072) root_type=rsa-3072 targets_type=rsa-3072 method=rsapss sig_len=384 ;;
ed25519) root_type=ecdsa-p256 targets_type=ed25519 method=eddsa sig_len=64 ;;
*) fail "unknown key type case '$1'" ;;
esac

e2e_setup
gen_key root "$root_type"
gen_key targets "$targets_type"
gun=$(unique_gun "$1")

init_repo "$gun" root targets
[ ${#ROOT_KEY_ID} = 64 ] || fail "init printed no root key ID: $STDOUT"

make_manifest "$TEST_DIR/manifest.json"
assert_exit 0 ts sign "$gun" v1.0 --key "$(key_uri targets)" --manifest "$TEST_DIR/manifest.json"
assert_eq "$(printf 'v1.0\tsha256:%s\t%s' "$DIGEST" "$SIZE")" "$STDOUT" "sign output"
assert_contains "$STDERR" "signed 1 tag in $gun: targets version 2"

check_tufsign "$gun" v1.0 "$DIGEST" "$SIZE"
check_oracles "$gun" v1.0 "$DIGEST" "$SIZE"
listing=$(oracle_notary_list "$gun")
row=$(awk '$1 == "v1.0" {print $2, $3, $4}' <<<"$listing")
assert_eq "$DIGEST $SIZE targets" "$row" "notary list row"
if docker_cli_present; then
	assert_eq "$ROOT_KEY_ID" "$(oracle_docker_root_key "$gun")" "docker root key ID"
fi

# The published targets carry one signature by our key with notary's method.
targets=$(server_get "$gun" targets.json)
assert_eq "$TARGETS_KEY_ID $method" \
	"$(jq -r '.signatures[] | "\(.keyid) \(.method)"' <<<"$targets")" "targets signature"
assert_eq "$sig_len" "$(jq -r '.signatures[0].sig' <<<"$targets" | base64 -d | wc -c)" \
	"signature length"
assert_eq "$root_type" \
	"$(jq -r '.signed.keys[.signed.roles.root.keyids[0]].keytype' \
		<<<"$(server_get "$gun" root.json)" | sed 's/^ecdsa-x509$/ecdsa-p256/; s/^rsa-x509$/rsa-3072/')" \
	"root key type"

# verify fails on another digest and on a tag never signed.
assert_exit 8 ts verify "$gun" v1.0 --digest "sha256:$(printf '0%.0s' {1..64})"
assert_contains "$STDERR" "$gun:v1.0 is signed with sha256:$DIGEST, not sha256:0000"
assert_exit 8 ts verify "$gun" v9
assert_contains "$STDERR" "$gun:v9 is not signed"

# Signing the same digest again publishes nothing.
snapshot_states "$gun"
assert_exit 0 ts sign "$gun" v1.0 --key "$(key_uri targets)" --digest "sha256:$DIGEST" --size "$SIZE"
assert_contains "$STDERR" "$gun already holds tag 'v1.0' with digest sha256:$DIGEST and size $SIZE; nothing to publish"
unchanged_since "$gun" "a repeated sign"

# A second init with the same root key says so and changes nothing.
assert_exit 0 ts init "$gun" --root-key "$(key_uri root)" --targets-key "$(key_uri targets)"
assert_contains "$STDOUT" "repository $gun already exists with this root key; nothing to do"
unchanged_since "$gun" "a repeated init"

# Another root key is refused, naming both key IDs.
gen_key other-root ecdsa-p256
assert_exit 1 ts init "$gun" --root-key "$(key_uri other-root)" --targets-key "$(key_uri targets)"
assert_contains "$STDERR" "repository '$gun' already exists on the server with another root"
assert_contains "$STDERR" "$ROOT_KEY_ID"
unchanged_since "$gun" "init with another root key"
echo "PASS: $1: $gun signed and read back by tufsign, notary and docker"
