#!/bin/bash
# Token auth through the fixtures' token server in front of notary-server:
# init and sign with credentials from --username with TUFSIGN_PASSWORD or
# --password-file, from NOTARY_AUTH and from the docker config file; reads
# need no credentials; a wrong password, a pull-only user and no
# credentials each fail with the network exit code and change nothing.
. "$TUFSIGN_SOURCE_DIR/tests/lib/common.sh"
. "$TUFSIGN_SOURCE_DIR/tests/lib/oracles.sh"
. "$TUFSIGN_SOURCE_DIR/tests/e2e/e2e.sh"

e2e_setup token
gen_key root
gen_key targets
gun=$(unique_gun)
key=$(key_uri targets)
user=$NOTARY_AUTH_USER
password=$NOTARY_AUTH_PASSWORD

# No credentials: the server's token service refuses the push scope.
assert_exit 5 ts init "$gun" --root-key "$(key_uri root)" --targets-key "$key"
assert_eq "" "$(server_get "$gun" root.json)" "root.json after a refused init"

# Wrong password: refused, nothing published.
assert_exit 5 env TUFSIGN_PASSWORD=wrong-password "$TUFSIGN" -s "$NOTARY_URL" \
	--tls-ca "$NOTARY_CA" --username "$user" init "$gun" --root-key "$(key_uri root)" \
	--targets-key "$key"
assert_contains "$STDERR" "$user"
assert_eq "" "$(server_get "$gun" root.json)" "root.json after a wrong password"

# A user without a password, a password file without a user and an empty
# password file are input errors found before the token is used.
assert_exit 2 env -u TUFSIGN_PASSWORD "$TUFSIGN" -s "$NOTARY_URL" --tls-ca "$NOTARY_CA" \
	--username "$user" init "$gun" --root-key "$(key_uri root)" --targets-key "$key"
assert_eq "tufsign: init: --username '$user' needs a password; set TUFSIGN_PASSWORD or give --password-file FILE" \
	"$(head -n 1 <<<"$STDERR")" "message for a user without a password"
printf '%s\n' "$password" >"$TEST_DIR/pw-only"
assert_exit 2 ts --password-file "$TEST_DIR/pw-only" init "$gun" --root-key "$(key_uri root)" \
	--targets-key "$key"
assert_eq "tufsign: init: --password-file needs --username, the user whose password the file holds" \
	"$(head -n 1 <<<"$STDERR")" "message for a password file without a user"
printf '\nsecond line\n' >"$TEST_DIR/pw-empty"
assert_exit 2 ts --username "$user" --password-file "$TEST_DIR/pw-empty" init "$gun" \
	--root-key "$(key_uri root)" --targets-key "$key"
assert_eq "tufsign: --password-file '$TEST_DIR/pw-empty' has an empty first line; write the password on its first line" \
	"$STDERR" "message for an empty password file"
assert_eq "" "$(server_get "$gun" root.json)" "root.json after the refused credentials"

# --username with TUFSIGN_PASSWORD
assert_exit 0 env TUFSIGN_PASSWORD="$password" "$TUFSIGN" -s "$NOTARY_URL" \
	--tls-ca "$NOTARY_CA" --username "$user" init "$gun" --root-key "$(key_uri root)" \
	--targets-key "$key"
[ -n "$(server_get "$gun" root.json)" ] || fail "no root.json readable after init"

# A password in the environment without --username is not used, and a
# warning reports that.
assert_exit 0 env TUFSIGN_PASSWORD="$password" "$TUFSIGN" -s "$NOTARY_URL" \
	--tls-ca "$NOTARY_CA" list "$gun"
assert_eq "tufsign: warning: TUFSIGN_PASSWORD is set but --username is not given, so the password is not used" \
	"$(head -n 1 <<<"$STDERR")" "warning for a password without a user"

# --password-file
printf '%s\n' "$password" >"$TEST_DIR/password"
make_manifest "$TEST_DIR/m1.json"
assert_exit 0 ts --username "$user" --password-file "$TEST_DIR/password" \
	sign "$gun" v1 --key "$key" --manifest "$TEST_DIR/m1.json"
check_oracles "$gun" v1 "$DIGEST" "$SIZE"

# Reads are anonymous.
check_tufsign "$gun" v1 "$DIGEST" "$SIZE"

# NOTARY_AUTH
make_manifest "$TEST_DIR/m2.json"
assert_exit 0 env NOTARY_AUTH="$(printf '%s:%s' "$user" "$password" | base64 -w0)" \
	"$TUFSIGN" -s "$NOTARY_URL" --tls-ca "$NOTARY_CA" sign "$gun" v2 --key "$key" \
	--manifest "$TEST_DIR/m2.json"
check_oracles "$gun" v2 "$DIGEST" "$SIZE"

# The docker config file, keyed by the registry host of the GUN.
mkdir -p "$TEST_DIR/docker-config"
printf '{"auths": {"%s": {"auth": "%s"}}}\n' "${gun%%/*}" \
	"$(printf '%s:%s' "$user" "$password" | base64 -w0)" >"$TEST_DIR/docker-config/config.json"
make_manifest "$TEST_DIR/m3.json"
assert_exit 0 env DOCKER_CONFIG="$TEST_DIR/docker-config" "$TUFSIGN" -s "$NOTARY_URL" \
	--tls-ca "$NOTARY_CA" sign "$gun" v3 --key "$key" --manifest "$TEST_DIR/m3.json"
check_oracles "$gun" v3 "$DIGEST" "$SIZE"

# A pull-only user and a wrong password cannot publish; nothing changes.
snapshot_states "$gun"
make_manifest "$TEST_DIR/m4.json"
assert_exit 5 env TUFSIGN_PASSWORD="$NOTARY_READER_PASSWORD" "$TUFSIGN" -s "$NOTARY_URL" \
	--tls-ca "$NOTARY_CA" --username "$NOTARY_READER_USER" sign "$gun" v4 --key "$key" \
	--manifest "$TEST_DIR/m4.json"
unchanged_since "$gun" "a sign by a pull-only user"
# The push check comes before the first signature, so the message reports
# that nothing was signed.
assert_exit 5 env TUFSIGN_PASSWORD="$NOTARY_READER_PASSWORD" "$TUFSIGN" \
	-s "$NOTARY_URL" --tls-ca "$NOTARY_CA" --username "$NOTARY_READER_USER" sign "$gun" v4 \
	--key "$key" --manifest "$TEST_DIR/m4.json"
assert_eq "tufsign: the token service '$NOTARY_TOKEN_REALM' grants user '$NOTARY_READER_USER' no push access to '$gun', so nothing was signed; use the credentials of a user who may push to this repository" \
	"$STDERR" "message for a sign by a pull-only user"
assert_exit 5 "$TUFSIGN" -s "$NOTARY_URL" --tls-ca "$NOTARY_CA" remove "$gun" v3 --key "$key"
assert_contains "$STDERR" "tufsign: the token service '$NOTARY_TOKEN_REALM' grants user 'anonymous' no push access to '$gun', so nothing was signed; "
unchanged_since "$gun" "signs without push access"
assert_exit 5 env TUFSIGN_PASSWORD=wrong-password "$TUFSIGN" -s "$NOTARY_URL" \
	--tls-ca "$NOTARY_CA" --username "$user" sign "$gun" v4 --key "$key" \
	--manifest "$TEST_DIR/m4.json"
assert_contains "$STDERR" "$user"
unchanged_since "$gun" "a sign with a wrong password"
assert_exit 8 ts verify "$gun" v4
echo "PASS: token auth for $gun"
