#!/bin/bash
# Repositories made by the notary client: tufsign signs a new tag into them
# with the targets key file the client made (file engine), once with the
# snapshot key on the server and once with the client's snapshot key file,
# and the notary client (its own trust directory too) lists the tag and
# keeps publishing on top of it.
. "$TUFSIGN_SOURCE_DIR/tests/lib/common.sh"
. "$TUFSIGN_SOURCE_DIR/tests/lib/oracles.sh"
. "$TUFSIGN_SOURCE_DIR/tests/e2e/e2e.sh"

e2e_setup
trust=$TEST_DIR/notary-trust
export NOTARY_ROOT_PASSPHRASE=root-passphrase
export NOTARY_TARGETS_PASSPHRASE=targets-passphrase
export NOTARY_SNAPSHOT_PASSPHRASE=snapshot-passphrase
nc() {
	notary -s "$NOTARY_URL" --tlscacert "$NOTARY_CA" -d "$trust" "$@" </dev/null
}
printf '%s\n' "$NOTARY_TARGETS_PASSPHRASE" >"$TEST_DIR/targets.pass"
printf '%s\n' "$NOTARY_SNAPSHOT_PASSPHRASE" >"$TEST_DIR/snapshot.pass"

# key_file GUN ROLE: the notary client's private key file of ROLE for GUN.
key_file() {
	local f
	for f in "$trust"/private/*.key; do
		if grep -q "^role: $2\$" "$f" && { [ "$2" = root ] || grep -q "^gun: $1\$" "$f"; }; then
			echo "$f"
			return 0
		fi
	done
	fail "the notary client made no $2 key file for $1"
}

# publish_with_notary GUN: init and one tag by the notary client.
publish_with_notary() {
	make_manifest "$TEST_DIR/by-notary.json"
	assert_exit 0 nc init "$1" -p
	assert_exit 0 nc add "$1" by-notary "$TEST_DIR/by-notary.json" -p
}

# 1. Snapshot key handed to the server (the layout docker uses).
gun=$(unique_gun server-snapshot)
publish_with_notary "$gun"
assert_exit 0 nc key rotate "$gun" snapshot -r
targets_key=$(key_file "$gun" targets)
make_manifest "$TEST_DIR/m1.json"
assert_exit 0 ts sign "$gun" by-tufsign --key "file:$targets_key" \
	--passphrase-file "$TEST_DIR/targets.pass" --manifest "$TEST_DIR/m1.json"
assert_contains "$STDERR" "trusting the root of '$gun' on first use"
check_oracles "$gun" by-tufsign "$DIGEST" "$SIZE"
check_tufsign "$gun" by-tufsign "$DIGEST" "$SIZE"
# The notary client's own trust directory accepts the newer versions.
assert_exit 0 nc list "$gun"
assert_contains "$STDOUT" "by-tufsign"
assert_contains "$STDOUT" "by-notary"
assert_exit 0 nc add "$gun" after "$TEST_DIR/m1.json" -p
assert_exit 0 ts verify "$gun" after --digest "sha256:$DIGEST"

# A delegation published by the notary client: tufsign verifies it, lists
# its tag under its role, and keeps signing into targets beside it.
openssl req -x509 -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	-keyout "$TEST_DIR/releases.key" -out "$TEST_DIR/releases.crt" -days 3650 \
	-subj "/CN=releases" 2>/dev/null
export NOTARY_DELEGATION_PASSPHRASE=delegation-passphrase
assert_exit 0 nc delegation add "$gun" targets/releases "$TEST_DIR/releases.crt" --all-paths -p
assert_exit 0 nc key import "$TEST_DIR/releases.key" --role targets/releases --gun "$gun"
make_manifest "$TEST_DIR/released.json"
assert_exit 0 nc add "$gun" released "$TEST_DIR/released.json" --roles targets/releases -p
assert_exit 0 ts --json list "$gun"
assert_eq "sha256:$DIGEST $SIZE targets/releases" \
	"$(jq -r '.targets[] | select(.tag == "released") | "\(.digest) \(.size) \(.role)"' <<<"$STDOUT")" \
	"tufsign list row of the delegated tag"
assert_exit 0 ts verify "$gun" released --digest "sha256:$DIGEST"
assert_contains "$STDOUT" "(role targets/releases)"
# Signing the delegated tag into targets with another digest is published,
# with a warning that Docker clients keep using the delegation's entry.
make_manifest "$TEST_DIR/shadowed.json"
assert_exit 0 ts sign "$gun" released --key "file:$targets_key" \
	--passphrase-file "$TEST_DIR/targets.pass" --manifest "$TEST_DIR/shadowed.json"
assert_contains "$STDERR" "tag 'released' is also signed in targets/releases of '$gun' with another digest"
make_manifest "$TEST_DIR/beside.json"
assert_exit 0 ts sign "$gun" beside-releases --key "file:$targets_key" \
	--passphrase-file "$TEST_DIR/targets.pass" --manifest "$TEST_DIR/beside.json"
check_oracles "$gun" beside-releases "$DIGEST" "$SIZE"

# The notary client rotates the root key twice; tufsign, which pinned the
# older root, walks every root version in between and keeps signing.
pinned=$(jq -r .signed.version "$TUFSIGN_TRUST_DIR"/*/current/root.json)
for i in 1 2; do
	echo yes | notary -s "$NOTARY_URL" --tlscacert "$NOTARY_CA" -d "$trust" \
		key rotate "$gun" root >"$TEST_DIR/rotate.log" 2>&1 ||
		fail "notary key rotate root failed: $(cat "$TEST_DIR/rotate.log")"
done
current=$(server_get "$gun" root.json | jq -r .signed.version)
assert_eq $((pinned + 2)) "$current" "root version after two rotations"
make_manifest "$TEST_DIR/m-rotated.json"
assert_exit 0 ts -v sign "$gun" after-rotation --key "file:$targets_key" \
	--passphrase-file "$TEST_DIR/targets.pass" --manifest "$TEST_DIR/m-rotated.json"
assert_contains "$STDERR" "root of '$gun' changed from version $pinned to $current"
assert_contains "$STDERR" "$((pinned + 1)).root.json"
assert_eq "$current" "$(jq -r .signed.version "$TUFSIGN_TRUST_DIR"/*/current/root.json)" \
	"cached root version"
check_oracles "$gun" after-rotation "$DIGEST" "$SIZE"

# 2. Snapshot key kept by the client (notary's default): tufsign signs the
# snapshot with the client's key file. tufsign reads one passphrase for all
# key files of a run, so this repository's keys share one.
gun=$(unique_gun client-snapshot)
export NOTARY_TARGETS_PASSPHRASE=shared-passphrase NOTARY_SNAPSHOT_PASSPHRASE=shared-passphrase
publish_with_notary "$gun"
targets_key=$(key_file "$gun" targets)
snapshot_key=$(key_file "$gun" snapshot)
make_manifest "$TEST_DIR/m2.json"
snapshot_states "$gun"
assert_exit 5 env TUFSIGN_PASSPHRASE=shared-passphrase "$TUFSIGN" -s "$NOTARY_URL" \
	--tls-ca "$NOTARY_CA" sign "$gun" by-tufsign --key "file:$targets_key" \
	--manifest "$TEST_DIR/m2.json"
assert_contains "$STDERR" "pass --snapshot-key"
unchanged_since "$gun" "a sign without the client's snapshot key"
assert_exit 0 env TUFSIGN_PASSPHRASE=shared-passphrase "$TUFSIGN" -s "$NOTARY_URL" \
	--tls-ca "$NOTARY_CA" sign "$gun" by-tufsign --key "file:$targets_key" \
	--snapshot-key "file:$snapshot_key" --manifest "$TEST_DIR/m2.json"
check_oracles "$gun" by-tufsign "$DIGEST" "$SIZE"
assert_exit 0 nc list "$gun"
assert_contains "$STDOUT" "by-tufsign"
assert_exit 0 nc add "$gun" after "$TEST_DIR/m2.json" -p
assert_exit 0 ts verify "$gun" after --digest "sha256:$DIGEST"
assert_exit 0 ts verify "$gun" by-notary
echo "PASS: tufsign signed into repositories made by the notary client"
