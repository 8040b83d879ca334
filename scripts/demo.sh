#!/bin/bash
# usage: scripts/demo.sh
#
# The main job on a throwaway token: installs missing Debian packages, builds
# tufsign, makes a SoftHSM2 token in a temp dir and lists it with
# `tufsign token list` through the p11-kit proxy. The token and the temp dir
# are removed at exit.
# Environment: TUFSIGN_DEMO_BUILD_DIR (default: build-demo in the source tree).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${TUFSIGN_DEMO_BUILD_DIR:-$root/build-demo}

"$root/scripts/install-deps.sh" demo

cmake -S "$root" -B "$build" -DTUFSIGN_BUILD_TESTS=OFF >/dev/null
cmake --build "$build" -j 2 >/dev/null
tufsign=$build/tufsign
echo "built $("$tufsign" --version)"

work=$(mktemp -d "${TMPDIR:-/tmp}/tufsign-demo.XXXXXX")
trap 'rm -rf "$work"' EXIT
"$root/softhsm-config/make-token.sh" "$work/token" demo-signer 12345678 1234 >/dev/null
# shellcheck disable=SC1091
. "$work/token/token.env"
echo "made SoftHSM2 token '$TOKEN_LABEL' in $TOKEN_DIR"

echo "\$ tufsign token list"
"$tufsign" token list
