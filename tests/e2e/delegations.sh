#!/bin/bash
# Delegations as Docker Content Trust uses them. A signer key on the token is
# added as targets/NAME and to targets/releases and signs tags into both, and
# docker trust inspect, notary list and notary delegation list show it. Then
# bad names, a wrong key for a role and the removal.
. "$TUFSIGN_SOURCE_DIR/tests/lib/common.sh"
. "$TUFSIGN_SOURCE_DIR/tests/lib/oracles.sh"
. "$TUFSIGN_SOURCE_DIR/tests/e2e/e2e.sh"

e2e_setup
gen_key root
gen_key targets
gen_key alice
gen_key bob ecdsa-p384
gun=$(unique_gun)
init_repo "$gun" root targets

# The signer key ID docker shows: the plain key of the token's public key.
assert_exit 0 "$TUFSIGN" --json key list "$(key_uri alice)"
alice_id=$(jq -r '.keys[] | select(.label == "alice") | .keyid' <<<"$STDOUT")
[ ${#alice_id} = 64 ] || fail "no key ID for alice: $STDOUT"

assert_exit 0 ts --json delegation add "$gun" alice --key "$(key_uri targets)" \
	--signer-key "$(key_uri alice)"
assert_eq "true targets/alice 2" "$(jq -r '"\(.published) \(.role) \(.targets_version)"' <<<"$STDOUT")" \
	"delegation add result"
assert_eq "ecdsa-x509 $alice_id" "$(jq -r '.keys[0] | "\(.keytype) \(.canonical_key_id)"' <<<"$STDOUT")" \
	"alice's published key"
alice_x509=$(jq -r '.keys[0].key_id' <<<"$STDOUT")
# Adding the same signer again changes nothing.
assert_exit 0 ts --json delegation add "$gun" alice --key "$(key_uri targets)" \
	--signer-key "$(key_uri alice)"
assert_eq "false 2" "$(jq -r '"\(.published) \(.targets_version)"' <<<"$STDOUT")" "repeated add"
# It names the certificate targets lists, not a freshly made one.
assert_eq "$alice_x509 $alice_id" "$(jq -r '.keys[0] | "\(.key_id) \(.canonical_key_id)"' <<<"$STDOUT")" \
	"key IDs of the repeated add"
assert_exit 0 ts delegation add "$gun" alice --key "$(key_uri targets)" \
	--signer-key "$(key_uri alice)"
assert_eq "alice	key ID $alice_x509	canonical $alice_id (docker, notary)" "$STDOUT" \
	"text of the repeated add"

assert_exit 0 ts --json delegation list "$gun"
assert_eq "targets/alice 1 [\"\"] $alice_x509 $alice_id null|targets/releases 1 [\"\"] $alice_x509 $alice_id null" \
	"$(jq -r '[.delegations[] | "\(.role) \(.threshold) \(.paths | tojson) \(.keys[0].key_id) \(.keys[0].canonical_key_id) \(.version)"] | join("|")' <<<"$STDOUT")" \
	"delegation list"
assert_exit 0 ts delegation list "$gun"
assert_eq "ROLE	THRESHOLD	PATHS	KEY IDS
targets/alice	1	\"\"	$alice_id" "$(head -2 <<<"$STDOUT")" "delegation list text"

# Sign into both roles at once, as docker trust sign does.
make_manifest "$TEST_DIR/m1.json"
assert_exit 0 ts --json sign "$gun" v1 --key "$(key_uri alice)" --role targets/releases \
	--role targets/alice --manifest "$TEST_DIR/m1.json"
assert_eq "true 1" "$(jq -r '"\(.published) \(.targets_version)"' <<<"$STDOUT")" "delegated sign"
snapshot=$(server_get "$gun" snapshot.json)
assert_eq "targets targets/alice targets/releases" \
	"$(jq -r '[.signed.meta | keys[] | select(startswith("targets"))] | join(" ")' <<<"$snapshot")" \
	"roles the server's snapshot covers"
releases=$(server_get "$gun" targets/releases.json)
assert_eq "$alice_x509" "$(jq -r '.signatures[0].keyid' <<<"$releases")" "releases signer"

assert_exit 0 ts --json list "$gun"
assert_eq "v1 sha256:$DIGEST targets/alice|v1 sha256:$DIGEST targets/releases" \
	"$(jq -r '[.targets[] | "\(.tag) \(.digest) \(.role)"] | join("|")' <<<"$STDOUT")" "tufsign list"
assert_exit 0 ts --json verify "$gun" v1 --digest "sha256:$DIGEST"
assert_eq "targets/releases" "$(jq -r .role <<<"$STDOUT")" "role verify uses"

listing=$(oracle_notary_list "$gun")
assert_contains "$listing" "v1 "
# notary lists a tag once, from the first delegation in targets' order.
assert_eq "v1 $DIGEST $SIZE targets/alice" \
	"$(awk '$1 == "v1" { print $1, $2, $3, $4 }' <<<"$listing")" "notary list row"
# notary shows the canonical key IDs of delegation keys.
deleg=$(_oracle_notary delegation list "$gun" | awk '$1 ~ /^targets\// { print $1, $2, $5, $6 }')
assert_eq "targets/alice \"\" $alice_id 1
targets/releases \"\" $alice_id 1" "$deleg" "notary delegation list"
if docker_cli_present; then
	json=$(oracle_docker_inspect "$gun")
	assert_eq "v1 $DIGEST alice" \
		"$(jq -r '.[0].SignedTags[] | "\(.SignedTag) \(.Digest) \(.Signers | join(","))"' <<<"$json")" \
		"docker signed tags"
	assert_eq "alice $alice_id" \
		"$(jq -r '.[0].Signers[] | "\(.Name) \(.Keys | map(.ID) | join(","))"' <<<"$json")" \
		"docker signers"
fi

# Only targets/releases, with a second signer limited to some tags.
assert_exit 0 ts delegation add "$gun" bob --key "$(key_uri targets)" \
	--signer-key "$(key_uri bob)" --paths v2,rc
make_manifest "$TEST_DIR/m2.json"
assert_exit 0 ts --json sign "$gun" v2 --key "$(key_uri bob)" --role targets/releases \
	--manifest "$TEST_DIR/m2.json"
assert_eq "2" "$(jq -r .targets_version <<<"$STDOUT")" "releases version after bob"
v2_digest=$DIGEST v2_size=$SIZE
assert_eq "v2 $v2_digest $v2_size targets/releases" \
	"$(oracle_notary_list "$gun" | awk '$1 == "v2" { print $1, $2, $3, $4 }')" "notary list row of v2"
assert_exit 0 ts --json delegation list "$gun"
assert_eq '["v2","rc"]' "$(jq -c '.delegations[] | select(.name == "bob") | .paths' <<<"$STDOUT")" \
	"bob's paths"
# bob may not sign outside his paths.
assert_exit 2 ts sign "$gun" v3 --key "$(key_uri bob)" --role targets/bob \
	--manifest "$TEST_DIR/m2.json"
assert_contains "$STDERR" "tag 'v3' lies outside the paths of targets/bob"
assert_contains "$STDERR" "allowed path prefixes: v2, rc"

# A signer whose public key comes from a PEM file is listed as a plain key,
# and signs with the private key file.
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$TEST_DIR/carol.pem" 2>/dev/null
openssl pkey -in "$TEST_DIR/carol.pem" -pubout -out "$TEST_DIR/carol.pub"
assert_exit 0 ts --json delegation add "$gun" carol --key "$(key_uri targets)" \
	--signer-pubkey "$TEST_DIR/carol.pub"
carol_id=$(jq -r '.keys[0].key_id' <<<"$STDOUT")
assert_eq "ecdsa $carol_id" "$(jq -r '.keys[0] | "\(.keytype) \(.canonical_key_id)"' <<<"$STDOUT")" \
	"carol's published key"
make_manifest "$TEST_DIR/m5.json"
assert_exit 0 ts sign "$gun" v5 --key "$TEST_DIR/carol.pem" --role targets/carol \
	--manifest "$TEST_DIR/m5.json"
assert_contains "$STDERR" "signed 1 tag in $gun: targets/carol version 1, snapshot "
# docker shows only tags of targets and targets/releases; notary finds v5.
assert_eq "sha256:$DIGEST $SIZE" "$(oracle_notary_lookup "$gun" v5)" "notary lookup of v5"
if docker_cli_present; then
	assert_eq "carol $carol_id" \
		"$(oracle_docker_inspect "$gun" | jq -r '.[0].Signers[] | select(.Name == "carol") | "\(.Name) \(.Keys[0].ID)"')" \
		"docker signer carol"
fi
assert_exit 0 ts remove "$gun" v5 --key "$TEST_DIR/carol.pem" --role targets/carol
assert_contains "$STDERR" "removed tag 'v5' from $gun: targets/carol version 2, snapshot "
assert_exit 0 ts delegation remove "$gun" carol --key "$(key_uri targets)"

# Wrong key for a role: the message names both key IDs.
snapshot_states "$gun"
assert_exit 4 ts sign "$gun" v9 --key "$(key_uri bob)" --role targets/alice \
	--manifest "$TEST_DIR/m2.json"
assert_contains "$STDERR" "is not a key of targets/alice in '$gun'"
assert_contains "$STDERR" "lists key ID $alice_x509 (canonical $alice_id)"
assert_exit 4 ts --json sign "$gun" v9 --key "$(key_uri bob)" --role targets/alice \
	--manifest "$TEST_DIR/m2.json"
assert_eq "TUFSIGN_ERR_KEY_NOT_FOUND targets/alice 4" \
	"$(jq -r '.error | "\(.code) \(.role) \(.exit_code)"' <<<"$STDOUT")" "JSON error of a wrong key"
unchanged_since "$gun" "a sign with the wrong delegation key"
assert_exit 2 ts sign "$gun" v9 --key "$(key_uri alice)" --role targets/carol \
	--manifest "$TEST_DIR/m2.json"
assert_contains "$STDERR" "has no delegation targets/carol"
assert_exit 2 ts --json sign "$gun" v9 --key "$(key_uri alice)" --role targets/carol \
	--manifest "$TEST_DIR/m2.json"
assert_eq "TUFSIGN_ERR_INVALID_ARGUMENT targets/carol" \
	"$(jq -r '.error | "\(.code) \(.role)"' <<<"$STDOUT")" "JSON error of a missing role"

# Bad names.
assert_exit 2 ts delegation add "$gun" releases --key "$(key_uri targets)" \
	--signer-key "$(key_uri alice)"
assert_contains "$STDERR" "invalid signer name 'releases'"
assert_exit 2 ts delegation add "$gun" Alice --key "$(key_uri targets)" \
	--signer-key "$(key_uri alice)"
assert_contains "$STDERR" "invalid signer name 'Alice'"
assert_exit 2 ts delegation add "$gun" _x --key "$(key_uri targets)" \
	--signer-key "$(key_uri alice)"
assert_contains "$STDERR" "invalid signer name '_x'"
assert_exit 2 ts delegation add "$gun" targets/dave --key "$(key_uri targets)" \
	--signer-key "$(key_uri alice)"
assert_contains "$STDERR" "give NAME without the 'targets/' prefix, such as 'dave'"
# Option values beyond the limits are usage errors, reported once.
assert_exit 2 ts delegation add "$gun" dave --key "$(key_uri targets)" \
	--signer-key "$(key_uri alice)" --paths "$(printf 'v%04d,' $(seq 1 1000))"
assert_contains "$STDERR" "the values of one option are too long"
assert_exit 2 ts sign "$gun" v3 --key "$(key_uri bob)" --manifest "$TEST_DIR/m2.json" \
	--role "$(printf 'targets/r%d,' $(seq 1 9))"
assert_eq "tufsign: invalid --role: too many values for one option; give at most 8 roles" \
	"$STDERR" "message for nine roles"
# A malformed role is rejected before the token or the server is used.
assert_exit 2 ts sign "$gun" v3 --key "pkcs11:token=no-such-token;object=x" \
	--manifest "$TEST_DIR/m2.json" --role targets/Bob
assert_contains "$STDERR" "tufsign: --role: invalid delegation name 'targets/Bob'"
assert_contains "$STDERR" "; use lower case, for example 'targets/bob'"
assert_not_contains "$STDERR" "no-such-token"
# The targets key must be the repository's.
assert_exit 4 ts delegation add "$gun" carol --key "$(key_uri alice)" \
	--signer-key "$(key_uri alice)"
assert_contains "$STDERR" "is not the targets key of '$gun'"
unchanged_since "$gun" "rejected delegation adds"

# Removal: alice's role goes, bob keeps targets/releases.
assert_exit 0 ts --json delegation remove "$gun" alice --key "$(key_uri targets)"
assert_eq "true targets/alice" "$(jq -r '"\(.published) \(.role)"' <<<"$STDOUT")" "remove result"
assert_exit 0 ts --json delegation list "$gun"
assert_eq "targets/releases|targets/bob" "$(jq -r '[.delegations[].role] | join("|")' <<<"$STDOUT")" \
	"roles after removing alice"
assert_eq 1 "$(jq -r '.delegations[] | select(.name == "releases") | .keys | length' <<<"$STDOUT")" \
	"keys of releases after removing alice"
assert_exit 2 ts delegation remove "$gun" alice --key "$(key_uri targets)"
assert_contains "$STDERR" "has no signer 'alice'"
deleg=$(_oracle_notary delegation list "$gun")
assert_not_contains "$deleg" "targets/alice"
if docker_cli_present; then
	json=$(oracle_docker_inspect "$gun")
	assert_eq "bob" "$(jq -r '[.[0].Signers[].Name] | join(",")' <<<"$json")" "docker signers after removal"
fi

# Adding alice again publishes a new certificate. Her old file, which the
# server's snapshot still lists, no longer verifies: clients ignore it, and
# her next signature replaces it with a higher version.
assert_exit 0 ts --json delegation add "$gun" alice --key "$(key_uri targets)" \
	--signer-key "$(key_uri alice)"
assert_contains "$STDERR" "ignoring targets/alice of '$gun', as clients do"
assert_exit 0 ts --json list "$gun"
assert_eq "v1 targets/releases|v2 targets/releases" \
	"$(jq -r '[.targets[] | "\(.tag) \(.role)"] | join("|")' <<<"$STDOUT")" "tags with alice's old file"
make_manifest "$TEST_DIR/m4.json"
assert_exit 0 ts --json sign "$gun" v4 --key "$(key_uri alice)" --role targets/alice,targets/releases \
	--manifest "$TEST_DIR/m4.json"
assert_eq 2 "$(jq -r .targets_version <<<"$STDOUT")" "version of alice's new file"
assert_exit 0 ts list "$gun"
assert_not_contains "$STDERR" "ignoring"
check_oracles "$gun" v4 "$DIGEST" "$SIZE"
if docker_cli_present; then
	assert_eq "alice" "$(oracle_docker_inspect "$gun" | jq -r '.[0].SignedTags[] | select(.SignedTag == "v4") | .Signers | join(",")')" \
		"docker signer of v4"
fi

# A role name longer than the error's role field (63 bytes) is still found
# and ignored when its old file fails, instead of failing the whole fetch.
long=signer-with-a-rather-long-name-that-goes-past-sixty-four-bytes
gun3=$(unique_gun long-signer)
init_repo "$gun3" root targets
assert_exit 0 ts delegation add "$gun3" "$long" --key "$(key_uri targets)" \
	--signer-key "$(key_uri alice)"
make_manifest "$TEST_DIR/m5.json"
assert_exit 0 ts sign "$gun3" v1 --key "$(key_uri alice)" --role "targets/$long" \
	--manifest "$TEST_DIR/m5.json"
assert_exit 0 ts delegation remove "$gun3" "$long" --key "$(key_uri targets)"
# The cached file of the removed role stays: its version bounds later downloads.
cached=$(find -L "$TUFSIGN_TRUST_DIR" -path '*/current/*' -name "$long.json" | wc -l)
assert_eq 1 "$cached" "cached files of targets/$long after its removal"
assert_exit 0 ts delegation add "$gun3" "$long" --key "$(key_uri targets)" \
	--signer-key "$(key_uri alice)"
assert_contains "$STDERR" "ignoring targets/$long of '$gun3', as clients do"

# With the snapshot key on the token, delegation changes re-sign the snapshot.
gen_key snapshot
gun2=$(unique_gun client-snapshot)
init_repo "$gun2" root targets --snapshot-key "$(key_uri snapshot)"
assert_exit 0 ts delegation add "$gun2" alice --key "$(key_uri targets)" \
	--signer-key "$(key_uri alice)" --snapshot-key "$(key_uri snapshot)"
make_manifest "$TEST_DIR/m3.json"
assert_exit 0 ts --json sign "$gun2" v1 --key "$(key_uri alice)" --role targets/releases,targets/alice \
	--snapshot-key "$(key_uri snapshot)" --manifest "$TEST_DIR/m3.json"
assert_eq 3 "$(jq -r .snapshot_version <<<"$STDOUT")" "snapshot version after the delegated sign"
check_oracles "$gun2" v1 "$DIGEST" "$SIZE"
echo "PASS: delegations of $gun and $gun2"
