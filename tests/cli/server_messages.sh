#!/bin/bash
# Messages of the commands that talk to the fixture notary-server. It
# checks the key IDs that init, key list and key cert print, and the list
# table. Tags docker cannot pull and size 0 are signed with a warning and
# exit 0. Plain HTTP sent to the TLS port gets a hint to use https://.
. "$TUFSIGN_SOURCE_DIR/tests/lib/common.sh"
. "$TUFSIGN_SOURCE_DIR/tests/lib/oracles.sh"
. "$TUFSIGN_SOURCE_DIR/tests/e2e/e2e.sh"

e2e_setup
gen_key root
gen_key targets
gun=$(unique_gun)
key=$(key_uri targets)

# init names both root key IDs and where each one appears.
assert_exit 0 ts init "$gun" --root-key "$(key_uri root)" --targets-key "$key"
root_line=$(grep "root.json, docker's Root Key" <<<"$STDOUT")
root_id=${root_line##* }
plain_line=$(grep "plain key (key list)" <<<"$STDOUT")
plain_id=${plain_line##* }
assert_exit 0 ts --json list "$gun"
listed=$(server_get "$gun" root.json | jq -r '.signed.roles.root.keyids[0]')
assert_eq "$listed" "$root_id" "root key ID init prints"
assert_exit 0 "$TUFSIGN" --json key list "$(key_uri root)"
assert_eq "$plain_id" "$(jq -r '.keys[0].keyid' <<<"$STDOUT")" "plain root key ID init prints"
assert_exit 0 "$TUFSIGN" key list "$(key_uri root)"
assert_contains "$STDOUT" "  key ID:      $plain_id (plain public key)"
# Both IDs pin the root on first use.
for id in "$root_id" "$plain_id"; do
	assert_exit 0 env TUFSIGN_TRUST_DIR="$TEST_DIR/trust-$id" "$TUFSIGN" -s "$NOTARY_URL" \
		--tls-ca "$NOTARY_CA" list "$gun" --root-key-id "$id"
done
assert_exit 0 "$TUFSIGN" key cert "$gun" "$(key_uri root)" --out "$TEST_DIR/root.pem"
assert_contains "$STDERR" "certificate key ID "
assert_contains "$STDERR" "(canonical key ID $plain_id)"
assert_not_contains "$STDERR" "$root_id" "key cert output"

# Tags docker cannot pull are signed with a warning.
make_manifest "$TEST_DIR/m.json"
digest=sha256:$DIGEST
warning="is not a valid docker tag (at most 128 letters, digits, '_', '.' and '-', not starting with '.' or '-'), so docker cannot pull it"
long=$(printf 'a%.0s' {1..129})
for tag in 'v 4' 'a/b' '.dot' 'üni' "$long" '<&>'; do
	assert_exit 0 ts sign "$gun" "$tag" --key "$key" --digest "$digest" --size "$SIZE"
	assert_eq "tufsign: warning: tag '$tag' $warning" "$(grep warning <<<"$STDERR")" "warning for '$tag'"
done
assert_exit 0 ts sign "$gun" --key "$key" --digest "$digest" --size "$SIZE" -- -lead
assert_eq "tufsign: warning: tag '-lead' $warning" "$(grep warning <<<"$STDERR")"
assert_exit 0 ts sign "$gun" app:v1 --key "$key" --digest "$digest" --size "$SIZE"
assert_eq "tufsign: warning: tag 'app:v1' $warning; did you pass IMAGE:TAG? the GUN already names the image" \
	"$(grep warning <<<"$STDERR")"
for tag in v1 1.0.0-rc_1 _x "$(printf 'a%.0s' {1..128})"; do
	assert_exit 0 ts sign "$gun" "$tag" --key "$key" --digest "$digest" --size "$SIZE"
	assert_not_contains "$STDERR" "warning" "stderr of sign '$tag'"
done

# Size 0 is legal TUF but no manifest is empty.
assert_exit 0 ts sign "$gun" empty --key "$key" --digest "$digest" --size 0
assert_eq "tufsign: warning: size 0 for tag 'empty': no image manifest is empty; give the size in bytes of the manifest the digest names" \
	"$(grep warning <<<"$STDERR")"

# Targets file entries are warned about with their line numbers.
printf '# tags\nok %s 5\n\nx:y %s 5\r\n  zero %s 0\n' "$digest" "$digest" "$digest" \
	>"$TEST_DIR/targets.txt"
assert_exit 0 ts sign "$gun" --key "$key" --targets-file "$TEST_DIR/targets.txt"
assert_eq "tufsign: warning: $TEST_DIR/targets.txt line 4: tag 'x:y' $warning; did you pass IMAGE:TAG? the GUN already names the image
tufsign: warning: $TEST_DIR/targets.txt line 5: size 0 for tag 'zero': no image manifest is empty; give the size in bytes of the manifest the digest names" \
	"$(grep warning <<<"$STDERR")"
check_oracles "$gun" v1 "$DIGEST" "$SIZE"
assert_eq "sha256:$DIGEST 0" "$(oracle_notary_lookup "$gun" zero)" "notary lookup of zero"

# The list table: TAG capped at 40 columns, the digest last.
assert_exit 0 ts list "$gun"
assert_eq "$(printf '%-40s  %12s  %-7s  %s' TAG SIZE ROLE DIGEST)" "$(head -n 1 <<<"$STDOUT")" \
	"list header"
assert_contains "$STDOUT" "$(printf '\n%-40s  %12s  %-7s  %s\n' v1 "$SIZE" targets "$digest")"
assert_contains "$STDOUT" "$(printf '\n%s  %12s  %-7s  %s\n' "$long" "$SIZE" targets "$digest")"

# Plain HTTP to the TLS port: the server's message without a stray '?'.
assert_exit 5 "$TUFSIGN" -s "http://${NOTARY_URL#https://}" --insecure-plain-http list "$gun"
assert_contains "$STDERR" "HTTP 400: Client sent an HTTP request to an HTTPS server; the server speaks HTTPS: use an https:// URL"
assert_not_contains "$STDERR" "?" "plain HTTP error"
echo "PASS: key IDs, sign warnings and server hints"
