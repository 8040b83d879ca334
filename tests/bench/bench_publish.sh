#!/bin/bash
# usage: tests/bench/bench_publish.sh BUILD_DIR [RUNS]
#
# Publish benchmark, side by side in one run on one local notary-server
# (TLS, memory storage, started here on a free port of 127.0.0.1):
#   1. a one-tag sign: `tufsign sign` with keys on a SoftHSM2 token against
#      `notary add -p` with the notary client's file keys, RUNS times each
#      (default 10), alternating; both repositories keep the snapshot key on
#      the server, so both upload one targets file per run; tufsign runs once
#      with the SoftHSM2 module given by --module and once through p11-kit's
#      proxy module;
#   2. a 1,000-tag batch: `tufsign sign --targets-file` in one publish, and
#      `notary publish` of 1,000 staged `notary add` changes;
#   3. the one-tag `tufsign sign` on repositories that already hold 10,000
#      and 100,000 targets.
# Wall time and peak resident memory come from GNU time (/usr/bin/time),
# medians over the runs. Prints a Markdown table on stdout and progress on
# stderr. Needs: notary, notary-server, softhsm2, openssl, curl, jq, time.
set -euo pipefail

build=$(cd "${1:?usage: $0 BUILD_DIR [RUNS]}" && pwd)
runs=${2:-10}
source_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
tufsign=$build/tufsign
for c in notary notary-server softhsm2-util jq /usr/bin/time; do
	command -v "$c" >/dev/null || {
		echo "bench_publish: '$c' is missing (apt-get install notary softhsm2 jq time)" >&2
		exit 1
	}
done

dir=$(mktemp -d "${TMPDIR:-/tmp}/tufsign-bench-publish.XXXXXX")
cleanup() {
	bash "$source_dir/tests/fixtures/notary-server.sh" stop "$dir/notary" >/dev/null 2>&1 || true
	rm -rf "$dir"
}
trap cleanup EXIT
log() {
	echo "bench_publish: $*" >&2
}

bash "$source_dir/tests/fixtures/notary-server.sh" start "$dir/notary" >/dev/null
# shellcheck disable=SC1091
. "$dir/notary/notary.env"
"$source_dir/softhsm-config/make-token.sh" "$dir/token" bench 12345678 4321 >/dev/null
# shellcheck disable=SC1091
. "$dir/token/token.env"
export TUFSIGN_PIN=$TOKEN_PIN TUFSIGN_SERVER=$NOTARY_URL TUFSIGN_TRUST_DIR=$dir/trust
export NOTARY_ROOT_PASSPHRASE=bench-root NOTARY_TARGETS_PASSPHRASE=bench-targets
export NOTARY_SNAPSHOT_PASSPHRASE=bench-snapshot
root_key="pkcs11:token=bench;object=root"
targets_key="pkcs11:token=bench;object=targets"
"$tufsign" -q key generate "$root_key" >/dev/null
"$tufsign" -q key generate "$targets_key" >/dev/null

# The two clients, as arrays so that GNU time can run them. tufsign loads
# the SoftHSM2 module directly, as an agent with one token would; ts_proxy
# goes through p11-kit's proxy module, which also loads every other module
# registered on the machine.
ts=("$tufsign" -q --tls-ca "$NOTARY_CA" --module "$SOFTHSM2_MODULE")
ts_proxy=("$tufsign" -q --tls-ca "$NOTARY_CA")
nc=(notary -s "$NOTARY_URL" --tlscacert "$NOTARY_CA" -d "$dir/notary-trust")

# measure NAME CMD...: runs CMD under GNU time; appends "seconds kilobytes"
# to $dir/NAME. The wall time comes from bash's clock, in milliseconds,
# because GNU time prints it in hundredths of a second only.
measure() {
	local name=$1 start end
	shift
	start=$EPOCHREALTIME
	/usr/bin/time -f '%M' -o "$dir/time.out" "$@" >"$dir/cmd.out" 2>"$dir/cmd.err" </dev/null || {
		echo "bench_publish: '$*' failed:" >&2
		cat "$dir/cmd.err" >&2
		exit 1
	}
	end=$EPOCHREALTIME
	awk -v s="$start" -v e="$end" -v k="$(cat "$dir/time.out")" \
		'BEGIN { printf "%.3f %d\n", e - s, k }' >>"$dir/$name"
}

# median NAME COLUMN: the median of column 1 (seconds) or 2 (KiB) of NAME.
median() {
	sort -n -k "$2,$2" "$dir/$1" | awk -v c="$2" '{v[NR] = $c} END {
		if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# manifest N: writes manifest number N and prints its path.
manifest() {
	printf '{"schemaVersion":2,"config":{"digest":"sha256:%064d"},"n":%d}' "$1" "$1" \
		>"$dir/manifest-$1.json"
	echo "$dir/manifest-$1.json"
}

# targets_file FILE FIRST COUNT: lines "tag-N sha256:HEX SIZE".
targets_file() {
	awk -v first="$2" -v count="$3" 'BEGIN {
		for (i = first; i < first + count; i++)
			printf "tag-%d sha256:%064x %d\n", i, i, 1000 + i % 997 }' >"$1"
}

log "one-tag sign, $runs runs each"
"${ts[@]}" init registry.example/bench/tufsign --root-key "$root_key" --targets-key "$targets_key" >/dev/null
"${nc[@]}" init registry.example/bench/notary -p </dev/null >/dev/null
"${nc[@]}" key rotate registry.example/bench/notary snapshot -r </dev/null >/dev/null
for ((i = 1; i <= runs; i++)); do
	m=$(manifest "$i")
	measure tufsign-one "${ts[@]}" sign registry.example/bench/tufsign "v$i" --key "$targets_key" \
		--manifest "$m"
	measure notary-one "${nc[@]}" add registry.example/bench/notary "v$i" "$m" -p
	measure tufsign-proxy "${ts_proxy[@]}" sign registry.example/bench/tufsign "p$i" \
		--key "$targets_key" --manifest "$m"
done

log "1,000-tag batch"
targets_file "$dir/batch.txt" 0 1000
measure tufsign-batch "${ts[@]}" sign registry.example/bench/tufsign --key "$targets_key" \
	--targets-file "$dir/batch.txt"
while read -r tag digest size; do
	"${nc[@]}" addhash registry.example/bench/notary "$tag" "$size" --sha256 "${digest#sha256:}" </dev/null >/dev/null
done <"$dir/batch.txt"
measure notary-batch "${nc[@]}" publish registry.example/bench/notary

for n in 10000 100000; do
	gun=registry.example/bench/large-$n
	log "one-tag sign on $n targets"
	"${ts[@]}" init "$gun" --root-key "$root_key" --targets-key "$targets_key" >/dev/null
	targets_file "$dir/large-$n.txt" 0 "$n"
	"${ts[@]}" sign "$gun" --key "$targets_key" --targets-file "$dir/large-$n.txt" >/dev/null
	for ((i = 1; i <= 3; i++)); do
		measure "tufsign-$n" "${ts[@]}" sign "$gun" "extra-$i" --key "$targets_key" \
			--manifest "$(manifest "$i")"
	done
	bytes=$(curl -sf --cacert "$NOTARY_CA" "$NOTARY_URL/v2/$gun/_trust/tuf/targets.json" | wc -c)
	echo "$bytes" >"$dir/bytes-$n"
done

ratio() {
	awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'
}
t1=$(median tufsign-one 1) m1=$(median tufsign-one 2)
n1=$(median notary-one 1) nm1=$(median notary-one 2)
echo "| measurement | tufsign (SoftHSM2 keys) | notary client (file keys) | tufsign / notary |"
echo "|---|---|---|---|"
echo "| one-tag sign, wall time (median of $runs) | $t1 s | $n1 s | $(ratio "$t1" "$n1") |"
echo "| one-tag sign, peak RSS (median of $runs) | $m1 KiB | $nm1 KiB | $(ratio "$m1" "$nm1") |"
echo "| one-tag sign through p11-kit's proxy module, wall time | $(median tufsign-proxy 1) s | | $(ratio "$(median tufsign-proxy 1)" "$n1") |"
echo "| one-tag sign through p11-kit's proxy module, peak RSS | $(median tufsign-proxy 2) KiB | | $(ratio "$(median tufsign-proxy 2)" "$nm1") |"
tb=$(median tufsign-batch 1) mb=$(median tufsign-batch 2)
nb=$(median notary-batch 1) nmb=$(median notary-batch 2)
echo "| 1,000-tag batch, wall time | $tb s | $nb s (publish only) | $(ratio "$tb" "$nb") |"
echo "| 1,000-tag batch, peak RSS | $mb KiB | $nmb KiB (publish only) | $(ratio "$mb" "$nmb") |"
for n in 10000 100000; do
	echo "| one-tag sign on $n targets ($(cat "$dir/bytes-$n") bytes), wall time (median of 3) | $(median "tufsign-$n" 1) s | | |"
	echo "| one-tag sign on $n targets, peak RSS (median of 3) | $(median "tufsign-$n" 2) KiB | | |"
done
echo
echo "growth 10,000 -> 100,000 targets: wall time x$(ratio "$(median tufsign-100000 1)" "$(median tufsign-10000 1)"), peak RSS x$(ratio "$(median tufsign-100000 2)" "$(median tufsign-10000 2)")"
echo "machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//');" \
	"tufsign $("$tufsign" --version | cut -d' ' -f2), notary $(dpkg-query -W -f '${Version}' notary 2>/dev/null || echo '?')," \
	"softhsm2 $(dpkg-query -W -f '${Version}' softhsm2 2>/dev/null || echo '?')"
