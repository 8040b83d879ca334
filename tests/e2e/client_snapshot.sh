#!/bin/bash
# A repository whose snapshot key is on the token (init --snapshot-key): sign
# re-signs the snapshot, both oracles accept it, and a sign without the
# snapshot key is rejected by the server and changes nothing.
. "$TUFSIGN_SOURCE_DIR/tests/lib/common.sh"
. "$TUFSIGN_SOURCE_DIR/tests/lib/oracles.sh"
. "$TUFSIGN_SOURCE_DIR/tests/e2e/e2e.sh"

e2e_setup
gen_key root
gen_key targets
gen_key snapshot ecdsa-p384
gun=$(unique_gun)

init_repo "$gun" root targets --snapshot-key "$(key_uri snapshot)"
assert_eq client "$(jq -r .snapshot <<<"$STDOUT")" "snapshot holder"
snapshot_key=$(jq -r .snapshot_key_id <<<"$STDOUT")
snapshot=$(server_get "$gun" snapshot.json)
assert_eq "$snapshot_key" "$(jq -r '.signatures[0].keyid' <<<"$snapshot")" "snapshot v1 signer"
assert_eq 1 "$(jq -r .signed.version <<<"$snapshot")" "snapshot version after init"

make_manifest "$TEST_DIR/m1.json"
assert_exit 0 ts sign "$gun" latest --key "$(key_uri targets)" \
	--snapshot-key "$(key_uri snapshot)" --manifest "$TEST_DIR/m1.json"
snapshot=$(server_get "$gun" snapshot.json)
assert_eq "2 $snapshot_key" "$(jq -r '"\(.signed.version) \(.signatures[0].keyid)"' <<<"$snapshot")" \
	"snapshot after sign"
# The snapshot covers the exact targets bytes the server stores.
targets_hash=$(server_get "$gun" targets.json | sha256sum | cut -d' ' -f1)
assert_eq "$targets_hash" "$(jq -r '.signed.meta.targets.hashes.sha256' <<<"$snapshot" | base64 -d | od -An -tx1 | tr -d ' \n')" \
	"snapshot hash of targets"
check_tufsign "$gun" latest "$DIGEST" "$SIZE"
check_oracles "$gun" latest "$DIGEST" "$SIZE"

# Without the snapshot key the server cannot make a snapshot: nothing changes.
snapshot_states "$gun"
make_manifest "$TEST_DIR/m2.json"
assert_exit 5 ts sign "$gun" next --key "$(key_uri targets)" --manifest "$TEST_DIR/m2.json"
assert_contains "$STDERR" "pass --snapshot-key"
unchanged_since "$gun" "a sign without the snapshot key"

# A wrong snapshot key is refused before anything is signed.
assert_exit 4 ts sign "$gun" next --key "$(key_uri targets)" --snapshot-key "$(key_uri root)" \
	--manifest "$TEST_DIR/m2.json"
assert_contains "$STDERR" "is not the snapshot key of '$gun'"
assert_contains "$STDERR" "lists snapshot key ID $snapshot_key; use that key, or leave out --snapshot-key if the server holds it"
unchanged_since "$gun" "a sign with the wrong snapshot key"

# remove with the snapshot key
assert_exit 0 ts remove "$gun" latest --key "$(key_uri targets)" --snapshot-key "$(key_uri snapshot)"
assert_exit 8 ts verify "$gun" latest
assert_contains "$(oracle_notary_list "$gun")" "No targets present in this repository."
echo "PASS: client-held snapshot of $gun"
