#!/bin/bash
# Messages a user meets after a mistake, each checked for its exact text
# and exit code. The cases:
# - a repository deleted and created again under a stale trust cache;
# - targets file lines with a wrong field count;
# - unreadable input files and a mistyped option;
# - a server that refuses connections;
# - a sign that publishes nothing, and the help of each command.
. "$TUFSIGN_SOURCE_DIR/tests/lib/common.sh"
. "$TUFSIGN_SOURCE_DIR/tests/lib/oracles.sh"
. "$TUFSIGN_SOURCE_DIR/tests/e2e/e2e.sh"

e2e_setup
gen_key root
gen_key root2
gen_key root3
gen_key targets
gun=$(unique_gun)
key=$(key_uri targets)
init_repo "$gun" root targets
make_manifest "$TEST_DIR/m.json"
assert_exit 0 ts sign "$gun" v1 --key "$key" --manifest "$TEST_DIR/m.json"

# first_line TEXT: the first line of TEXT, without the usage line after it.
first_line() {
	head -n 1 <<<"$1"
}

# Progress lines name the role, its version and the key, then the files
# uploaded, in the same form for sign and the delegation commands.
assert_exit 0 ts sign "$gun" v0 --key "$key" --size 2 \
	--digest "sha256:$(printf v0 | sha256sum | cut -d' ' -f1)"
assert_eq "signing targets version 3 with $key
publishing targets to the server" "$(grep -E '^(signing|publishing) ' <<<"$STDERR")"

# A sign that changes nothing names the tag, digest and size.
assert_exit 0 ts sign "$gun" v1 --key "$key" --digest "sha256:$DIGEST" --size "$SIZE"
assert_eq "$gun already holds tag 'v1' with digest sha256:$DIGEST and size $SIZE; nothing to publish" \
	"$STDERR"
printf 'v1 sha256:%s %s\n' "$DIGEST" "$SIZE" >"$TEST_DIR/same.txt"
printf 'v1\tsha256:%s\t%s\n' "$DIGEST" "$SIZE" >>"$TEST_DIR/same.txt"
assert_exit 2 ts sign "$gun" --key "$key" --targets-file "$TEST_DIR/same.txt"
assert_eq "tufsign: sign: $TEST_DIR/same.txt line 2: tag 'v1' appears twice" \
	"$(first_line "$STDERR")"

# Targets file lines: exactly three fields, and a tag with spaces ends with
# a tab.
snapshot_states "$gun"
printf 'v9 sha256:%s 5 6\n' "$DIGEST" >"$TEST_DIR/extra-size.txt"
assert_exit 2 ts sign "$gun" --key "$key" --targets-file "$TEST_DIR/extra-size.txt"
assert_eq "tufsign: sign: $TEST_DIR/extra-size.txt line 1: expected 'TAG sha256:HEX SIZE', but 'v9 sha256:$DIGEST 5 6' has 4 fields; a tag that contains spaces must be followed by a tab" \
	"$(first_line "$STDERR")"
printf '# tags\nv8 sha256:%s 5\nv9 extra sha256:%s 5\n' "$DIGEST" "$DIGEST" >"$TEST_DIR/spaced.txt"
assert_exit 2 ts sign "$gun" --key "$key" --targets-file "$TEST_DIR/spaced.txt"
assert_eq "tufsign: sign: $TEST_DIR/spaced.txt line 3: expected 'TAG sha256:HEX SIZE', but 'v9 extra sha256:$DIGEST...' has 4 fields; a tag that contains spaces must be followed by a tab" \
	"$(first_line "$STDERR")"
printf 'v9\n' >"$TEST_DIR/short.txt"
assert_exit 2 ts sign "$gun" --key "$key" --targets-file "$TEST_DIR/short.txt"
assert_eq "tufsign: sign: $TEST_DIR/short.txt line 1: expected 'TAG sha256:HEX SIZE', but 'v9' has 1 field" \
	"$(first_line "$STDERR")"
unchanged_since "$gun" "targets files with wrong field counts"
printf 'v9 extra\tsha256:%s %s\n' "$DIGEST" "$SIZE" >"$TEST_DIR/tabbed.txt"
assert_exit 0 ts --json sign "$gun" --key "$key" --targets-file "$TEST_DIR/tabbed.txt"
assert_eq '["v9 extra"]' "$(jq -c '[.targets[].tag]' <<<"$STDOUT")" "tag read from a tab-separated line"
assert_exit 0 ts verify "$gun" "v9 extra" --digest "sha256:$DIGEST"

# Every input file option names itself when given a directory.
snapshot_states "$gun"
for option in tls-ca tls-cert tls-key password-file passphrase-file root-cert; do
	assert_exit 2 ts list "$gun" "--$option" "$TEST_DIR"
	assert_eq "tufsign: cannot read --$option '$TEST_DIR': Is a directory" "$STDERR"
done
assert_exit 3 ts --pin-file "$TEST_DIR" list "$gun"
assert_eq "tufsign: cannot read --pin-file '$TEST_DIR': Is a directory" "$STDERR"
for option in manifest targets-file; do
	assert_exit 2 ts sign "$gun" v2 --key "$key" "--$option" "$TEST_DIR"
	assert_eq "tufsign: cannot read --$option '$TEST_DIR': Is a directory" "$STDERR"
done
for option in signer-cert signer-pubkey; do
	assert_exit 2 ts delegation add "$gun" alice --key "$key" "--$option" "$TEST_DIR"
	assert_eq "tufsign: cannot read --$option '$TEST_DIR': Is a directory" "$STDERR"
done
printf 'not a certificate\n' >"$TEST_DIR/plain.txt"
assert_exit 2 ts list "$gun" --root-cert "$TEST_DIR/plain.txt"
assert_eq "tufsign: cannot read --root-cert '$TEST_DIR/plain.txt': no certificate in PEM text; expected the PEM certificate of the root key" \
	"$STDERR"
unchanged_since "$gun" "unreadable input files"

# A mistyped long option: the nearest known one within two edits.
assert_exit 2 ts --jsn list "$gun"
assert_eq "tufsign: list: invalid or incomplete option '--jsn'; did you mean '--json'? See 'tufsign list --help'" \
	"$STDERR"
assert_exit 2 ts remove "$gun" v1 --key "$key" --snapshotkey "$key"
assert_eq "tufsign: remove: invalid or incomplete option '--snapshotkey'; did you mean '--snapshot-key'? See 'tufsign remove --help'" \
	"$STDERR"
# Before the command words only global options belong.
assert_exit 2 "$TUFSIGN" --serer "$NOTARY_URL" list "$gun"
assert_eq "tufsign: invalid or incomplete option '--serer'; did you mean '--server'? See 'tufsign --help'" \
	"$STDERR"
assert_exit 2 ts list "$gun" --unknown-thing
assert_eq "tufsign: list: invalid or incomplete option '--unknown-thing'; see 'tufsign list --help'" \
	"$STDERR"

# The delegation commands print the same progress lines as sign.
version=$(($(server_get "$gun" targets.json | jq -r .signed.version) + 1))
assert_exit 0 ts delegation add "$gun" alice --key "$key" --signer-key "$key"
assert_eq "signing targets version $version with $key
publishing targets to the server" "$(grep -E '^(signing|publishing) ' <<<"$STDERR")"

# A server that refuses connections: the last error names what to check.
port=$(free_port)
assert_exit 5 "$TUFSIGN" -q -s "https://127.0.0.1:$port" --tls-ca "$NOTARY_CA" list "$gun"
# libcurl's detail gives the milliseconds the attempt took.
assert_eq "tufsign: GET https://127.0.0.1:$port/v2/$gun/_trust/tuf/timestamp.json failed: Failed to connect to 127.0.0.1 port $port after N ms: Couldn't connect to server; check that this URL is right and its server is running (the Notary server URL comes from -s, TUFSIGN_SERVER or DOCKER_CONTENT_TRUST_SERVER)" \
	"$(tail -n 1 <<<"$STDERR" | sed -E 's/after [0-9]+ ms/after N ms/')"
assert_eq 3 "$(grep -c 'retry [1-3] of 3' <<<"$STDERR")" "retry warnings"
assert_not_contains "$(grep 'retry' <<<"$STDERR")" "check that this URL" "retry warnings"

# The repository deleted on the server: known to the trust cache, so not a
# typo but a server failure (exit 5), and verify does not call it unsigned.
assert_exit 0 ts list "$gun"
_oracle_notary delete "$gun" --remote >/dev/null
assert_exit 5 ts list "$gun"
assert_eq "tufsign: repository '$gun' is in the trust cache but not on the server (deleted?); create it again with 'tufsign init': GET 'timestamp.json' of '$gun' failed: HTTP 404 METADATA_NOT_FOUND: You have requested metadata that does not exist" \
	"$STDERR"
assert_exit 5 ts verify "$gun" v1
assert_contains "$STDERR" "repository '$gun' is in the trust cache but not on the server (deleted?)"

# Created again with another root key: the stale pin is named, the trust
# cache stays as it was, and removing the GUN's directory trusts the new root.
cached=$(cache_state)
init_repo "$gun" root2 targets -d "$TEST_DIR/other-trust"
# The trust cache names the directory of a GUN with each / as %2F.
gun_dir=$TUFSIGN_TRUST_DIR/${gun//\//%2F}
assert_exit 6 ts list "$gun"
assert_eq "tufsign: the server's root of '$gun' (version 1) is not signed by the root pinned in the trust cache at $gun_dir: the repository may have been deleted and created again, or the server is not trustworthy; if the reset is known and intended, remove $gun_dir to trust the new root on next use (with --root-key-id to pin it)" \
	"$STDERR"
assert_eq "$cached" "$(cache_state)" "trust cache after a list against a foreign root"
# After a rotation in the new repository the server's root is version 2,
# and no root version on the server is signed by the pinned root.
assert_exit 0 ts -d "$TEST_DIR/other-trust" key rotate "$gun" --root-key "$(key_uri root2)" \
	--new-root-key "$(key_uri root3)"
assert_exit 6 ts sign "$gun" v2 --key "$key" --manifest "$TEST_DIR/m.json"
assert_contains "$STDERR" "the server's root of '$gun' (version 2) is not signed by the root pinned in the trust cache at $gun_dir:"
assert_eq "$cached" "$(cache_state)" "trust cache after a sign against a foreign root"
rm -rf "$gun_dir"
assert_exit 0 ts list "$gun"

# Help: paragraphs wrap at 79 columns, and every command's usage lines (the
# lines before the first blank one) name each of its options.
assert_exit 0 "$TUFSIGN" key list --help
assert_contains "$STDOUT" "
The key ID is the TUF key ID of the plain public key, as notary lists targets
"
assert_exit 0 "$TUFSIGN" key cert --help
assert_contains "$STDOUT" "
Two key IDs are printed. The certificate key ID is what a root.json holding
"
commands=("token list" "key generate" "key list" "key cert" "key rotate" init sign remove list
	verify "delegation add" "delegation list" "delegation remove")
for command in "${commands[@]}"; do
	read -ra words <<<"$command"
	assert_exit 0 "$TUFSIGN" "${words[@]}" --help
	usage=$(sed '/^$/q' <<<"$STDOUT")
	body=$(sed '1,/^$/d' <<<"$STDOUT")
	long=$(awk 'length($0) > 79' <<<"$body")
	assert_eq "" "$long" "help lines of '$command' longer than 79 columns"
	for option in $(sed -n '/^Options:/,/^$/p' <<<"$STDOUT" | grep -o -- '--[a-z-]*'); do
		assert_contains "$usage" "$option" "usage of '$command'"
	done
done
echo "PASS: messages of $gun"
