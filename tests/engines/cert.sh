#!/bin/bash
# key cert: the self-signed certificate of a token key for a GUN, signed on
# the token. Its key ID is the x509 key ID notary computes from the PEM, its
# canonical key ID is the plain key's, --store puts it beside the key (same
# CKA_ID and label), and the key still opens with the certificate stored.
. "$TUFSIGN_SOURCE_DIR/tests/lib/common.sh"
. "$TUFSIGN_SOURCE_DIR/tests/engines/lib.sh"

new_token cert
export TUFSIGN_PIN=$TOKEN_PIN
gun=registry.example/team/app
msg=$TEST_DIR/msg
printf 'signed bytes' >"$msg"

# key_id KEYTYPE BASE64: the TUF key ID from its definition.
key_id() {
	printf '{"keytype":"%s","keyval":{"private":null,"public":"%s"}}' "$1" "$2" |
		sha256sum | cut -c1-64
}

for type in ecdsa-p256 rsa-3072; do
	assert_exit 0 "$TUFSIGN" --json key generate "pkcs11:token=cert;object=$type" --type "$type"
	plain_id=$(json_field "$STDOUT" keyid)
	uri=$(json_field "$STDOUT" uri)
	pem=$TEST_DIR/$type.pem

	assert_exit 0 "$TUFSIGN" --json key cert "$gun" "$uri" --out "$pem" --store --days 400
	keytype=$(json_field "$STDOUT" keytype)
	assert_eq "${type%%-*}-x509" "$keytype" "keytype of the $type certificate"
	assert_eq "$(key_id "$keytype" "$(base64 -w0 "$pem")")" "$(json_field "$STDOUT" keyid)" \
		"x509 key ID of $type"
	assert_eq "$plain_id" "$(json_field "$STDOUT" canonical_keyid)" "canonical key ID of $type"

	# Notary's profile, signed by the token key and valid for 400 days.
	openssl x509 -in "$pem" -noout -subject -ext basicConstraints,extendedKeyUsage \
		>"$TEST_DIR/fields"
	assert_contains "$(cat "$TEST_DIR/fields")" "CN = $gun"
	assert_contains "$(cat "$TEST_DIR/fields")" "CA:FALSE"
	assert_contains "$(cat "$TEST_DIR/fields")" "Code Signing"
	openssl x509 -in "$pem" -noout -checkend $((399 * 86400)) >/dev/null ||
		fail "the $type certificate expires before 399 days"
	openssl verify -CAfile "$pem" -partial_chain "$pem" >/dev/null 2>&1 ||
		fail "the $type certificate's self-signature does not verify"

	# Stored beside the key: same CKA_ID, listed, and the key still opens.
	cert_id=$(p11tool --list-objects --type cert 2>/dev/null | awk -v l="$type" \
		'$1 == "label:" {label = $2} $1 == "ID:" && label == l {print $2}')
	key_id_hex=$(p11tool --list-objects --type privkey 2>/dev/null | awk -v l="$type" \
		'$1 == "label:" {label = $2} $1 == "ID:" && label == l {print $2}')
	assert_eq "$key_id_hex" "$cert_id" "CKA_ID of the stored $type certificate"
	assert_exit 0 "$TUFSIGN" --json key list "$uri"
	assert_contains "$STDOUT" '"certificate":true'
	assert_exit 0 "$ENGINE_SIGN" "$msg" "$uri"
done

# A second --store for the same key is rejected, and no file is written.
assert_exit 4 "$TUFSIGN" key cert "$gun" "pkcs11:token=cert;object=rsa-3072" --store \
	--out "$TEST_DIR/again.pem"
assert_contains "$STDERR" "key 'rsa-3072' on token 'cert' already has a certificate stored"
[ ! -e "$TEST_DIR/again.pem" ] || fail "a certificate file was written after a failed --store"

# Without --out the PEM goes to stdout; notary cannot use Ed25519 certificates.
assert_exit 0 "$TUFSIGN" key cert "$gun" "pkcs11:token=cert;object=ecdsa-p256"
assert_contains "$STDOUT" "-----BEGIN CERTIFICATE-----"
assert_exit 0 "$TUFSIGN" key generate "pkcs11:token=cert;object=ed" --type ed25519
assert_exit 1 "$TUFSIGN" key cert "$gun" "pkcs11:token=cert;object=ed"
assert_contains "$STDERR" "ECDSA or RSA"
assert_exit 2 "$TUFSIGN" key cert "$gun" "pkcs11:token=cert;object=ed" --days 0
assert_contains "$STDERR" "--days must be a whole number from 1 to 36500"
echo "PASS: cert"
