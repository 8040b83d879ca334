#!/bin/bash
# Credential helper faults and config precedence, against the token-auth
# fixture. The helper here is a MOCK: a script this test writes that speaks
# the docker-credential-helpers protocol (server URL on stdin, JSON or an
# error text on stdout). It gives the faults a real helper cannot: another
# failure text, invalid JSON, oversized output, a hang past the timeout, a
# kill by a signal, and an identity token the token service rejects or an
# empty one. Each fault must fail with exit 5 and its exact message. The mock also records its arguments, stdin and the
# names of tufsign's variables it received, so the test checks the server
# key it is sent, that tufsign's secrets are withheld from it, and when it is
# not run at all. Denials name where the credentials came from, and config
# files the docker CLI rejects fail with exit 2.
. "$TUFSIGN_SOURCE_DIR/tests/lib/common.sh"
. "$TUFSIGN_SOURCE_DIR/tests/lib/oracles.sh"
. "$TUFSIGN_SOURCE_DIR/tests/e2e/e2e.sh"

e2e_setup token
gen_key root
gen_key targets
gun=$(unique_gun)
host=${gun%%/*}
user=$NOTARY_AUTH_USER
password=$NOTARY_AUTH_PASSWORD

mkdir -p "$TEST_DIR/bin"
export PATH=$TEST_DIR/bin:$PATH MOCK_LOG=$TEST_DIR/mock.log MOCK_USER=$user MOCK_SECRET=$password
cat >"$TEST_DIR/bin/docker-credential-mock" <<'EOF'
#!/bin/bash
# Mock docker credential helper; MOCK_MODE selects its behaviour.
server=$(cat)
{
	echo "argv: $*"
	echo "stdin: $server"
	env | sed -n 's/^\(TUFSIGN_[A-Z_]*\|NOTARY_AUTH\)=.*/env: \1/p' | sort
} >>"$MOCK_LOG"
case $MOCK_MODE in
ok) printf '{"ServerURL":"%s","Username":"%s","Secret":"%s"}\n' "$server" "$MOCK_USER" "$MOCK_SECRET" ;;
not-found) echo "credentials not found in native keychain" && exit 1 ;;
fail) echo "error getting credentials - keychain is locked" && exit 1 ;;
fail-json) printf '{"Username":"%s","Secret":"%s"}\n' "$MOCK_USER" "$MOCK_SECRET" && exit 1 ;;
garbage) echo "this is not JSON" ;;
oversize) head -c 70000 /dev/zero | tr '\0' x ;;
hang) exec sleep 60 ;;
background)
	# Prints credentials, but leaves a process behind that keeps stdout open.
	printf '{"ServerURL":"%s","Username":"%s","Secret":"%s"}\n' "$server" "$MOCK_USER" "$MOCK_SECRET"
	sleep 30 &
	echo "$!" >"$MOCK_LOG.background"
	;;
token) printf '{"ServerURL":"%s","Username":"<token>","Secret":"unknown-refresh-token"}\n' "$server" ;;
token-empty) printf '{"ServerURL":"%s","Username":"<token>","Secret":""}\n' "$server" ;;
signal) kill -KILL $$ ;;
esac
EOF
chmod +x "$TEST_DIR/bin/docker-credential-mock"
# A helper file that is not executable.
cp "$TEST_DIR/bin/docker-credential-mock" "$TEST_DIR/bin/docker-credential-noexec"
chmod -x "$TEST_DIR/bin/docker-credential-noexec"

export DOCKER_CONFIG=$TEST_DIR/docker-config
config=$DOCKER_CONFIG/config.json
mkdir -p "$DOCKER_CONFIG"
docker_config() {
	printf '%s\n' "$1" >"$config"
}
auth=$(printf '%s:%s' "$user" "$password" | base64 -w0)

# The mock's credentials publish; tufsign's secret variables are withheld
# from it, its other variables are passed.
docker_config '{"credsStore": "mock"}'
assert_exit 0 env MOCK_MODE=ok TUFSIGN_PASSWORD=unused TUFSIGN_PASSPHRASE=unused \
	"$TUFSIGN" -s "$NOTARY_URL" --tls-ca "$NOTARY_CA" init "$gun" \
	--root-key "$(key_uri root)" --targets-key "$(key_uri targets)"
assert_eq "argv: get" "$(grep -m1 '^argv:' "$MOCK_LOG")" "helper arguments"
assert_eq "stdin: $host" "$(grep -m1 '^stdin:' "$MOCK_LOG")" "server sent to the helper"
assert_contains "$(cat "$MOCK_LOG")" "env: TUFSIGN_TRUST_DIR"
assert_not_contains "$(cat "$MOCK_LOG")" "env: TUFSIGN_PIN" "helper environment"
assert_not_contains "$(cat "$MOCK_LOG")" "env: TUFSIGN_PASSWORD" "helper environment"
assert_not_contains "$(cat "$MOCK_LOG")" "env: TUFSIGN_PASSPHRASE" "helper environment"
[ -n "$(server_get "$gun" root.json)" ] || fail "no root.json after an init with the mock's credentials"

# list_with MODE: tufsign list of the GUN with the mock in MODE.
list_with() {
	assert_exit "$1" env MOCK_MODE="$2" "$TUFSIGN" -s "$NOTARY_URL" --tls-ca "$NOTARY_CA" \
		list "$gun"
}

# "credentials not found": anonymous, as in the docker CLI, and a read works.
list_with 0 not-found

# Failures of the helper, each with its exact message.
list_with 5 fail
assert_eq "tufsign: credential helper 'docker-credential-mock' failed for '$host' with exit status 1: error getting credentials - keychain is locked; check it with 'echo $host | docker-credential-mock get', or give credentials with --username" \
	"$STDERR" "message for a failing helper"
# Output that looks like credentials is not quoted: it may contain a secret.
list_with 5 fail-json
assert_eq "tufsign: credential helper 'docker-credential-mock' failed for '$host' with exit status 1; check it with 'echo $host | docker-credential-mock get', or give credentials with --username" \
	"$STDERR" "message for a failing helper that wrote JSON"
list_with 5 garbage
assert_eq "tufsign: credential helper 'docker-credential-mock' returned invalid output for '$host': expected a JSON object with string members Username and Secret" \
	"$STDERR" "message for invalid JSON"
list_with 5 oversize
assert_eq "tufsign: credential helper 'docker-credential-mock' wrote more than 65536 bytes for '$host'; expected a JSON object with Username and Secret" \
	"$STDERR" "message for oversized output"
list_with 5 token
assert_eq "tufsign: the token service '$NOTARY_TOKEN_REALM' rejected the identity token from credential helper 'docker-credential-mock' (HTTP 401); it may have expired or been revoked, so log in again with 'docker login' (for Azure Container Registry, 'az acr login'), or give credentials with --username" \
	"$STDERR" "message for a rejected identity token"
list_with 5 token-empty
assert_eq "tufsign: credential helper 'docker-credential-mock' returned an empty identity token for '$host'; log in again with 'docker login'" \
	"$STDERR" "message for an empty identity token"
list_with 5 signal
assert_eq "tufsign: credential helper 'docker-credential-mock' was killed by signal 9 for '$host'" \
	"$STDERR" "message for a helper killed by a signal"

# A hang: killed after TUFSIGN_CREDENTIAL_HELPER_TIMEOUT seconds.
started=$SECONDS
assert_exit 5 env MOCK_MODE=hang TUFSIGN_CREDENTIAL_HELPER_TIMEOUT=1 "$TUFSIGN" \
	-s "$NOTARY_URL" --tls-ca "$NOTARY_CA" list "$gun"
assert_eq "tufsign: credential helper 'docker-credential-mock' timed out after 1 s for '$host'; check that it runs without a prompt, or raise TUFSIGN_CREDENTIAL_HELPER_TIMEOUT" \
	"$STDERR" "message for a hanging helper"
[ $((SECONDS - started)) -le 5 ] || fail "a 1 s helper timeout took $((SECONDS - started)) s"
# A helper that prints credentials and exits, but leaves a process holding
# its stdout open: tufsign uses the credentials well before the timeout.
started=$SECONDS
assert_exit 0 env MOCK_MODE=background TUFSIGN_CREDENTIAL_HELPER_TIMEOUT=20 "$TUFSIGN" \
	-s "$NOTARY_URL" --tls-ca "$NOTARY_CA" list "$gun"
[ $((SECONDS - started)) -le 5 ] || fail "a helper's leftover process delayed tufsign $((SECONDS - started)) s"
kill "$(cat "$MOCK_LOG.background")" 2>/dev/null || true
assert_exit 2 env MOCK_MODE=ok TUFSIGN_CREDENTIAL_HELPER_TIMEOUT=soon "$TUFSIGN" \
	-s "$NOTARY_URL" --tls-ca "$NOTARY_CA" list "$gun"
assert_eq "tufsign: invalid TUFSIGN_CREDENTIAL_HELPER_TIMEOUT 'soon': expected whole seconds from 1 to 3600" \
	"$STDERR" "message for an invalid timeout"

# Helpers that cannot run.
docker_config '{"credsStore": "tufsign-test-missing"}'
list_with 5 ok
assert_eq "tufsign: cannot run credential helper 'docker-credential-tufsign-test-missing' (credsStore in '$config') for '$host': not found on PATH; install it, change that setting, or give credentials with --username" \
	"$STDERR" "message for a missing helper"
docker_config '{"credsStore": "noexec"}'
list_with 5 ok
assert_eq "tufsign: cannot run credential helper 'docker-credential-noexec' (credsStore in '$config') for '$host': Permission denied" \
	"$STDERR" "message for a helper that is not executable"
docker_config '{"credsStore": "../bin/docker-credential-mock"}'
list_with 2 ok
assert_eq "tufsign: invalid credential helper name '../bin/docker-credential-mock' (credsStore in '$config'): expected the NAME of a program docker-credential-NAME on PATH" \
	"$STDERR" "message for a helper name with a slash"

# Precedence: "credHelpers" for the exact host wins over "credsStore"; a key
# in another form does not match, as in the docker CLI.
docker_config "{\"credsStore\": \"tufsign-test-missing\", \"credHelpers\": {\"$host\": \"mock\"}}"
list_with 5 fail
assert_contains "$STDERR" "credential helper 'docker-credential-mock' failed for '$host'"
docker_config "{\"credsStore\": \"mock\", \"credHelpers\": {\"https://$host\": \"tufsign-test-missing\"}}"
list_with 5 fail
assert_contains "$STDERR" "credential helper 'docker-credential-mock' failed for '$host'"
# An empty "credHelpers" name selects the file's own "auths" entry.
docker_config "{\"credsStore\": \"mock\", \"credHelpers\": {\"$host\": \"\"}, \"auths\": {\"$host\": {\"auth\": \"$auth\"}}}"
assert_exit 0 env MOCK_MODE=fail TUFSIGN_DEBUG=http "$TUFSIGN" -s "$NOTARY_URL" \
	--tls-ca "$NOTARY_CA" list "$gun"
assert_contains "$STDERR" "using credentials of user '$user' for '$host' from the docker config"
assert_not_contains "$STDERR" "credential helper" "log with an empty credHelpers name"

# Docker Hub GUNs use docker's key "https://index.docker.io/v1/".
: >"$MOCK_LOG"
docker_config '{"credHelpers": {"https://index.docker.io/v1/": "mock"}}'
assert_exit 5 env MOCK_MODE=fail "$TUFSIGN" -s "$NOTARY_URL" --tls-ca "$NOTARY_CA" \
	list "docker.io/${gun#*/}"
assert_contains "$STDERR" "credential helper 'docker-credential-mock' failed for 'https://index.docker.io/v1/'"
assert_eq "stdin: https://index.docker.io/v1/" "$(grep -m1 '^stdin:' "$MOCK_LOG")" \
	"server sent for a Docker Hub GUN"

# Denials name where the credentials came from. A helper without an entry
# for the host: the anonymous push is denied, and the message names the
# helper and the setting.
other_gun=$(unique_gun)
docker_config '{"credsStore": "mock"}'
assert_exit 5 env MOCK_MODE=not-found "$TUFSIGN" -s "$NOTARY_URL" --tls-ca "$NOTARY_CA" \
	init "$other_gun" --root-key "$(key_uri root)" --targets-key "$(key_uri targets)"
assert_eq "tufsign: GET 'snapshot.key' of '$other_gun' failed: HTTP 401 insufficient_scope: the token for 'repository:$other_gun:push,pull' from '$NOTARY_TOKEN_REALM' (user 'anonymous') does not grant access; no credentials were sent because the credential helper 'docker-credential-mock' (credsStore in '$config') has no credentials for '$host'; give credentials with --username, NOTARY_AUTH or a docker login" \
	"$STDERR" "message for a helper without an entry"
docker_config "{\"credHelpers\": {\"$host\": \"mock\"}}"
assert_exit 5 env MOCK_MODE=not-found "$TUFSIGN" -s "$NOTARY_URL" --tls-ca "$NOTARY_CA" \
	init "$other_gun" --root-key "$(key_uri root)" --targets-key "$(key_uri targets)"
assert_contains "$STDERR" "(user 'anonymous') does not grant access; no credentials were sent because the credential helper 'docker-credential-mock' (credHelpers in '$config') has no credentials for '$host'; give"
# A file with "auths" for other hosts only.
docker_config '{"auths": {"other.example": {"auth": "eDp5"}}}'
assert_exit 5 "$TUFSIGN" -s "$NOTARY_URL" --tls-ca "$NOTARY_CA" \
	init "$other_gun" --root-key "$(key_uri root)" --targets-key "$(key_uri targets)"
assert_contains "$STDERR" "(user 'anonymous') does not grant access; no credentials were sent because the docker config '$config' has no credentials for '$host'; give"
# A pull-only user from "auths", then from the helper.
reader_auth=$(printf '%s:%s' "$NOTARY_READER_USER" "$NOTARY_READER_PASSWORD" | base64 -w0)
docker_config "{\"auths\": {\"$host\": {\"auth\": \"$reader_auth\"}}}"
assert_exit 5 "$TUFSIGN" -s "$NOTARY_URL" --tls-ca "$NOTARY_CA" \
	init "$other_gun" --root-key "$(key_uri root)" --targets-key "$(key_uri targets)"
assert_eq "tufsign: GET 'snapshot.key' of '$other_gun' failed: HTTP 401 insufficient_scope: the token for 'repository:$other_gun:push,pull' from '$NOTARY_TOKEN_REALM' (user '$NOTARY_READER_USER' from the docker config '$config') does not grant access; check that the user may use this repository" \
	"$STDERR" "message for a pull-only user from auths"
docker_config '{"credsStore": "mock"}'
assert_exit 5 env MOCK_MODE=ok MOCK_USER="$NOTARY_READER_USER" \
	MOCK_SECRET="$NOTARY_READER_PASSWORD" "$TUFSIGN" -s "$NOTARY_URL" --tls-ca "$NOTARY_CA" \
	init "$other_gun" --root-key "$(key_uri root)" --targets-key "$(key_uri targets)"
assert_contains "$STDERR" "(user '$NOTARY_READER_USER' from credential helper 'docker-credential-mock') does not grant access; check that the user may use this repository"
assert_eq "" "$(server_get "$other_gun" root.json)" "root.json after denied inits"

# Config files the docker CLI rejects are errors with exit 2. The message
# names the field or the place of the syntax error. A file without
# credential settings, or a blank one, still reads anonymously.
printf '%s' '{"credsStore":' >"$config"
list_with 2 ok
assert_eq "tufsign: invalid docker config '$config': JSON syntax error at line 1, column 14: unexpected token near end of file; fix the file or point DOCKER_CONFIG elsewhere" \
	"$STDERR" "message for a truncated config"
assert_exit 2 env MOCK_MODE=ok "$TUFSIGN" --json -s "$NOTARY_URL" --tls-ca "$NOTARY_CA" \
	list "$gun"
assert_eq "TUFSIGN_ERR_INVALID_ARGUMENT" "$(jq -r .error.code <<<"$STDOUT")" "JSON code"
assert_eq 2 "$(jq -r .error.exit_code <<<"$STDOUT")" "JSON exit code"
docker_config '{"credsStore": 5}'
list_with 2 ok
assert_eq "tufsign: invalid docker config '$config': credsStore must be a string, not a number; fix the file or point DOCKER_CONFIG elsewhere" \
	"$STDERR" "message for a number as credsStore"
docker_config "{\"credHelpers\": {\"$host\": [\"mock\"]}}"
list_with 2 ok
assert_eq "tufsign: invalid docker config '$config': credHelpers member '$host' must be a string, not an array; fix the file or point DOCKER_CONFIG elsewhere" \
	"$STDERR" "message for an array as a credHelpers member"
docker_config '{"auths": []}'
list_with 2 ok
assert_eq "tufsign: invalid docker config '$config': auths must be an object, not an array; fix the file or point DOCKER_CONFIG elsewhere" \
	"$STDERR" "message for an array as auths"
docker_config '{"experimental": "enabled", "psFormat": "{{.ID}}"}'
list_with 0 fail
printf ' \n' >"$config"
list_with 0 fail

# An "identitytoken" in the host's "auths" entry, as the docker CLI writes it
# without a credential helper: sign sends it in the refresh grant. It wins
# over "auth" in the same entry, so a wrong one fails although "auth" is
# valid, and the message names the file.
docker_config "{\"auths\": {\"$host\": {\"identitytoken\": \"$NOTARY_AUTH_REFRESH_TOKEN\"}}}"
make_manifest "$TEST_DIR/identity.json"
assert_exit 0 ts -vv sign "$gun" identity --key "$(key_uri targets)" \
	--manifest "$TEST_DIR/identity.json"
assert_contains "$STDERR" "with the identity token from the docker config '$config'"
assert_not_contains "$STDERR" "${NOTARY_AUTH_REFRESH_TOKEN%%+*}" "-vv output with an identitytoken"
check_oracles "$gun" identity "$DIGEST" "$SIZE"
docker_config "{\"auths\": {\"$host\": {\"auth\": \"$auth\", \"identitytoken\": \"unknown-refresh-token\"}}}"
snapshot_states "$gun"
assert_exit 5 ts sign "$gun" identity2 --key "$(key_uri targets)" \
	--manifest "$TEST_DIR/identity.json"
assert_eq "tufsign: the token service '$NOTARY_TOKEN_REALM' rejected the identity token from the docker config '$config' (HTTP 401); it may have expired or been revoked, so log in again with 'docker login' (for Azure Container Registry, 'az acr login'), or give credentials with --username" \
	"$STDERR" "message for a rejected identitytoken"
unchanged_since "$gun" "a sign with a rejected identitytoken"
docker_config "{\"auths\": {\"$host\": {\"identitytoken\": 5}}}"
list_with 2 ok
assert_eq "tufsign: invalid docker config '$config': identitytoken of auths member '$host' must be a string, not a number; fix the file or point DOCKER_CONFIG elsewhere" \
	"$STDERR" "message for a number as identitytoken"

# Explicit credentials and NOTARY_AUTH come first: the helper is not run.
: >"$MOCK_LOG"
docker_config '{"credsStore": "mock"}'
assert_exit 0 env MOCK_MODE=fail TUFSIGN_PASSWORD="$password" "$TUFSIGN" -s "$NOTARY_URL" \
	--tls-ca "$NOTARY_CA" --username "$user" list "$gun"
assert_exit 0 env MOCK_MODE=fail NOTARY_AUTH="$auth" "$TUFSIGN" -s "$NOTARY_URL" \
	--tls-ca "$NOTARY_CA" list "$gun"
assert_eq "" "$(cat "$MOCK_LOG")" "helper runs with explicit credentials"
echo "PASS: credential helper faults and precedence for $gun"
