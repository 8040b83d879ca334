#!/bin/bash
# Warnings about roles that expire soon. A new repository has nothing within
# the default 180 days. A window of 4000 days makes the new root look nine
# years old. sign and list then warn about root (10 years), snapshot and
# targets (3 years each). Each warning gives the exact expiry on the server
# and the command that signs the role again. The warnings go to stderr only, so
# --json output stays valid. A window of 0 turns them off, and a malformed
# window is ignored with a warning.
. "$TUFSIGN_SOURCE_DIR/tests/lib/common.sh"
. "$TUFSIGN_SOURCE_DIR/tests/e2e/e2e.sh"

e2e_setup
gen_key root
gen_key targets
gun=$(unique_gun)
init_repo "$gun" root targets
make_manifest "$TEST_DIR/m1.json"

assert_exit 0 ts sign "$gun" v1 --key "$(key_uri targets)" --manifest "$TEST_DIR/m1.json"
assert_not_contains "$STDERR" "expires on" "sign with the default window"
assert_exit 0 ts list "$gun"
assert_not_contains "$STDERR" "expires on" "list with the default window"

# expect_warning ROLE FILE REMEDY: checks that STDERR warns that ROLE
# expires at the expiry in FILE on the server, with the whole days left.
expect_warning() {
	local expires days
	expires=$(server_get "$gun" "$2" | jq -r .signed.expires)
	days=$((($(date -d "$expires" +%s) - $(date +%s)) / 86400))
	# Shown in whole seconds, although the server writes nanoseconds.
	expires=$(date -u -d "$expires" +%Y-%m-%dT%H:%M:%SZ)
	# A day boundary may pass between tufsign's clock and this one.
	if [[ $STDERR != *"warning: '$1' of '$gun' expires on $expires (in $days days); $3"* ]]; then
		assert_contains "$STDERR" \
			"warning: '$1' of '$gun' expires on $expires (in $((days + 1)) days); $3"
	fi
}

expect_all_warnings() {
	expect_warning root root.json \
		"every 'tufsign key rotate' signs a new root that is valid for 10 years, for example 'tufsign key rotate $gun timestamp --root-key URI --server-managed'"
	expect_warning snapshot snapshot.json "publish any change, which signs a new snapshot"
	expect_warning targets targets.json \
		"sign or remove a tag with the targets key, which signs targets again"
	assert_eq 3 "$(grep -c "expires on" <<<"$STDERR")" "expiry warnings"
}

make_manifest "$TEST_DIR/m2.json"
assert_exit 0 env TUFSIGN_EXPIRY_WARNING_DAYS=4000 "$TUFSIGN" -s "$NOTARY_URL" \
	--tls-ca "$NOTARY_CA" --json sign "$gun" v2 --key "$(key_uri targets)" \
	--manifest "$TEST_DIR/m2.json"
jq -e . <<<"$STDOUT" >/dev/null || fail "sign --json printed invalid JSON: $STDOUT"
expect_all_warnings

# expected_expiring: the "expiring" array that --json output must carry, from
# the expiry of each role on the server, in whole seconds.
expected_expiring() {
	local role file expires
	for role in root snapshot targets; do
		file=$role.json
		expires=$(date -u -d "$(server_get "$gun" "$file" | jq -r .signed.expires)" \
			+%Y-%m-%dT%H:%M:%SZ)
		jq -nc --arg r "$role" --arg e "$expires" '{role: $r, expires: $e}'
	done | jq -sc .
}
assert_eq "$(expected_expiring)" "$(jq -c .expiring <<<"$STDOUT")" "expiring roles of sign --json"

assert_exit 0 env TUFSIGN_EXPIRY_WARNING_DAYS=4000 "$TUFSIGN" -s "$NOTARY_URL" \
	--tls-ca "$NOTARY_CA" list "$gun"
expect_all_warnings
assert_exit 0 env TUFSIGN_EXPIRY_WARNING_DAYS=4000 "$TUFSIGN" -s "$NOTARY_URL" \
	--tls-ca "$NOTARY_CA" --json list "$gun"
assert_eq "$(expected_expiring)" "$(jq -c .expiring <<<"$STDOUT")" "expiring roles of list --json"
assert_exit 0 ts --json list "$gun"
assert_eq "[]" "$(jq -c .expiring <<<"$STDOUT")" "expiring roles of list --json, default window"

assert_exit 0 env TUFSIGN_EXPIRY_WARNING_DAYS=0 "$TUFSIGN" -s "$NOTARY_URL" \
	--tls-ca "$NOTARY_CA" list "$gun"
assert_eq "" "$STDERR" "stderr of list with the warnings off"

# A malformed window is ignored with a warning, and the default applies.
for bad in 12x -1 36501; do
	make_manifest "$TEST_DIR/m-$bad.json"
	assert_exit 0 env TUFSIGN_EXPIRY_WARNING_DAYS=$bad "$TUFSIGN" -s "$NOTARY_URL" \
		--tls-ca "$NOTARY_CA" sign "$gun" "v-$bad" --key "$(key_uri targets)" \
		--manifest "$TEST_DIR/m-$bad.json"
	assert_contains "$STDERR" "warning: ignoring invalid TUFSIGN_EXPIRY_WARNING_DAYS '$bad': expected a whole number of days from 0 to 36500 (0 turns the warnings off); using 180 days"
	assert_not_contains "$STDERR" "expires on" "sign with the malformed window '$bad'"
	check_tufsign "$gun" "v-$bad" "$DIGEST" "$SIZE"
done
echo "PASS: expiry warnings name each role, its expiry and the remedy"
