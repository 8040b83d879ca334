#!/bin/bash
# Key generation on the token for every key type: the private key is
# sensitive, never extractable and sign-only; signatures made through the
# engine verify with openssl, and ECDSA signatures always have the fixed
# r||s width (64 bytes on P-256, 96 on P-384), so a dropped pad would show.
. "$TUFSIGN_SOURCE_DIR/tests/lib/common.sh"
. "$TUFSIGN_SOURCE_DIR/tests/engines/lib.sh"

new_token keygen
msg=$TEST_DIR/msg
printf '{"_type":"Targets","version":1}' >"$msg"

check_type() {
	local type=$1 algo=$2 bits=$3 siglen=$4 count=$5 uri keyid i
	assert_exit 0 "$TUFSIGN" --pin-file "$TOKEN_PIN_FILE" --json key generate \
		"pkcs11:token=keygen;object=k-$type" --type "$type"
	assert_eq "$algo" "$(json_field "$STDOUT" algorithm)" "algorithm of $type"
	assert_eq "$bits" "$(json_field "$STDOUT" bits)" "bits of $type"
	uri=$(json_field "$STDOUT" uri)
	assert_contains "$uri" "object=k-$type;type=private" "URI of $type"
	assert_contains "$uri" "token=keygen" "URI of $type"
	keyid=$(json_field "$STDOUT" keyid)
	[[ $keyid =~ ^[0-9a-f]{64}$ ]] || fail "key ID of $type is not 64 hex digits: '$keyid'"

	local access
	access=$(object_block "k-$type" privkey)
	assert_contains "$access" "sensitive" "access flags of $type"
	assert_contains "$access" "never extractable" "access flags of $type"
	assert_contains "$access" "Usage:      sign" "usage of $type"
	assert_not_contains "$access" "decrypt" "usage of $type"

	assert_exit 0 "$ENGINE_SIGN" -p "$TOKEN_PIN_FILE" -n "$count" -o "$TEST_DIR/$type" \
		"$msg" "$uri"
	assert_eq "$count" "$(grep -c "length $siglen\$" <<<"$STDOUT")" \
		"signatures of $siglen bytes for $type"
	for ((i = 0; i < count; i++)); do
		verify_sig "$algo" "$TEST_DIR/$type.0.pub.der" "$msg" "$TEST_DIR/$type.0.$i.sig"
	done
	assert_eq "$(expected_keyid "$algo" "$TEST_DIR/$type.0.pub.der")" "$keyid" "key ID of $type"
}

# expected_keyid ALGORITHM PUB_DER: the TUF key ID computed here from the
# definition: SHA-256 of the canonical key object, with the SPKI (or the raw
# 32-byte key for Ed25519) in base64.
expected_keyid() {
	local keytype=${1%%-*} public
	if [ "$keytype" = ed25519 ]; then
		public=$(tail -c 32 "$2" | base64 -w0)
	else
		public=$(base64 -w0 "$2")
	fi
	printf '{"keytype":"%s","keyval":{"private":null,"public":"%s"}}' "$keytype" "$public" |
		sha256sum | cut -c1-64
}

# ECDSA signatures have a zero leading byte in r or s once in 128 tries on
# average, so 200 signatures per curve exercise the padding.
check_type ecdsa-p256 ecdsa-p256 256 64 200
check_type ecdsa-p384 ecdsa-p384 384 96 200
check_type rsa-2048 rsa 2048 256 3
check_type rsa-3072 rsa 3072 384 3
check_type rsa-4096 rsa 4096 512 2
check_type ed25519 ed25519 256 64 5

# The label is taken: nothing new is made.
assert_exit 4 "$TUFSIGN" --pin-file "$TOKEN_PIN_FILE" key generate \
	"pkcs11:token=keygen;object=k-ed25519"
assert_contains "$STDERR" "token 'keygen' already has an object labelled 'k-ed25519'"
assert_eq 1 "$(p11tool --list-objects --type privkey 2>/dev/null | grep -c 'label: *k-ed25519$')" \
	"private keys labelled k-ed25519"

# Generation needs a label, and never takes a CKA_ID from the URI.
assert_exit 2 "$TUFSIGN" --pin-file "$TOKEN_PIN_FILE" key generate "pkcs11:token=keygen"
assert_contains "$STDERR" "add object=NAME to the URI"
assert_exit 2 "$TUFSIGN" --pin-file "$TOKEN_PIN_FILE" key generate \
	"pkcs11:token=keygen;object=x;id=%01"
assert_contains "$STDERR" "remove id= from the URI"
assert_exit 2 "$TUFSIGN" key generate "pkcs11:token=keygen;object=x" --type rsa-1024
assert_contains "$STDERR" "unknown key type 'rsa-1024'"

# key list shows the six keys, with the key IDs key generate printed.
assert_exit 0 "$TUFSIGN" --pin-file "$TOKEN_PIN_FILE" --json key list "pkcs11:token=keygen"
assert_eq 6 "$(grep -o '"keyid":"[0-9a-f]\{64\}"' <<<"$STDOUT" | wc -l)" "keys listed"
assert_exit 0 "$TUFSIGN" --pin-file "$TOKEN_PIN_FILE" key list "pkcs11:token=keygen;object=k-rsa-3072"
assert_contains "$STDOUT" "rsa (3072 bits)"
assert_not_contains "$STDOUT" "k-rsa-2048"
echo "PASS: keygen"
