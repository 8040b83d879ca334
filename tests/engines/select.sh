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
assert_contains "$STDERR" "tufsign: 2 tokens match 'pkcs11:token=dup'; add serial= or slot-id= to the URI: token=dup;serial="
for s in $serials; do
	assert_contains "$STDERR" "token=dup;serial=$s (slot-id="
done
# The serial makes the choice.
first=$(head -n 1 <<<"$serials")
assert_exit 0 "$TUFSIGN" key list "pkcs11:token=dup;serial=$first"
assert_contains "$STDERR" "no private keys found"

# token list with a URI that matches none of the 4 tokens (sel, two dup and
# SoftHSM's free slot) fails like a missing token, and the message shows how
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
assert_contains "$STDERR" "object=twin;id=%A1, object=twin;id=%A2; add object= or id= to the URI"
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
# Eight keys on one token: the message of an ambiguous URI lists the first
# four by label and ID, counts the rest and names the fix, in full, on
# stderr and in --json.
softhsm2-util --init-token --free --label try --so-pin 12345678 --pin "$TOKEN_PIN" >/dev/null
# keygen_on TOKEN LABEL ID: makes a P-256 key pair on TOKEN of the store.
keygen_on() {
	pkcs11-tool --module "$SOFTHSM2_MODULE" --token-label "$1" --login --pin "$TOKEN_PIN" \
		--keypairgen --key-type EC:prime256v1 --label "$2" --id "$3" --usage-sign \
		>/dev/null 2>&1 || fail "cannot make key '$2' on token $1"
}
for i in 8 7 6 5 4 3 2 1; do
	keygen_on try "k$i" "0$i"
done
eight="8 private keys match 'pkcs11:token=try': object=k1;id=%01, object=k2;id=%02, object=k3;id=%03, object=k4;id=%04, and 4 more; add object= or id= to the URI; 'tufsign key list pkcs11:token=try' lists them"
assert_exit 4 "$TUFSIGN" key cert example.com/app "pkcs11:token=try"
assert_eq "tufsign: $eight" "$STDERR" "message for 8 keys"
assert_exit 4 "$TUFSIGN" --json key cert example.com/app "pkcs11:token=try"
assert_eq "$eight" "$(json_field "$STDOUT" message)" "JSON message for 8 keys"
assert_contains "$STDOUT" '"code":"TUFSIGN_ERR_AMBIGUOUS"'
assert_contains "$STDOUT" '"exit_code":4'
# The URI the fix names lists the eight keys.
assert_exit 0 "$TUFSIGN" --json key list "pkcs11:token=try"
assert_eq 8 "$(grep -o '"uri":' <<<"$STDOUT" | wc -l)" "keys listed by the fix's URI"

# Labels of 200 characters: fewer candidates fit, the count and the fix
# stay whole, and the message leaves 96 of its 767 bytes for a prefix. A
# URI with ';' is quoted in the command of the fix.
long=$(printf 'L%.0s' $(seq 200))
for i in 1 2 3; do
	keygen_on try "$long-$i" "1$i"
done
uri="pkcs11:token=try;type=private"
assert_exit 4 "$TUFSIGN" key cert example.com/app "$uri"
message=${STDERR#tufsign: }
assert_eq "11 private keys match '$uri': object=$long-1;id=%11, object=$long-2;id=%12, and 9 more; add object= or id= to the URI; 'tufsign key list \"$uri\"' lists them" \
	"$message" "message for long labels"
[ "${#message}" -le 671 ] || fail "message of ${#message} characters leaves no room for a prefix"

# Labels that take 600 characters percent-encoded: no candidate fits, so
# the message gives the count and the fix only.
softhsm2-util --init-token --free --label wide --so-pin 12345678 --pin "$TOKEN_PIN" >/dev/null
hashes=$(printf '#%.0s' $(seq 200))
for i in 1 2; do
	keygen_on wide "$hashes" "2$i"
done
assert_exit 4 "$TUFSIGN" key cert example.com/app "pkcs11:token=wide"
assert_eq "tufsign: 2 private keys match 'pkcs11:token=wide'; add object= or id= to the URI; 'tufsign key list pkcs11:token=wide' lists them" \
	"$STDERR" "message for labels too long to list"

# Six tokens with one label: four are listed, the rest counted, so the fix
# is never cut off.
for i in 1 2 3 4 5 6; do
	softhsm2-util --init-token --free --label many --so-pin 12345678 --pin "$TOKEN_PIN" \
		>/dev/null
done
assert_exit 4 "$TUFSIGN" key list "pkcs11:token=many"
assert_contains "$STDERR" "tufsign: 6 tokens match 'pkcs11:token=many'; add serial= or slot-id= to the URI: token=many;serial="
assert_eq 4 "$(grep -o 'token=many;serial=[0-9a-f]* (slot-id=[0-9]*)' <<<"$STDERR" | wc -l)" \
	"candidates listed"
assert_contains "$STDERR" "), and 2 more"
# A label with a reserved character is percent-encoded, as in a URI.
softhsm2-util --init-token --free --label "a;b" --so-pin 12345678 --pin "$TOKEN_PIN" >/dev/null
softhsm2-util --init-token --free --label "a;b" --so-pin 12345678 --pin "$TOKEN_PIN" >/dev/null
assert_exit 4 "$TUFSIGN" key list "pkcs11:token=a%3Bb"
assert_contains "$STDERR" "tufsign: 2 tokens match 'pkcs11:token=a%3Bb'; add serial= or slot-id= to the URI: token=a%3Bb;serial="

echo "PASS: select"
