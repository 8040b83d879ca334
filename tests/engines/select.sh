#!/bin/bash
# Token and key selection by URI: two tokens with one label and two keys with
# one label are ambiguous and list the candidates' URIs, a missing token or
# key names the URI, a key flagged CKA_ALWAYS_AUTHENTICATE signs with a
# context-specific login per signature, and a key whose stored certificate
# contains another public key is rejected.
. "$TUFSIGN_SOURCE_DIR/tests/lib/common.sh"
. "$TUFSIGN_SOURCE_DIR/tests/engines/lib.sh"

new_token sel
export TUFSIGN_PIN=$TOKEN_PIN
msg=$TEST_DIR/msg
printf 'signed bytes' >"$msg"

# Two more tokens that share the label "dup", in the same SoftHSM store.
for i in 1 2; do
	softhsm2-util --init-token --free --label dup --so-pin 12345678 --pin "$TOKEN_PIN" \
		>/dev/null
done
assert_exit 0 "$TUFSIGN" --json token list "pkcs11:token=dup"
serials=$(grep -o '"serial":"[^"]*"' <<<"$STDOUT" | cut -d'"' -f4)
assert_eq 2 "$(wc -w <<<"$serials")" "tokens labelled dup"
assert_exit 4 "$TUFSIGN" key list "pkcs11:token=dup"
assert_contains "$STDERR" "2 tokens match 'pkcs11:token=dup': "
for s in $serials; do
	assert_contains "$STDERR" "serial=$s;token=dup"
done
assert_contains "$STDERR" "add serial= or slot-id= to the URI"
# The serial makes the choice.
first=$(head -n 1 <<<"$serials")
assert_exit 0 "$TUFSIGN" key list "pkcs11:token=dup;serial=$first"
assert_contains "$STDERR" "no private keys found"

# token list with a URI that matches none of the 4 tokens (sel, two dup and
# SoftHSM's free slot) fails like a missing token, and the message tells how
# to list them.
assert_exit 4 "$TUFSIGN" --module "$SOFTHSM2_MODULE" token list "pkcs11:token=nope"
assert_eq "tufsign: no token matches 'pkcs11:token=nope' (the module has 4 tokens; run 'tufsign token list' without a URI to see them)" \
	"$STDERR"
assert_eq "" "$STDOUT" "stdout of token list without a match"
assert_exit 4 "$TUFSIGN" --json token list "pkcs11:token=nope?module-path=$SOFTHSM2_MODULE"
assert_eq "tufsign: no token matches 'pkcs11:token=nope?module-path=$SOFTHSM2_MODULE' (the module has 4 tokens; run 'tufsign token list pkcs11:?module-path=$SOFTHSM2_MODULE' to see them)" \
	"$STDERR"
assert_contains "$STDOUT" '"code":"TUFSIGN_ERR_TOKEN_NOT_FOUND"'
assert_contains "$STDOUT" '"exit_code":4'
assert_exit 0 "$TUFSIGN" --module "$SOFTHSM2_MODULE" --json token list
assert_eq 4 "$(grep -o '"label":' <<<"$STDOUT" | wc -l)" "tokens listed without a URI"

# No such token, no such key: the message names the URI.
assert_exit 4 "$TUFSIGN" key list "pkcs11:token=nosuch"
assert_contains "$STDERR" "no token matches 'pkcs11:token=nosuch'"
assert_exit 29 "$ENGINE_SIGN" "$msg" "pkcs11:token=sel;object=nope"
assert_contains "$STDERR" "status=TUFSIGN_ERR_KEY_NOT_FOUND"
assert_contains "$STDERR" "no private key matches 'pkcs11:token=sel;object=nope' on token 'sel'"

# The module: by p11-kit name, by a path that does not exist, by a name that
# is not registered.
assert_exit 0 "$TUFSIGN" --json token list "pkcs11:token=sel?module-name=softhsm2"
assert_contains "$STDOUT" '"label":"sel"'
assert_exit 4 "$TUFSIGN" key list "pkcs11:token=sel" --module "$TEST_DIR/missing.so"
assert_contains "$STDERR" "cannot load PKCS#11 module '$TEST_DIR/missing.so'"
assert_exit 4 "$TUFSIGN" token list "pkcs11:?module-name=missing"
assert_contains "$STDERR" "no PKCS#11 module named 'missing' is registered with p11-kit"

# Two keys labelled "twin": ambiguous, with both URIs; id= picks one.
p11tool --keypairgen --key-type EC:prime256v1 --label twin --id a1 --usage-sign >/dev/null 2>&1
p11tool --keypairgen --key-type EC:prime256v1 --label twin --id a2 --usage-sign >/dev/null 2>&1
assert_exit 30 "$ENGINE_SIGN" "$msg" "pkcs11:token=sel;object=twin"
assert_contains "$STDERR" "2 private keys match 'pkcs11:token=sel;object=twin': "
assert_contains "$STDERR" "id=%A1;object=twin;type=private"
assert_contains "$STDERR" "id=%A2;object=twin;type=private"
assert_exit 0 "$ENGINE_SIGN" -o "$TEST_DIR/twin" "$msg" "pkcs11:token=sel;object=twin;id=%a2"
verify_sig ecdsa-p256 "$TEST_DIR/twin.0.pub.der" "$msg" "$TEST_DIR/twin.0.0.sig"

# A CKA_ALWAYS_AUTHENTICATE key: one user login, then a context-specific
# login (user type 2) before each of its signatures.
p11tool --keypairgen --key-type EC:prime256v1 --label always --id b1 --usage-sign \
	--always-auth >/dev/null 2>&1
log=$TEST_DIR/calls.log
assert_exit 0 env TUFSIGN_FAULT_LOG="$log" "$ENGINE_SIGN" -n 3 -o "$TEST_DIR/always" "$msg" \
	"pkcs11:token=sel;object=always?module-path=$FAULT_MODULE"
assert_eq 1 "$(grep -c '^C_Login 1$' "$log")" "user logins"
assert_eq 3 "$(grep -c '^C_Login 2$' "$log")" "context-specific logins"
for i in 0 1 2; do
	verify_sig ecdsa-p256 "$TEST_DIR/always.0.pub.der" "$msg" "$TEST_DIR/always.0.$i.sig"
done

# A certificate stored with the key's CKA_ID but for another key: rejected.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout /dev/null \
	-subj /CN=other -days 1 -outform DER -out "$TEST_DIR/other.der" 2>/dev/null
p11tool --write-object "$TEST_DIR/other.der" --type cert --id a1 --label twin >/dev/null 2>&1
assert_exit 16 "$ENGINE_SIGN" "$msg" "pkcs11:token=sel;object=twin;id=%a1"
assert_contains "$STDERR" "the certificate stored with key 'twin' on token 'sel' contains a different public key, so tufsign rejects the key"
echo "PASS: select"
