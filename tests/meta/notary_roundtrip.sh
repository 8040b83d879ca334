#!/bin/bash
# Metadata that the real notary client publishes (plain tags, names with HTML
# characters and non-ASCII, a delegation, a rotated root) must verify with
# tufsign's chain verifier from the first root and re-serialize to exactly
# the bytes the server stores.
# usage: notary_roundtrip.sh PATH_TO_meta_notary_check
. "$TUFSIGN_SOURCE_DIR/tests/lib/common.sh"

check=${1:?usage: notary_roundtrip.sh PATH_TO_meta_notary_check}
require_cmd notary curl openssl
use_notary_fixture plain

gun=$(unique_gun meta)
trust=$TEST_DIR/trust
files=$TEST_DIR/files
mkdir -p "$files"
export NOTARY_ROOT_PASSPHRASE=meta-root-pass NOTARY_TARGETS_PASSPHRASE=meta-targets-pass
export NOTARY_SNAPSHOT_PASSPHRASE=meta-snapshot-pass NOTARY_DELEGATION_PASSPHRASE=meta-delegation-pass

# The notary client writes expiry times with nanoseconds in the local time
# zone; a zone with an offset checks that tufsign keeps both.
# Standard input is $answer, empty unless a command prompts for confirmation.
answer=""
notary_client() {
	printf '%s' "$answer" | TZ=America/New_York notary -s "$NOTARY_URL" --tlscacert "$NOTARY_CA" \
		-d "$trust" "$@" >>"$TEST_DIR/notary.log" 2>&1 ||
		fail "notary $* failed: $(tail -n 5 "$TEST_DIR/notary.log")"
}

fetch() {
	curl -sS --fail --cacert "$NOTARY_CA" -o "$files/$2" "$NOTARY_URL/v2/$gun/_trust/tuf/$1" ||
		fail "cannot download $1"
}

printf 'manifest one' >"$TEST_DIR/one"
notary_client init "$gun" -p
notary_client add "$gun" latest "$TEST_DIR/one" -p
notary_client add "$gun" $'a<b&c/\xc3\xa9 \xe4\xb8\xad' "$TEST_DIR/one" -p

openssl req -x509 -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 3650 \
	-keyout "$TEST_DIR/releases.key" -out "$TEST_DIR/releases.crt" -subj "/CN=releases" 2>/dev/null
notary_client delegation add "$gun" targets/releases "$TEST_DIR/releases.crt" --all-paths -p
notary_client key import "$TEST_DIR/releases.key" --role targets/releases --gun "$gun"
notary_client add "$gun" v1 "$TEST_DIR/one" --roles targets/releases -p

answer=$'yes\n'
notary_client key rotate "$gun" root
answer=""
notary_client add "$gun" after-rotation "$TEST_DIR/one" -p

fetch 1.root.json root1
fetch 2.root.json root2
fetch root.json root
fetch timestamp.json timestamp
fetch snapshot.json snapshot
fetch targets.json targets
fetch targets/releases.json releases
cmp -s "$files/root" "$files/root2" || fail "root.json is not version 2 after the rotation"
grep -q -- '-0[45]:00"' "$files/targets" || fail "targets.json has no local time offset in expires"

out=$("$check" "$gun" "$files/root1" --root "$files/root2" --timestamp "$files/timestamp" \
	--snapshot "$files/snapshot" --targets "$files/targets" \
	--delegation "targets/releases=$files/releases") || fail "verification failed: $out"
assert_contains "$out" "chain ok root 2"
assert_contains "$out" "file root version 2"
assert_contains "$out" "target targets latest 12"
assert_contains "$out" $'target targets a<b&c/\xc3\xa9 \xe4\xb8\xad 12'
assert_contains "$out" "target targets after-rotation 12"
assert_contains "$out" "target targets/releases v1 12"

# Trusting only the first root, the rotated root file no longer matches the
# snapshot, so the walk through 2.root.json is needed.
assert_exit 1 "$check" "$gun" "$files/root1" --timestamp "$files/timestamp" \
	--snapshot "$files/snapshot"
assert_contains "$STDOUT" "error: TUFSIGN_ERR_HASH_MISMATCH role 'root'"

# A root that the old root keys did not sign is not a valid rotation.
assert_exit 1 "$check" "$gun" "$files/root2" --root "$files/root1"
assert_contains "$STDOUT" "error: TUFSIGN_ERR_ROLLBACK role 'root' path 'signed.version'"

# A changed byte in a delegation breaks its snapshot hash.
sed 's/"v1"/"v2"/' "$files/releases" >"$files/releases.bad"
assert_exit 1 "$check" "$gun" "$files/root2" --timestamp "$files/timestamp" \
	--snapshot "$files/snapshot" --targets "$files/targets" \
	--delegation "targets/releases=$files/releases.bad"
assert_contains "$STDOUT" "error: TUFSIGN_ERR_HASH_MISMATCH role 'targets/releases'"

# The wrong GUN fails the root certificate check.
assert_exit 1 "$check" "registry.example/other" "$files/root2"
assert_contains "$STDOUT" "does not match GUN"
echo "PASS: notary client metadata verifies and round-trips"
