#!/bin/bash
# The SoftHSM2 fixture: a token made by softhsm-config/make-token.sh is listed
# by pkcs11-tool directly and through the p11-kit proxy, accepts its PINs,
# rejects a wrong one, and stays apart from a second token of the same test.
. "$TUFSIGN_SOURCE_DIR/tests/lib/common.sh"

require_cmd pkcs11-tool p11-kit softhsm2-util
new_token fixture-one 87654321 246810

assert_eq fixture-one "$TOKEN_LABEL" "TOKEN_LABEL"
assert_eq 246810 "$(cat "$TOKEN_PIN_FILE")" "PIN file content"
assert_eq 600 "$(stat -c %a "$TOKEN_PIN_FILE")" "PIN file mode"
assert_eq "pkcs11:token=fixture-one" "$TOKEN_URI" "TOKEN_URI"
assert_contains "$(cat "$SOFTHSM2_CONF")" "directories.tokendir = $TOKEN_DIR/tokens"

# SoftHSM2 offers the initialised token and one free slot, nothing else.
assert_exit 0 pkcs11-tool --module "$SOFTHSM2_MODULE" --list-token-slots
assert_contains "$STDOUT" "token label        : fixture-one"
assert_eq 1 "$(grep -c 'token label' <<<"$STDOUT")" "initialised tokens on the module"

# The p11-kit proxy shows the same SoftHSM2 slots and no other module's.
[ -n "$P11KIT_PROXY_MODULE" ] || skip "p11-kit-proxy.so not found"
assert_exit 0 pkcs11-tool --module "$P11KIT_PROXY_MODULE" --list-token-slots
proxy_listing=$STDOUT
assert_contains "$proxy_listing" "token label        : fixture-one"
assert_not_contains "$proxy_listing" "System Trust"
assert_eq 2 "$(grep -c '^Slot ' <<<"$proxy_listing")" "slots behind the p11-kit proxy"
assert_exit 0 p11-kit list-modules
assert_contains "$STDOUT" "token: fixture-one"

# p11-kit reads the per-user module configuration that make-token.sh writes
# only for users other than root. For such a user, p11-kit must load
# SoftHSM2 and no other module. As root, the check runs as user nobody.
module_lines() {
	p11-kit list-modules | grep -v '^[[:space:]]' || true
}
if [ "$(id -u)" != 0 ]; then
	assert_eq "softhsm2: $SOFTHSM2_MODULE" "$(module_lines)" "modules p11-kit loads"
elif command -v runuser >/dev/null && id nobody >/dev/null 2>&1; then
	shared=$TEST_DIR/shared
	mkdir -m 777 "$shared"
	chmod 711 "$TEST_DIR"
	# The clone may sit in a directory that only root can enter (CI clones
	# into a private temp dir), so nobody runs a copy of the script.
	cp -r "$TUFSIGN_SOURCE_DIR/softhsm-config" "$shared/softhsm-config"
	chmod -R a+rX "$shared/softhsm-config"
	assert_exit 0 runuser -u nobody -- "$shared/softhsm-config/make-token.sh" \
		"$shared/token" user-token 12345678 1234
	nobody_modules=$(runuser -u nobody -- bash -c \
		". '$shared/token/token.env'; $(declare -f module_lines); module_lines")
	assert_eq "softhsm2: $SOFTHSM2_MODULE" "$nobody_modules" "modules p11-kit loads for nobody"
else
	skip_at_exit "per-user p11-kit configuration not checked: runuser or user nobody missing"
fi

# PINs: the user PIN logs in, the SO PIN can set the user PIN again, a wrong
# PIN is rejected.
assert_exit 0 pkcs11-tool --module "$SOFTHSM2_MODULE" --token-label fixture-one \
	--login --pin "$TOKEN_PIN" --list-objects
assert_exit 0 pkcs11-tool --module "$SOFTHSM2_MODULE" --token-label fixture-one \
	--login --login-type so --so-pin "$TOKEN_SO_PIN" --init-pin --new-pin "$TOKEN_PIN"
assert_exit 1 pkcs11-tool --module "$SOFTHSM2_MODULE" --token-label fixture-one \
	--login --pin 000000 --list-objects
assert_contains "$STDOUT$STDERR" "CKR_PIN_INCORRECT"

# A key made on this token is invisible to the next token.
assert_exit 0 pkcs11-tool --module "$SOFTHSM2_MODULE" --token-label fixture-one \
	--login --pin "$TOKEN_PIN" --keypairgen --key-type EC:prime256v1 --label probe --id 01
first_conf=$SOFTHSM2_CONF
new_token fixture-two
assert_exit 0 pkcs11-tool --module "$SOFTHSM2_MODULE" --list-token-slots
assert_contains "$STDOUT" "token label        : fixture-two"
assert_not_contains "$STDOUT" "fixture-one"
assert_exit 0 pkcs11-tool --module "$SOFTHSM2_MODULE" --token-label fixture-two \
	--login --pin 1234 --list-objects --type privkey
assert_not_contains "$STDOUT" "probe"
assert_exit 0 env SOFTHSM2_CONF="$first_conf" pkcs11-tool --module "$SOFTHSM2_MODULE" \
	--token-label fixture-one --login --pin 246810 --list-objects --type privkey
assert_contains "$STDOUT" "label:      probe"

# make-token.sh never reuses a directory that already contains a token.
assert_exit 1 "$TUFSIGN_SOURCE_DIR/softhsm-config/make-token.sh" "$TOKEN_DIR" again 12345678 1234
assert_contains "$STDERR" "already contains a token"
assert_exit 2 "$TUFSIGN_SOURCE_DIR/softhsm-config/make-token.sh" "$TEST_DIR/x" only-label
echo "PASS: two isolated SoftHSM2 tokens"
