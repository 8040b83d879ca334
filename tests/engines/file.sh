#!/bin/bash
# The file engine with the encrypted key files that the real notary client
# writes (PKCS#8 with a "role:" PEM header): the signature verifies with
# openssl and the key ID equals the name notary gives the file. Also plain
# PKCS#8 keys from openssl, and wrong or missing passphrases.
. "$TUFSIGN_SOURCE_DIR/tests/lib/common.sh"
. "$TUFSIGN_SOURCE_DIR/tests/engines/lib.sh"
require_cmd notary

trust=$TEST_DIR/trust
pass=pass-Qm31x
msg=$TEST_DIR/msg
printf '{"_type":"Targets","version":2}' >"$msg"
printf '%s\n' "$pass" >"$TEST_DIR/passphrase"

for role in root targets; do
	role_upper=$(tr a-z A-Z <<<"$role")
	env "NOTARY_${role_upper}_PASSPHRASE=$pass" notary -d "$trust" key generate ecdsa \
		--role "$role" >"$TEST_DIR/notary.out" 2>&1 || fail "notary key generate: $(cat "$TEST_DIR/notary.out")"
done
keys=("$trust"/private/*.key)
assert_eq 2 "${#keys[@]}" "key files made by notary"

for file in "${keys[@]}"; do
	name=$(basename "$file" .key)
	head -n 3 "$file" | grep -q '^role: ' || fail "$file has no role header"
	assert_exit 0 env TUFSIGN_PASSPHRASE="$pass" "$ENGINE_SIGN" -n 3 -o "$TEST_DIR/$name" "$msg" \
		"$file"
	assert_eq 3 "$(grep -c 'length 64$' <<<"$STDOUT")" "ECDSA signatures of 64 bytes"
	for i in 0 1 2; do
		verify_sig ecdsa-p256 "$TEST_DIR/$name.0.pub.der" "$msg" "$TEST_DIR/$name.0.$i.sig"
	done
	# --passphrase-file and the file: prefix work the same way.
	assert_exit 0 env -u TUFSIGN_PASSPHRASE "$ENGINE_SIGN" -P "$TEST_DIR/passphrase" "$msg" \
		"file:$file"
done

# notary names each key file by its canonical key ID: key list agrees.
assert_exit 0 env TUFSIGN_PASSPHRASE="$pass" "$TUFSIGN" --json key list "$trust"
for file in "${keys[@]}"; do
	assert_contains "$STDOUT" "\"keyid\":\"$(basename "$file" .key)\""
done

# docker trust writes the same format with "gun:" and "role:" headers.
openssl genpkey -algorithm ec -pkeyopt ec_paramgen_curve:P-256 2>/dev/null |
	openssl pkcs8 -topk8 -v2 aes-256-cbc -passout "pass:$pass" >"$TEST_DIR/plain-enc.pem"
{
	head -n 1 "$TEST_DIR/plain-enc.pem"
	printf 'gun: registry.example/team/app\nrole: targets\n\n'
	tail -n +2 "$TEST_DIR/plain-enc.pem"
} >"$TEST_DIR/docker.key"
assert_exit 0 env TUFSIGN_PASSPHRASE="$pass" "$ENGINE_SIGN" -o "$TEST_DIR/docker" "$msg" \
	"$TEST_DIR/docker.key"
verify_sig ecdsa-p256 "$TEST_DIR/docker.0.pub.der" "$msg" "$TEST_DIR/docker.0.0.sig"

# Wrong and missing passphrases.
assert_exit 23 env TUFSIGN_PASSPHRASE=not-it "$ENGINE_SIGN" "$msg" "${keys[0]}"
assert_contains "$STDERR" "status=TUFSIGN_ERR_PIN_INCORRECT"
assert_contains "$STDERR" "cannot decrypt key file '${keys[0]}': wrong passphrase"
assert_exit 22 env -u TUFSIGN_PASSPHRASE "$ENGINE_SIGN" "$msg" "${keys[0]}"
assert_contains "$STDERR" "give its passphrase with --passphrase-file or TUFSIGN_PASSPHRASE"

# Plain PKCS#8 keys from openssl: Ed25519, RSA (PSS and PKCS#1 v1.5), P-384.
openssl genpkey -algorithm ed25519 -out "$TEST_DIR/ed.pem" 2>/dev/null
openssl genpkey -algorithm rsa -pkeyopt rsa_keygen_bits:2048 -out "$TEST_DIR/rsa.pem" 2>/dev/null
openssl genpkey -algorithm ec -pkeyopt ec_paramgen_curve:P-384 -out "$TEST_DIR/p384.pem" 2>/dev/null
assert_exit 0 "$ENGINE_SIGN" -o "$TEST_DIR/ed" "$msg" "$TEST_DIR/ed.pem"
verify_sig ed25519 "$TEST_DIR/ed.0.pub.der" "$msg" "$TEST_DIR/ed.0.0.sig"
assert_exit 0 "$ENGINE_SIGN" -o "$TEST_DIR/rsa" "$msg" "$TEST_DIR/rsa.pem"
verify_sig rsa "$TEST_DIR/rsa.0.pub.der" "$msg" "$TEST_DIR/rsa.0.0.sig"
assert_exit 0 "$ENGINE_SIGN" -s rsapkcs1 -o "$TEST_DIR/pkcs1" "$msg" "$TEST_DIR/rsa.pem"
openssl pkey -pubin -inform DER -in "$TEST_DIR/pkcs1.0.pub.der" -out "$TEST_DIR/pkcs1.pub.pem"
openssl dgst -sha256 -verify "$TEST_DIR/pkcs1.pub.pem" -signature "$TEST_DIR/pkcs1.0.0.sig" \
	"$msg" >/dev/null || fail "openssl rejects the PKCS#1 v1.5 signature"
assert_exit 0 "$ENGINE_SIGN" -n 20 -o "$TEST_DIR/p384" "$msg" "$TEST_DIR/p384.pem"
assert_eq 20 "$(grep -c 'length 96$' <<<"$STDOUT")" "P-384 signatures of 96 bytes"
verify_sig ecdsa-p384 "$TEST_DIR/p384.0.pub.der" "$msg" "$TEST_DIR/p384.0.19.sig"

# A scheme that does not fit the key is rejected, not switched.
assert_exit 12 "$ENGINE_SIGN" -s eddsa "$msg" "$TEST_DIR/rsa.pem"
assert_contains "$STDERR" "is rsa and cannot make this kind of signature"
# A reference that is neither a PKCS#11 URI nor an existing file is an
# invalid value, most often a mistyped URI. A path that exists but is no
# readable key file keeps its read error.
assert_exit 12 "$ENGINE_SIGN" "$msg" "pkcs11-token=try"
assert_contains "$STDERR" "status=TUFSIGN_ERR_INVALID_ARGUMENT"
assert_contains "$STDERR" "'pkcs11-token=try' is neither a PKCS#11 URI, which starts with 'pkcs11:', nor a key file: No such file or directory"
assert_exit 2 "$TUFSIGN" key list "file:$TEST_DIR/no-dir/k.pem"
assert_eq "tufsign: 'file:$TEST_DIR/no-dir/k.pem' is neither a PKCS#11 URI, which starts with 'pkcs11:', nor a key file: No such file or directory" \
	"$STDERR"
assert_exit 13 "$ENGINE_SIGN" "$msg" "$TEST_DIR"
assert_contains "$STDERR" "status=TUFSIGN_ERR_IO"
assert_contains "$STDERR" "cannot read '$TEST_DIR': Is a directory"
echo "PASS: file"
