#!/bin/bash
# Mechanism choice, with the fault module hiding mechanisms from SoftHSM's
# list: RSA-PSS uses CKM_SHA256_RSA_PKCS_PSS or else CKM_RSA_PKCS_PSS over a
# host SHA-256, PKCS#1 v1.5 uses CKM_SHA256_RSA_PKCS or else CKM_RSA_PKCS
# over the DigestInfo, and a missing mechanism is an error that names it,
# never a switch to another scheme.
. "$TUFSIGN_SOURCE_DIR/tests/lib/common.sh"
. "$TUFSIGN_SOURCE_DIR/tests/engines/lib.sh"

new_token mech
export TUFSIGN_PIN=$TOKEN_PIN
log=$TEST_DIR/calls.log
export TUFSIGN_FAULT_LOG=$log
wrapped="?module-path=$FAULT_MODULE"
msg=$TEST_DIR/msg
printf 'signed bytes' >"$msg"
for type in ecdsa-p256 rsa-2048 ed25519; do
	assert_exit 0 "$TUFSIGN" key generate "pkcs11:token=mech;object=$type" --type "$type"
done

sign() { # HIDDEN_MECHS SCHEME KEY [EXPECTED_EXIT]
	: >"$log"
	assert_exit "${4:-0}" env TUFSIGN_FAULT_HIDE_MECHS="$1" "$ENGINE_SIGN" -s "$2" \
		-o "$TEST_DIR/$3" "$msg" "pkcs11:token=mech;object=$3$wrapped"
}

# RSA-PSS without the hash-and-sign mechanism: CKM_RSA_PKCS_PSS, same result.
sign 0x43 rsapss rsa-2048
verify_sig rsa "$TEST_DIR/rsa-2048.0.pub.der" "$msg" "$TEST_DIR/rsa-2048.0.0.sig"
# Without either PSS mechanism: an error naming CKM_RSA_PKCS_PSS, and no
# C_Sign at all, so no PKCS#1 v1.5 signature is made in its place.
sign 0x43,0x0d rsapss rsa-2048 31
assert_contains "$STDERR" "status=TUFSIGN_ERR_MECHANISM"
assert_contains "$STDERR" "token 'mech' does not offer CKM_RSA_PKCS_PSS for signing, which key 'rsa-2048' needs"
assert_eq 0 "$(grep -c '^C_Sign' "$log" || true)" "C_Sign calls"

# PKCS#1 v1.5 (for certificates), with and without CKM_SHA256_RSA_PKCS.
openssl pkey -pubin -inform DER -in "$TEST_DIR/rsa-2048.0.pub.der" -out "$TEST_DIR/rsa.pem"
for hidden in "" 0x40; do
	sign "$hidden" rsapkcs1 rsa-2048
	openssl dgst -sha256 -verify "$TEST_DIR/rsa.pem" -signature "$TEST_DIR/rsa-2048.0.0.sig" \
		"$msg" >/dev/null || fail "PKCS#1 v1.5 signature (hidden: '$hidden') does not verify"
done
sign 0x40,0x01 rsapkcs1 rsa-2048 31
assert_contains "$STDERR" "does not offer CKM_RSA_PKCS for signing"

# ECDSA and EdDSA have a single mechanism each.
sign 0x1041 ecdsa ecdsa-p256 31
assert_contains "$STDERR" "token 'mech' does not offer CKM_ECDSA for signing, which key 'ecdsa-p256' needs"
sign 0x1057 eddsa ed25519 31
assert_contains "$STDERR" "token 'mech' does not offer CKM_EDDSA for signing, which key 'ed25519' needs"

# Key generation and token list see the same list.
assert_exit 4 env TUFSIGN_FAULT_HIDE_MECHS=0x1055 "$TUFSIGN" key generate \
	"pkcs11:token=mech;object=another$wrapped" --type ed25519
assert_contains "$STDERR" "token 'mech' does not offer CKM_EC_EDWARDS_KEY_PAIR_GEN"
assert_exit 0 env TUFSIGN_FAULT_HIDE_MECHS=0x1057,0x0d "$TUFSIGN" --json token list \
	"pkcs11:token=mech$wrapped"
assert_contains "$STDOUT" '"mechanisms":{"CKM_ECDSA":true,"CKM_RSA_PKCS_PSS":false,"CKM_EDDSA":false}'
echo "PASS: mechanisms"
