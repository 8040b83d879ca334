#!/bin/bash
# usage: scripts/demo.sh
#
# The main job, end to end, on throwaway infrastructure: installs missing
# Debian packages, builds tufsign, makes a SoftHSM2 token, starts a local
# notary-server with TLS on a free port of 127.0.0.1, generates the root and
# targets keys on the token, creates a repository (GUN), signs a tag for an
# image manifest file, and shows `tufsign list`, `notary list` and
# `docker trust inspect --pretty` agreeing on its digest. The server is
# stopped and the token and temp dir are removed at exit.
# Environment: TUFSIGN_DEMO_BUILD_DIR (default: build-demo in the source tree).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${TUFSIGN_DEMO_BUILD_DIR:-$root/build-demo}
server_script=$root/tests/fixtures/notary-server.sh

"$root/scripts/install-deps.sh" demo

cmake -S "$root" -B "$build" -DTUFSIGN_BUILD_TESTS=OFF >/dev/null
cmake --build "$build" -j 2 >/dev/null
tufsign=$build/tufsign
echo "built $("$tufsign" --version)"

work=$(mktemp -d "${TMPDIR:-/tmp}/tufsign-demo.XXXXXX")
cleanup() {
	bash "$server_script" stop "$work/notary" >/dev/null 2>&1 || true
	rm -rf "$work"
}
trap cleanup EXIT

# show CMD...: prints the command quoted for a shell to run again, then runs it.
show() {
	printf '\n$'
	printf ' %q' "$@"
	printf '\n'
	"$@"
}

"$root/softhsm-config/make-token.sh" "$work/token" demo-signer 12345678 1234 >/dev/null
# shellcheck disable=SC1091
. "$work/token/token.env"
echo "made SoftHSM2 token '$TOKEN_LABEL' in $TOKEN_DIR"

bash "$server_script" start "$work/notary" >/dev/null
# shellcheck disable=SC1091
. "$work/notary/notary.env"
echo "started notary-server at $NOTARY_URL (TLS, CA $NOTARY_CA)"

# What a pipeline sets: the PIN from a secret variable, the server, and a
# trust cache of its own.
export TUFSIGN_PIN=$TOKEN_PIN
export TUFSIGN_SERVER=$NOTARY_URL
export TUFSIGN_TRUST_DIR=$work/trust
echo
echo "the commands below run with the token's environment and these variables:"
printf '$ . %q\n' "$work/token/token.env"
for variable in TUFSIGN_PIN TUFSIGN_SERVER TUFSIGN_TRUST_DIR; do
	printf '$ export %s=%q\n' "$variable" "${!variable}"
done
gun=registry.example/demo/app
root_key="pkcs11:token=$TOKEN_LABEL;object=root"
targets_key="pkcs11:token=$TOKEN_LABEL;object=targets"

show "$tufsign" key generate "$root_key"
show "$tufsign" key generate "$targets_key"
show "$tufsign" --tls-ca "$NOTARY_CA" init "$gun" --root-key "$root_key" --targets-key "$targets_key"

# An image manifest as a registry stores it: a config blob and one layer.
mkdir -p "$work/image"
printf '{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}' \
	>"$work/image/config.json"
head -c 2048 /dev/urandom | gzip -c >"$work/image/layer.tar.gz"
blob() {
	printf '{"mediaType":"%s","size":%s,"digest":"sha256:%s"}' "$1" "$(stat -c %s "$2")" \
		"$(sha256sum "$2" | cut -d' ' -f1)"
}
printf '{"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v2+json","config":%s,"layers":[%s]}' \
	"$(blob application/vnd.docker.container.image.v1+json "$work/image/config.json")" \
	"$(blob application/vnd.docker.image.rootfs.diff.tar.gzip "$work/image/layer.tar.gz")" \
	>"$work/image/manifest.json"
digest=$(sha256sum "$work/image/manifest.json" | cut -d' ' -f1)
echo
echo "manifest $work/image/manifest.json: sha256:$digest, $(stat -c %s "$work/image/manifest.json") bytes"

show "$tufsign" --tls-ca "$NOTARY_CA" sign "$gun" v1.0 --key "$targets_key" \
	--manifest "$work/image/manifest.json"
show "$tufsign" --tls-ca "$NOTARY_CA" list "$gun"
listed=$("$tufsign" --tls-ca "$NOTARY_CA" -q --json list "$gun" |
	jq -r '.targets[] | select(.tag == "v1.0") | .digest')

show notary -s "$NOTARY_URL" --tlscacert "$NOTARY_CA" -d "$work/notary-client" list "$gun"
notary_digest=$(notary -s "$NOTARY_URL" --tlscacert "$NOTARY_CA" -d "$work/notary-client" \
	lookup "$gun" v1.0 | awk '{print $2}')

docker_digest=skipped
if command -v docker >/dev/null 2>&1; then
	mkdir -p "$work/docker/tls/$NOTARY_HOSTPORT"
	cp "$NOTARY_CA" "$work/docker/tls/$NOTARY_HOSTPORT/ca.crt"
	export DOCKER_CONFIG=$work/docker DOCKER_CONTENT_TRUST_SERVER=$NOTARY_URL
	show docker trust inspect --pretty "$gun"
	docker_digest=sha256:$(docker trust inspect "$gun" |
		jq -r '.[0].SignedTags[] | select(.SignedTag == "v1.0") | .Digest')
else
	echo "docker CLI not found: 'docker trust inspect' not shown"
fi

echo
echo "manifest:      sha256:$digest"
echo "tufsign list:  $listed"
echo "notary lookup: $notary_digest"
echo "docker trust:  $docker_digest"
if [ "$listed" != "sha256:$digest" ] || [ "$notary_digest" != "sha256:$digest" ] ||
	{ [ "$docker_digest" != skipped ] && [ "$docker_digest" != "sha256:$digest" ]; }; then
	echo "demo: the clients disagree" >&2
	exit 1
fi
echo "all clients agree; stopping the server"
