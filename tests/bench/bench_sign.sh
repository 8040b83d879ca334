#!/bin/bash
# Run bench_sign on a throwaway SoftHSM token with an ECDSA P-256, an
# RSA-3072 and an Ed25519 key made by 'tufsign key generate'.
# usage: tests/bench/bench_sign.sh BUILD_DIR [COUNT [ROUNDS]]
set -euo pipefail

build=$(cd "${1:?usage: $0 BUILD_DIR [COUNT [ROUNDS]]}" && pwd)
count=${2:-500}
rounds=${3:-3}
source_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
dir=$(mktemp -d "${TMPDIR:-/tmp}/tufsign-bench.XXXXXX")
trap 'rm -rf "$dir"' EXIT

"$source_dir/softhsm-config/make-token.sh" "$dir/token" bench 12345678 4321 >/dev/null
# shellcheck disable=SC1091
. "$dir/token/token.env"
export TUFSIGN_PIN=$TOKEN_PIN
for key in ecdsa-p256 rsa-3072 ed25519; do
	"$build/tufsign" -q key generate "pkcs11:token=bench;object=$key" --type "$key" >/dev/null
done
echo "softhsm2 $(dpkg-query -W -f '${Version}' softhsm2 2>/dev/null || echo '?'), $(nproc) CPUs," \
	"$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')"
"$build/tests/bench_sign" -n "$count" -r "$rounds" "$SOFTHSM2_MODULE" bench ecdsa-p256 \
	rsa-3072 ed25519
