#!/bin/bash
# Root key rotation: the new root (version + 1, signed by the old and the new
# root key) is accepted by the server, a notary client and a tufsign trust
# cache that still hold the old root walk to it, and docker shows the new
# root key ID. A root signed only by a new key is rejected.
# $1: the root_new_key_only program.
. "$TUFSIGN_SOURCE_DIR/tests/lib/common.sh"
. "$TUFSIGN_SOURCE_DIR/tests/lib/oracles.sh"
. "$TUFSIGN_SOURCE_DIR/tests/e2e/e2e.sh"

e2e_setup
gen_key root
gen_key root2
gen_key root3
gen_key root_ed ed25519
gen_key targets
gun=$(unique_gun)
init_repo "$gun" root targets
old_root_id=$ROOT_KEY_ID
make_manifest "$TEST_DIR/m1.json"
assert_exit 0 ts sign "$gun" v1 --key "$(key_uri targets)" --manifest "$TEST_DIR/m1.json"

# A notary client and a second tufsign cache that trust the old root.
notary_dir=$TEST_DIR/notary-old
mkdir -p "$notary_dir"
notary_old() {
	notary -s "$NOTARY_URL" --tlscacert "$NOTARY_CA" -d "$notary_dir" "$@" </dev/null
}
assert_exit 0 notary_old list "$gun"
assert_contains "$STDOUT" "v1 "
old_cache=$TEST_DIR/old-cache
assert_exit 0 ts -d "$old_cache" list "$gun"

# Without the old root's signature the server keeps the old root.
snapshot_states "$gun"
# Keys that cannot make a rotation are refused before anything is signed.
assert_exit 2 ts key rotate "$gun" --root-key "$(key_uri root)" --new-root-key "$(key_uri root)"
assert_contains "$STDERR" "--new-root-key is the current root key (key ID "
assert_contains "$STDERR" "); nothing to rotate"
assert_exit 2 ts key rotate "$gun" --root-key "$(key_uri root)" --new-root-key "$(key_uri root_ed)"
assert_contains "$STDERR" "the new root key is Ed25519, but notary accepts only ECDSA or RSA"
assert_exit 27 "$1" "$NOTARY_URL" "$NOTARY_CA" "$gun" "$(key_uri root3)"
assert_contains "$STDOUT" "TUFSIGN_ERR_SERVER: upload of 1 file to '$gun' failed: HTTP 400"
assert_contains "$STDOUT" "could not rotate trust to a new trusted root: failed to validate data with current trusted certificates"
unchanged_since "$gun" "an upload of a root signed only by a new key"

assert_exit 0 ts --json key rotate "$gun" --root-key "$(key_uri root)" \
	--new-root-key "$(key_uri root2)"
assert_eq "2 $old_root_id" "$(jq -r '"\(.root_version) \(.old_root_key_id)"' <<<"$STDOUT")" \
	"rotation result"
new_root_id=$(jq -r .new_root_key_id <<<"$STDOUT")
new_root_plain=$(jq -r .new_root_canonical_key_id <<<"$STDOUT")
[ "$new_root_id" != "$old_root_id" ] || fail "the root key ID did not change"
root=$(server_get "$gun" root.json)
assert_eq "2 $new_root_id" "$(jq -r '"\(.signed.version) \(.signed.roles.root.keyids | join(","))"' <<<"$root")" \
	"server root"
assert_eq "$(printf '%s\n' "$old_root_id" "$new_root_id" | sort | tr '\n' ' ')" \
	"$(jq -r '[.signatures[].keyid] | sort | join(" ")' <<<"$root") " "root signatures"
assert_eq "null" "$(jq -r --arg id "$old_root_id" '.signed.keys[$id]' <<<"$root")" \
	"old root key left root.json"
# The trust cache of this run now pins the new root.
assert_exit 0 ts --json list "$gun"
assert_eq "$new_root_id" "$(jq -r '.root_key_ids | join(",")' <<<"$STDOUT")" "pinned root after rotation"

# Clients holding the old root walk to the new one.
assert_exit 0 notary_old list "$gun"
assert_eq "v1 $DIGEST $SIZE targets" "$(awk '$1 == "v1" { print $1, $2, $3, $4 }' <<<"$STDOUT")" \
	"notary list with the old root"
assert_exit 0 ts -d "$old_cache" --json list "$gun"
assert_eq "$new_root_id v1" "$(jq -r '"\(.root_key_ids | join(",")) \(.targets[0].tag)"' <<<"$STDOUT")" \
	"tufsign list from the old cache"
check_oracles "$gun" v1 "$DIGEST" "$SIZE"
# A fresh cache pinning the old root key says how to pin the new one.
assert_exit 6 ts -d "$TEST_DIR/pin-cache" list "$gun" --root-key-id "$old_root_id"
assert_contains "$STDERR" "the server's root (version 2) of '$gun' does not list the pinned root key, but an earlier root version does: the root key was rotated since; pin $new_root_id (plain $new_root_plain)"
if docker_cli_present; then
	assert_eq "$new_root_id" "$(oracle_docker_root_key "$gun")" "docker root key"
fi

# Signing still works, and the old root key can no longer rotate.
make_manifest "$TEST_DIR/m2.json"
assert_exit 0 ts sign "$gun" v2 --key "$(key_uri targets)" --manifest "$TEST_DIR/m2.json"
check_oracles "$gun" v2 "$DIGEST" "$SIZE"
snapshot_states "$gun"
assert_exit 4 ts key rotate "$gun" --root-key "$(key_uri root)" --new-root-key "$(key_uri root3)"
assert_contains "$STDERR" "is not the root key of '$gun'"
assert_contains "$STDERR" "lists root key ID $new_root_id (canonical $new_root_plain)"
unchanged_since "$gun" "a rotation with the replaced root key"

# With the snapshot key on the token, the rotation re-signs the snapshot.
gen_key snapshot
gun2=$(unique_gun client-snapshot)
init_repo "$gun2" root targets --snapshot-key "$(key_uri snapshot)"
assert_exit 0 ts sign "$gun2" v1 --key "$(key_uri targets)" --snapshot-key "$(key_uri snapshot)" \
	--manifest "$TEST_DIR/m1.json"
snapshot_states "$gun2"
assert_exit 5 ts key rotate "$gun2" --root-key "$(key_uri root)" --new-root-key "$(key_uri root2)"
unchanged_since "$gun2" "a rotation without the snapshot key"
assert_exit 0 ts --json key rotate "$gun2" --root-key "$(key_uri root)" \
	--new-root-key "$(key_uri root2)" --snapshot-key "$(key_uri snapshot)"
assert_eq "2 3" "$(jq -r '"\(.root_version) \(.snapshot_version)"' <<<"$STDOUT")" \
	"rotation with a local snapshot"
snapshot=$(server_get "$gun2" snapshot.json)
root_hash=$(server_get "$gun2" root.json | sha256sum | cut -d' ' -f1)
assert_eq "$root_hash" "$(jq -r '.signed.meta.root.hashes.sha256' <<<"$snapshot" | base64 -d | od -An -tx1 | tr -d ' \n')" \
	"snapshot hash of the new root"
check_oracles "$gun2" v1 "$(sha256sum "$TEST_DIR/m1.json" | cut -d' ' -f1)" "$(stat -c %s "$TEST_DIR/m1.json")"
echo "PASS: root rotation of $gun and $gun2"
