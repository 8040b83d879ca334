#!/bin/bash
# Rotation of the targets, snapshot and timestamp keys. The new root lists
# the new key, and clients that pinned the old root still read every tag.
# The old targets key can no longer sign, and rejected rotations leave the
# server and the trust cache as they were.
. "$TUFSIGN_SOURCE_DIR/tests/lib/common.sh"
. "$TUFSIGN_SOURCE_DIR/tests/lib/oracles.sh"
. "$TUFSIGN_SOURCE_DIR/tests/e2e/e2e.sh"

e2e_setup
gen_key root
gen_key targets
gen_key other
gen_key alice
gen_key targets2
new_targets_id=$(awk '$1 == "keyid:" { print $2 }' <<<"$STDOUT")
gen_key targets3
targets3_id=$(awk '$1 == "keyid:" { print $2 }' <<<"$STDOUT")
gen_key snapshot
local_snapshot_id=$(awk '$1 == "keyid:" { print $2 }' <<<"$STDOUT")
gun=$(unique_gun)
init_repo "$gun" root targets
root_id=$ROOT_KEY_ID
old_targets_id=$TARGETS_KEY_ID
make_manifest "$TEST_DIR/m1.json"
digest1=$DIGEST size1=$SIZE
assert_exit 0 ts sign "$gun" v1 --key "$(key_uri targets)" --manifest "$TEST_DIR/m1.json"
assert_exit 0 ts delegation add "$gun" alice --key "$(key_uri targets)" \
	--signer-key "$(key_uri alice)"
make_manifest "$TEST_DIR/d1.json"
digest_d1=$DIGEST size_d1=$SIZE
assert_exit 0 ts sign "$gun" d1 --key "$(key_uri alice)" --role targets/releases \
	--role targets/alice --manifest "$TEST_DIR/d1.json"

# A notary client and a second tufsign cache that pinned the first root.
notary_dir=$TEST_DIR/notary-old
mkdir -p "$notary_dir"
notary_old() {
	notary -s "$NOTARY_URL" --tlscacert "$NOTARY_CA" -d "$notary_dir" "$@" </dev/null
}
assert_exit 0 notary_old list "$gun"
assert_contains "$STDOUT" "v1 "
old_cache=$TEST_DIR/old-cache
assert_exit 0 ts -d "$old_cache" list "$gun"

# root_field [JQ_ARGS...] FILTER: prints a value of the server's root.json.
root_field() {
	server_get "$gun" root.json | jq -r "$@"
}

# server_key_id ROLE: the canonical key ID of the key GET ROLE.key returns.
server_key_id() {
	curl -sf --cacert "$NOTARY_CA" "$NOTARY_URL/v2/$gun/_trust/tuf/$1.key" | jq -cS . |
		tr -d '\n' | sha256sum | cut -d' ' -f1
}

# Wrong combinations are usage errors that name the option and the fix.
snapshot_states "$gun"
usage_case() {
	local message=$1
	shift
	assert_exit 2 ts key rotate "$gun" "$@"
	assert_eq "tufsign: key rotate: $message" "$(head -n1 <<<"$STDERR")" "usage error of $*"
}
usage_case "invalid role 'releases'; use root, targets, snapshot or timestamp" \
	releases --root-key "$(key_uri root)"
usage_case "give the new targets key with --new-targets-key URI" \
	targets --root-key "$(key_uri root)"
usage_case "give the current root key with --root-key URI; it signs the new root" \
	targets --new-targets-key "$(key_uri targets2)"
usage_case "--server-managed does not apply to a targets rotation; only the snapshot and timestamp keys can be held by the server" \
	targets --root-key "$(key_uri root)" --new-targets-key "$(key_uri targets2)" --server-managed
usage_case "--new-root-key does not apply to a targets rotation; rotate the root key with 'key rotate GUN root'" \
	targets --root-key "$(key_uri root)" --new-root-key "$(key_uri other)"
usage_case "--new-targets-key does not apply to a root rotation; rotate the targets key with 'key rotate GUN targets'" \
	--root-key "$(key_uri root)" --new-root-key "$(key_uri other)" --new-targets-key "$(key_uri targets2)"
usage_case "give --server-managed, because the server always creates and holds the timestamp key" \
	timestamp --root-key "$(key_uri root)"
usage_case "--new-snapshot-key does not apply to a timestamp rotation; rotate the snapshot key with 'key rotate GUN snapshot'" \
	timestamp --root-key "$(key_uri root)" --server-managed --new-snapshot-key "$(key_uri snapshot)"
usage_case "give either --server-managed (the server creates and holds the new snapshot key) or --new-snapshot-key URI (a key on the token signs the snapshot)" \
	snapshot --root-key "$(key_uri root)"
usage_case "give either --server-managed (the server creates and holds the new snapshot key) or --new-snapshot-key URI (a key on the token signs the snapshot), not both" \
	snapshot --root-key "$(key_uri root)" --server-managed --new-snapshot-key "$(key_uri snapshot)"
usage_case "--snapshot-key does not apply to a snapshot rotation; give the new snapshot key, which signs the snapshot, with --new-snapshot-key URI" \
	snapshot --root-key "$(key_uri root)" --server-managed --snapshot-key "$(key_uri snapshot)"
unchanged_since "$gun" "the usage errors"

# A rotation signed with a key that is not the root key is rejected before
# anything is uploaded or requested from the server.
old_timestamp_key=$(server_key_id timestamp)
assert_exit 4 ts key rotate "$gun" targets --root-key "$(key_uri other)" \
	--new-targets-key "$(key_uri targets2)"
assert_contains "$STDERR" "is not the root key of '$gun': root version 1 lists root key ID $root_id"
unchanged_since "$gun" "a targets rotation with the wrong root key"
assert_exit 4 ts key rotate "$gun" timestamp --root-key "$(key_uri other)" --server-managed
assert_contains "$STDERR" "is not the root key of '$gun'"
unchanged_since "$gun" "a timestamp rotation with the wrong root key"
assert_eq "$old_timestamp_key" "$(server_key_id timestamp)" "server timestamp key after the rejection"

# The root key as the new targets or snapshot key would put the offline key
# into every release: rejected before anything is uploaded.
for role in targets snapshot; do
	assert_exit 2 ts key rotate "$gun" "$role" --root-key "$(key_uri root)" \
		"--new-$role-key" "$(key_uri root)"
	assert_eq "tufsign: the new $role key '$(key_uri root)' is a root key of '$gun'; the root key signs only root and should stay offline, so generate a separate $role key for the role" \
		"$STDERR" "rotation of $role to the root key"
	unchanged_since "$gun" "a $role rotation to the root key"
done

# Targets rotation: root 2 lists only the new key, targets 4 is signed by it.
targets_before=$(server_get "$gun" targets.json)
alice_before=$(server_get "$gun" targets/alice.json | sha256sum)
releases_before=$(server_get "$gun" targets/releases.json | sha256sum)
assert_exit 0 ts --json key rotate "$gun" targets --root-key "$(key_uri root)" \
	--new-targets-key "$(key_uri targets2)"
assert_eq "targets true 2 4 false $old_targets_id $new_targets_id" \
	"$(jq -r '"\(.role) \(.rotated) \(.root_version) \(.targets_version) \(.server_managed) \(.old_key_id) \(.new_key_id)"' <<<"$STDOUT")" \
	"targets rotation result"
assert_eq "2 $new_targets_id $root_id null" \
	"$(root_field --arg old "$old_targets_id" '"\(.signed.version) \(.signed.roles.targets.keyids | join(",")) \([.signatures[].keyid] | join(",")) \(.signed.keys[$old])"')" \
	"server root after the targets rotation"
targets_after=$(server_get "$gun" targets.json)
assert_eq "4 $new_targets_id" "$(jq -r '"\(.signed.version) \([.signatures[].keyid] | join(","))"' <<<"$targets_after")" \
	"server targets after the rotation"
assert_eq "$(jq -cS '.signed.delegations, .signed.targets' <<<"$targets_before")" \
	"$(jq -cS '.signed.delegations, .signed.targets' <<<"$targets_after")" "targets and delegations kept"
assert_eq "$alice_before" "$(server_get "$gun" targets/alice.json | sha256sum)" "targets/alice file kept"
assert_eq "$releases_before" "$(server_get "$gun" targets/releases.json | sha256sum)" \
	"targets/releases file kept"

# Running it again changes nothing.
snapshot_states "$gun"
assert_exit 0 ts key rotate "$gun" targets --root-key "$(key_uri root)" \
	--new-targets-key "$(key_uri targets2)"
assert_eq "$new_targets_id" "$STDOUT" "stdout of a repeated targets rotation"
assert_eq "the targets key of $gun is already key ID $new_targets_id; nothing changed" \
	"$STDERR" "stderr of a repeated targets rotation"
unchanged_since "$gun" "a repeated targets rotation"

# The old targets key can no longer sign; the new one can.
make_manifest "$TEST_DIR/m2.json"
digest2=$DIGEST size2=$SIZE
assert_exit 4 ts sign "$gun" v2 --key "$(key_uri targets)" --manifest "$TEST_DIR/m2.json"
assert_eq "tufsign: key '$(key_uri targets)' (key ID $old_targets_id) is not the targets key of '$gun': root version 2 lists targets key ID $new_targets_id; use that key" \
	"$STDERR" "sign with the old targets key"
unchanged_since "$gun" "a sign with the old targets key"
assert_exit 0 ts sign "$gun" v2 --key "$(key_uri targets2)" --manifest "$TEST_DIR/m2.json"

# Clients that pinned root 1 walk to root 2 and list the old and new tags.
assert_exit 0 notary_old list "$gun"
# d1 is in both delegations, so only its digest and size are compared.
assert_eq "d1 $digest_d1 $size_d1
v1 $digest1 $size1 targets
v2 $digest2 $size2 targets" \
	"$(awk '$1 == "d1" { print $1, $2, $3 } $1 ~ /^v[12]$/ { print $1, $2, $3, $4 }' <<<"$STDOUT" | sort)" \
	"notary list with the first root after the targets rotation"
assert_exit 0 ts -d "$old_cache" --json list "$gun"
assert_eq "d1 sha256:$digest_d1 targets/releases
v1 sha256:$digest1 targets
v2 sha256:$digest2 targets" "$(jq -r '.targets[] | "\(.tag) \(.digest) \(.role)"' <<<"$STDOUT" | sort -u | grep -v 'targets/alice')" \
	"tufsign list from the old cache"
check_oracles "$gun" v1 "$digest1" "$size1"
if docker_cli_present; then
	inspect=$(oracle_docker_inspect "$gun")
	assert_eq "$new_targets_id" \
		"$(jq -r '.[0].AdministrativeKeys[] | select(.Name == "Repository") | .Keys | map(.ID) | join(",")' <<<"$inspect")" \
		"docker Repository key"
	assert_eq "$digest1" "$(jq -r '.[0].SignedTags[] | select(.SignedTag == "v1") | .Digest' <<<"$inspect")" \
		"docker digest of v1"
fi

# Server-managed snapshot and timestamp rotation: the server's new key
# replaces the old one in root 3 and root 4.
rotate_server_key() {
	local role=$1 version=$2 old new
	old=$(root_field ".signed.roles.$role.keyids[0]")
	assert_exit 0 ts --json key rotate "$gun" "$role" --root-key "$(key_uri root)" --server-managed
	new=$(jq -r .new_key_id <<<"$STDOUT")
	assert_eq "$role true $version null true $old" \
		"$(jq -r '"\(.role) \(.rotated) \(.root_version) \(.targets_version) \(.server_managed) \(.old_key_id)"' <<<"$STDOUT")" \
		"$role rotation result"
	[ "$new" != "$old" ] || fail "the $role key ID did not change: $new"
	assert_eq "$version $new null" \
		"$(root_field --arg old "$old" '"\(.signed.version) \(.signed.roles.'"$role"'.keyids | join(",")) \(.signed.keys[$old])"')" \
		"server root after the $role rotation"
	assert_eq "$new" "$(server_key_id "$role")" "key ID of the server's $role key"
	assert_eq "$new" "$(server_get "$gun" "$role.json" | jq -r '[.signatures[].keyid] | join(",")')" \
		"signer of the server's $role"
	assert_exit 0 notary_old list "$gun"
	assert_eq "v1 $digest1 $size1 targets" "$(awk '$1 == "v1" { print $1, $2, $3, $4 }' <<<"$STDOUT")" \
		"notary list with the first root after the $role rotation"
}
rotate_server_key snapshot 3
rotate_server_key timestamp 4
make_manifest "$TEST_DIR/m3.json"
assert_exit 0 ts sign "$gun" v3 --key "$(key_uri targets2)" --manifest "$TEST_DIR/m3.json"
check_oracles "$gun" v3 "$DIGEST" "$SIZE"
assert_exit 0 ts -d "$old_cache" list "$gun"
assert_contains "$STDOUT" "v3"

# Moving the snapshot key to the token: root 5 lists it and the snapshot is
# signed locally from then on.
assert_exit 0 ts --json key rotate "$gun" snapshot --root-key "$(key_uri root)" \
	--new-snapshot-key "$(key_uri snapshot)"
assert_eq "snapshot true 5 false $local_snapshot_id" \
	"$(jq -r '"\(.role) \(.rotated) \(.root_version) \(.server_managed) \(.new_key_id)"' <<<"$STDOUT")" \
	"snapshot rotation to the token"
assert_eq "$local_snapshot_id" "$(server_get "$gun" snapshot.json | jq -r '[.signatures[].keyid] | join(",")')" \
	"signer of the uploaded snapshot"
make_manifest "$TEST_DIR/m4.json"
snapshot_states "$gun"
assert_exit 5 ts sign "$gun" v4 --key "$(key_uri targets2)" --manifest "$TEST_DIR/m4.json"
unchanged_since "$gun" "a sign without the snapshot key"
assert_exit 0 ts sign "$gun" v4 --key "$(key_uri targets2)" --snapshot-key "$(key_uri snapshot)" \
	--manifest "$TEST_DIR/m4.json"
check_oracles "$gun" v4 "$DIGEST" "$SIZE"
assert_exit 0 notary_old list "$gun"
assert_contains "$STDOUT" "v4 "

# With the snapshot on the token, each rotation uploads a snapshot signed by
# --snapshot-key; without it the server rejects the new root.
# The server created a key for that rotation, but keeps serving the one
# root lists.
snapshot_states "$gun"
timestamp_key=$(server_key_id timestamp)
assert_exit 5 ts key rotate "$gun" timestamp --root-key "$(key_uri root)" --server-managed
assert_contains "$STDERR" "tufsign: the server rejected the upload (if the repository's snapshot key is not held by the server, pass --snapshot-key): "
assert_contains "$STDERR" "server does not hold current snapshot key"
unchanged_since "$gun" "a timestamp rotation without the local snapshot key"
assert_eq "$timestamp_key" "$(server_key_id timestamp)" "server timestamp key after the rejection"
assert_exit 0 ts --json key rotate "$gun" timestamp --root-key "$(key_uri root)" \
	--server-managed --snapshot-key "$(key_uri snapshot)"
assert_eq "6 $(server_key_id timestamp)" "$(jq -r '"\(.root_version) \(.new_key_id)"' <<<"$STDOUT")" \
	"timestamp rotation with a local snapshot"
assert_exit 0 ts --json key rotate "$gun" targets --root-key "$(key_uri root)" \
	--new-targets-key "$(key_uri targets3)" --snapshot-key "$(key_uri snapshot)"
assert_eq "7 8 $targets3_id" \
	"$(jq -r '"\(.root_version) \(.targets_version) \(.new_key_id)"' <<<"$STDOUT")" \
	"targets rotation with a local snapshot"
snapshot=$(server_get "$gun" snapshot.json)
assert_eq "$local_snapshot_id" "$(jq -r '[.signatures[].keyid] | join(",")' <<<"$snapshot")" \
	"signer of the snapshot after the targets rotation"
assert_eq "$(server_get "$gun" targets.json | sha256sum | cut -d' ' -f1)" \
	"$(jq -r '.signed.meta.targets.hashes.sha256' <<<"$snapshot" | base64 -d | od -An -tx1 | tr -d ' \n')" \
	"snapshot hash of the re-signed targets"
assert_exit 0 notary_old list "$gun"
assert_eq "v1 $digest1 $size1 targets" "$(awk '$1 == "v1" { print $1, $2, $3, $4 }' <<<"$STDOUT")" \
	"notary list with the first root after root 7"

# Back to a server-managed snapshot key: root 8 lists the server's new key,
# the server signs the snapshot again, and sign needs no --snapshot-key.
assert_exit 0 ts --json key rotate "$gun" snapshot --root-key "$(key_uri root)" --server-managed
assert_eq "8 $local_snapshot_id $(server_key_id snapshot)" \
	"$(jq -r '"\(.root_version) \(.old_key_id) \(.new_key_id)"' <<<"$STDOUT")" \
	"snapshot rotation back to the server"
assert_eq "$(server_key_id snapshot)" \
	"$(server_get "$gun" snapshot.json | jq -r '[.signatures[].keyid] | join(",")')" \
	"signer of the server's snapshot after root 8"
make_manifest "$TEST_DIR/m5.json"
assert_exit 0 ts sign "$gun" v5 --key "$(key_uri targets3)" --manifest "$TEST_DIR/m5.json"
check_oracles "$gun" v5 "$DIGEST" "$SIZE"
echo "PASS: targets, snapshot and timestamp rotation of $gun"
