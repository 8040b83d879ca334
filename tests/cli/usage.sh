#!/bin/bash
# Usage errors and help of the tufsign command, none of which reach a
# server: command groups without a subcommand, per-command help, a bad
# option between operands, unreadable input files, an empty TUFSIGN_PIN and
# an unknown TUFSIGN_DEBUG component; the usage lines of the helper scripts.
. "$TUFSIGN_SOURCE_DIR/tests/lib/common.sh"

new_token cli-usage 12345678 1234
unset TUFSIGN_PIN TUFSIGN_SERVER DOCKER_CONTENT_TRUST_SERVER TUFSIGN_DEBUG
export TUFSIGN_TRUST_DIR=$TEST_DIR/trust
# Nothing listens here; every check below must fail before any connection.
server=https://127.0.0.1:$(free_port)
gun=registry.example/cli/app
digest=sha256:$(printf '%064d' 0)

# Command groups name their subcommands, taken from the command table.
assert_exit 2 "$TUFSIGN" key
assert_eq "tufsign: 'key' needs a subcommand: generate, list, cert, rotate" "$STDERR"
assert_exit 2 "$TUFSIGN" token lst
assert_eq "tufsign: 'token lst' is not a command; 'token' needs a subcommand: list" "$STDERR"
assert_exit 2 "$TUFSIGN" delegation
assert_eq "tufsign: 'delegation' needs a subcommand: add, list, remove" "$STDERR"
assert_exit 2 "$TUFSIGN" -v key
assert_eq "tufsign: 'key' needs a subcommand: generate, list, cert, rotate" "$STDERR"
assert_exit 0 "$TUFSIGN" key --help
assert_contains "$STDOUT" "usage: tufsign key SUBCOMMAND [options] [operands]"
assert_contains "$STDOUT" "  generate         Generate a key pair on the token"
assert_contains "$STDOUT" "  cert             "
assert_eq "" "$STDERR" "stderr of key --help"
assert_exit 0 "$TUFSIGN" token --help
assert_contains "$STDOUT" "  list             "
assert_exit 2 "$TUFSIGN" tokens
assert_eq "tufsign: unknown command 'tokens'; run 'tufsign --help' for the list" "$STDERR"

# A command's help lists its own options and points to the global ones.
assert_exit 0 "$TUFSIGN" list --help
assert_contains "$STDOUT" "--root-key-id ID"
assert_not_contains "$STDOUT" "--pin-file" "list --help"
assert_eq "Global options: see 'tufsign --help'." "$(tail -n 1 <<<"$STDOUT")" "last line of list --help"
assert_exit 0 "$TUFSIGN" sign --help
assert_contains "$STDOUT" "--targets-file FILE"
assert_not_contains "$STDOUT" "--tls-ca" "sign --help"
assert_exit 0 "$TUFSIGN" --help
for option in --server --trust-dir --tls-ca --tls-cert --tls-key --insecure-plain-http \
	--username --password-file --module --pin-file --passphrase-file --json --verbose --quiet; do
	assert_contains "$STDOUT" "$option" "tufsign --help"
done

# A bad option names itself, not the operand before it, and says how to
# give an operand that starts with '-'.
assert_exit 2 "$TUFSIGN" -s "$server" sign "$gun" -lead --key k --digest "$digest" --size 1
assert_eq "tufsign: sign: invalid or incomplete option '-lead'; see 'tufsign sign --help'" \
	"$(head -n 1 <<<"$STDERR")"
assert_eq "tufsign: an operand that starts with '-' goes after '--', which ends the options: tufsign sign ... -- -lead" \
	"$(sed -n 2p <<<"$STDERR")"
assert_exit 2 "$TUFSIGN" list "$gun" --bogus
assert_eq "tufsign: list: invalid or incomplete option '--bogus'; see 'tufsign list --help'" "$STDERR"
assert_exit 2 "$TUFSIGN" list "$gun" -s
assert_eq "tufsign: list: invalid or incomplete option '-s'; see 'tufsign list --help'" "$STDERR"
# After '--' every argument is an operand, options included.
assert_exit 2 "$TUFSIGN" -s "$server" list -- "$gun" --json
assert_contains "$STDERR" "tufsign: list: expected GUN"
assert_exit 2 "$TUFSIGN" -s "$server" sign "$gun" --
assert_contains "$STDERR" "tufsign: sign: missing --key URI"

# Files named on the command line are checked before any token or network
# use; the message names the option.
missing=$TEST_DIR/missing.pem
for option in tls-ca tls-cert tls-key password-file root-cert; do
	assert_exit 2 "$TUFSIGN" -s "$server" list "$gun" "--$option" "$missing"
	assert_eq "tufsign: cannot read --$option '$missing': No such file or directory" "$STDERR"
done
assert_exit 2 "$TUFSIGN" -s "$server" --passphrase-file "$missing" sign "$gun" v1 \
	--key "$TEST_DIR/key.pem" --digest "$digest" --size 1
assert_eq "tufsign: cannot read --passphrase-file '$missing': No such file or directory" "$STDERR"
assert_exit 2 "$TUFSIGN" -s "$server" sign "$gun" v1 --key "$TOKEN_URI;object=t" \
	--manifest "$missing"
assert_eq "tufsign: cannot read --manifest '$missing': No such file or directory" "$STDERR"
assert_exit 2 "$TUFSIGN" -s "$server" sign "$gun" --key "$TOKEN_URI;object=t" \
	--targets-file "$missing"
assert_eq "tufsign: cannot read --targets-file '$missing': No such file or directory" "$STDERR"
assert_exit 3 "$TUFSIGN" --pin-file "$missing" key list "$TOKEN_URI"
assert_eq "tufsign: cannot read --pin-file '$missing': No such file or directory" "$STDERR"
assert_exit 3 "$TUFSIGN" -s "$server" sign "$gun" v1 --key "$TOKEN_URI;object=t" \
	--digest "$digest" --size 1 --pin-file "$missing"
assert_eq "tufsign: cannot read --pin-file '$missing': No such file or directory" "$STDERR"

# Key references of sign are checked before any server use. A mistyped
# scheme is an invalid --key (exit 2), and a directory keeps its read error
# (exit 1). A pin-source file that cannot be read is a PIN error (exit 3).
# A URI attribute that tufsign rejects is named (exit 2).
sign_with_key() {
	"$TUFSIGN" -s "$server" sign "$gun" v7 --digest "$digest" --size 5 --key "$1"
}
assert_exit 2 sign_with_key "pkcs11-token=$TOKEN_LABEL"
assert_eq "tufsign: --key 'pkcs11-token=$TOKEN_LABEL' is neither a PKCS#11 URI, which starts with 'pkcs11:', nor a key file: No such file or directory" \
	"$STDERR"
assert_exit 2 "$TUFSIGN" -s "$server" --json sign "$gun" v7 --digest "$digest" --size 5 \
	--key "pkcs11-token=$TOKEN_LABEL"
assert_contains "$STDOUT" '"code":"TUFSIGN_ERR_INVALID_ARGUMENT"'
assert_contains "$STDOUT" '"exit_code":2'
assert_exit 1 sign_with_key "$TEST_DIR"
assert_eq "tufsign: cannot read '$TEST_DIR': Is a directory" "$STDERR"
assert_exit 3 sign_with_key "$TOKEN_URI;object=t?pin-source=file:$missing"
assert_eq "tufsign: cannot read the PIN file '$missing' named by pin-source in the PKCS#11 URI: No such file or directory; correct the path, or remove pin-source from the URI to use --pin-file or TUFSIGN_PIN" \
	"$STDERR"
assert_exit 2 sign_with_key "$TOKEN_URI;object=t;module-path=/nonexist.so"
assert_eq "tufsign: invalid --key: PKCS#11 URI '$TOKEN_URI;object=t;module-path=/nonexist.so' has the query attribute module-path in its path part; RFC 7512 puts query attributes after '?', as in '$TOKEN_URI;object=t?module-path=/nonexist.so'" \
	"$STDERR"
assert_exit 2 sign_with_key "$TOKEN_URI;object=t;foo=bar"
assert_eq "tufsign: invalid --key: PKCS#11 URI '$TOKEN_URI;object=t;foo=bar' contains the attribute 'foo', which tufsign does not recognize, so the URI matches no token; the path attributes are token, object, id, type, serial, model, manufacturer, slot-id, slot-description, slot-manufacturer, library-description, library-manufacturer and library-version" \
	"$STDERR"
assert_exit 2 sign_with_key "$TOKEN_URI;object=t?pin-value=$TOKEN_PIN"
assert_eq "tufsign: invalid --key: the PKCS#11 URI contains pin-value, which tufsign rejects because command lines are visible to other users; use ?pin-source=file:PATH in the URI, --pin-file or TUFSIGN_PIN" \
	"$STDERR"
# Another key option is named the same way.
assert_exit 2 "$TUFSIGN" -s "$server" init "$gun" --root-key "root-key.pem" \
	--targets-key "$TOKEN_URI;object=t"
assert_eq "tufsign: --root-key 'root-key.pem' is neither a PKCS#11 URI, which starts with 'pkcs11:', nor a key file: No such file or directory" \
	"$STDERR"

# A TUFSIGN_PIN that is set but empty is a PIN error, not a reason to prompt.
assert_exit 3 env TUFSIGN_PIN= "$TUFSIGN" key generate "$TOKEN_URI;object=k1"
assert_eq "tufsign: TUFSIGN_PIN is set but empty (an unset pipeline secret?); token '$TOKEN_LABEL' needs a PIN: set TUFSIGN_PIN to it, or unset it and use --pin-file" \
	"$STDERR"
assert_exit 0 env TUFSIGN_PIN= "$TUFSIGN" --pin-file "$TOKEN_PIN_FILE" key generate \
	"$TOKEN_URI;object=k1"
assert_exit 0 env TUFSIGN_PIN="$TOKEN_PIN" "$TUFSIGN" key list "$TOKEN_URI"
assert_contains "$STDOUT" "k1"

# The JSON documents of the token and key commands name their command.
require_cmd jq
export TUFSIGN_PIN=$TOKEN_PIN
assert_exit 0 "$TUFSIGN" --json token list
assert_eq "token list $TOKEN_LABEL" "$(jq -r '"\(.command) \(.tokens[0].label)"' <<<"$STDOUT")"
assert_exit 0 "$TUFSIGN" --json key generate "$TOKEN_URI;object=k2" --type rsa-2048
assert_eq "key generate rsa-2048 rsa 2048" \
	"$(jq -r '"\(.command) \(.key.type) \(.key.algorithm) \(.key.bits)"' <<<"$STDOUT")"
assert_exit 0 "$TUFSIGN" --json key list "$TOKEN_URI;object=k2"
assert_eq "key list k2 rsa false" \
	"$(jq -r '"\(.command) \(.keys[0].label) \(.keys[0].algorithm) \(.keys[0].certificate)"' <<<"$STDOUT")"
assert_exit 0 "$TUFSIGN" --json key cert registry.example/cli/app "$TOKEN_URI;object=k2"
assert_eq "key cert rsa-x509 false" \
	"$(jq -r '"\(.command) \(.certificate.keytype) \(.certificate.stored)"' <<<"$STDOUT")"
# key list shows the key ID of a stored certificate: the one key cert printed.
assert_exit 0 "$TUFSIGN" --json key list "$TOKEN_URI;object=k2"
assert_eq null "$(jq -r '.keys[0].certificate_keyid' <<<"$STDOUT")" "certificate key ID before --store"
assert_exit 0 "$TUFSIGN" --json key cert registry.example/cli/app "$TOKEN_URI;object=k2" --store
cert_id=$(jq -r .certificate.keyid <<<"$STDOUT")
assert_exit 0 "$TUFSIGN" --json key list "$TOKEN_URI;object=k2"
assert_eq "true $cert_id" "$(jq -r '"\(.keys[0].certificate) \(.keys[0].certificate_keyid)"' <<<"$STDOUT")"
assert_exit 0 "$TUFSIGN" key list "$TOKEN_URI;object=k2"
assert_contains "$STDOUT" "  cert key ID: $cert_id (as a root.json with the stored certificate lists it)"
unset TUFSIGN_PIN

# TUFSIGN_DEBUG: one warning for unknown components, none for known ones.
assert_exit 0 env TUFSIGN_DEBUG=tuf,bogus,pkcs11 "$TUFSIGN" token list
assert_eq "tufsign: warning: TUFSIGN_DEBUG names an unknown component 'tuf'; the components are cache, file, http, pkcs11 and repo, or 'all'" \
	"$(grep TUFSIGN_DEBUG <<<"$STDERR")"
for list in all cache,file,http,pkcs11,repo; do
	assert_exit 0 env TUFSIGN_DEBUG=$list "$TUFSIGN" token list
	assert_not_contains "$STDERR" "TUFSIGN_DEBUG" "stderr with TUFSIGN_DEBUG=$list"
done
# The helper scripts print their usage line without the comment marker.
assert_exit 2 "$TUFSIGN_SOURCE_DIR/softhsm-config/make-token.sh"
assert_eq "usage: make-token.sh DIR LABEL SO_PIN PIN" "$STDERR"
assert_exit 2 "$TUFSIGN_SOURCE_DIR/scripts/install-deps.sh" bogus
assert_eq "usage: scripts/install-deps.sh [build|demo|test]   (default: test, which is everything)" \
	"$STDERR"
echo "PASS: usage errors and help"
