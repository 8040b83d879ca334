#!/bin/bash
# usage: scripts/install-deps.sh [build|demo|test]   (default: test, which is everything)
#
# Installs the Debian 12 packages that tufsign needs and that are missing:
#   build  compiler, CMake and the libraries (-dev packages), cmocka for tests
#   demo   build + SoftHSM2, p11-kit, notary (server and client), openssl,
#          curl, jq and the tools of the notary-server fixture, for
#          scripts/demo.sh
#   test   demo + OpenSC, GnuTLS tools, clang-format, man-db, faketime,
#          docker-registry (the registry test starts its own instance; the
#          package's service on port 5000 need not run) and
#          docker-credential-pass with pass and GnuPG for the credential
#          helper test
# Nothing is done when every package is present, so it is safe to run often.
# Otherwise it runs `apt-get update` once and `apt-get install`, as root or
# through sudo. The docker CLI is not a Debian package here; the tests that
# use it skip visibly where it is missing.
set -euo pipefail

build_packages=(cmake gcc clang pkg-config libssl-dev libp11-kit-dev
	libcurl4-openssl-dev libjansson-dev libcmocka-dev)
demo_packages=(softhsm2 p11-kit p11-kit-modules notary openssl curl jq python3 iproute2 procps)
test_packages=(opensc gnutls-bin clang-format man-db faketime docker-registry
	golang-docker-credential-helpers pass gnupg)

case ${1:-test} in
build) wanted=("${build_packages[@]}") ;;
demo) wanted=("${build_packages[@]}" "${demo_packages[@]}") ;;
test) wanted=("${build_packages[@]}" "${demo_packages[@]}" "${test_packages[@]}") ;;
*)
	sed -n '2s/^# //p' "$0" >&2
	exit 2
	;;
esac

missing=()
for package in "${wanted[@]}"; do
	status=$(dpkg-query -W -f='${Status}' "$package" 2>/dev/null || true)
	if [ "$status" != "install ok installed" ]; then
		missing+=("$package")
	fi
done
if [ ${#missing[@]} -eq 0 ]; then
	echo "install-deps: all ${#wanted[@]} packages are installed"
	exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
	as_root=()
elif command -v sudo >/dev/null 2>&1; then
	as_root=(sudo)
else
	echo "install-deps: missing packages: ${missing[*]}" >&2
	echo "install-deps: run this script as root, or install them with apt-get" >&2
	exit 1
fi
echo "install-deps: installing ${missing[*]}"
"${as_root[@]}" apt-get update -qq
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	--no-install-recommends "${missing[@]}"
