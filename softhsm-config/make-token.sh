#!/bin/bash
# usage: make-token.sh DIR LABEL SO_PIN PIN
#
# Makes a throwaway SoftHSM2 token under DIR (created if missing, must hold
# no token yet) and writes DIR/token.env for tests and the demo to source:
#   SOFTHSM2_CONF         DIR/softhsm2.conf, made from softhsm2.conf.in
#   SOFTHSM2_MODULE       the SoftHSM2 PKCS#11 module (also PKCS11_MODULE_PATH,
#                         which the libp11 engine reads)
#   P11KIT_PROXY_MODULE   p11-kit's proxy module
#   HOME                  DIR/home, whose .config/pkcs11 makes p11-kit load this
#                         SoftHSM2 and no other module (p11-kit ignores user
#                         configuration for root, see write_p11kit_config)
#   TOKEN_DIR TOKEN_LABEL TOKEN_SO_PIN TOKEN_PIN TOKEN_PIN_FILE TOKEN_URI
# The env file is also printed on stdout without the PIN lines, which stay
# in token.env and DIR/pin only, so a log of the run holds no PIN.
# Nothing runs in the background: removing DIR removes the token.
# Needs (Debian): softhsm2, p11-kit-modules (for the proxy).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

die() {
	echo "make-token.sh: $*" >&2
	exit 1
}

find_first() {
	local f
	for f in "$@"; do
		if [ -e "$f" ]; then
			echo "$f"
			return 0
		fi
	done
	return 1
}

softhsm_module() {
	if [ -n "${SOFTHSM2_MODULE:-}" ]; then
		[ -e "$SOFTHSM2_MODULE" ] || die "SOFTHSM2_MODULE '$SOFTHSM2_MODULE' does not exist"
		echo "$SOFTHSM2_MODULE"
		return 0
	fi
	find_first /usr/lib/*/softhsm/libsofthsm2.so /usr/lib/softhsm/libsofthsm2.so \
		/usr/lib64/softhsm/libsofthsm2.so ||
		die "libsofthsm2.so not found; install the softhsm2 package"
}

proxy_module() {
	local p
	p=$(pkg-config --variable=proxy_module p11-kit-1 2>/dev/null || true)
	if [ -n "$p" ] && [ -e "$p" ]; then
		echo "$p"
		return 0
	fi
	find_first /usr/lib/*/p11-kit-proxy.so /usr/lib64/p11-kit-proxy.so || true
}

# p11-kit reads $HOME/.config/pkcs11/modules. A user file named like a system
# one replaces it, so every system module except SoftHSM2 is enabled only in a
# program that does not exist. p11-kit 0.24 skips user configuration when it
# runs as root; there the system files apply, and on Debian 12 they hide
# p11-kit-trust from the proxy and opensc shows no slot without a reader, so
# the proxy still lists only the SoftHSM2 slots.
write_p11kit_config() {
	local module=$1 modules=$2/.config/pkcs11/modules other name
	mkdir -p "$modules"
	printf 'module: %s\ncritical: yes\n' "$module" >"$modules/softhsm2.module"
	for other in /usr/share/p11-kit/modules/*.module /etc/pkcs11/modules/*.module; do
		[ -e "$other" ] || continue
		name=$(basename "$other")
		[ "$name" = softhsm2.module ] && continue
		printf 'enable-in: tufsign-test-no-program\n' >"$modules/$name"
	done
}

# Single quotes keep paths with spaces intact; values with a quote are rejected.
env_line() {
	case $2 in
	*\'*) die "value of $1 contains a single quote: $2" ;;
	esac
	printf "export %s='%s'\n" "$1" "$2"
}

[ $# -eq 4 ] || {
	sed -n '2s/^# //p' "$0" >&2
	exit 2
}
dir=$1
label=$2
so_pin=$3
pin=$4
[ -n "$label" ] || die "empty token label"
[ ${#pin} -ge 4 ] || die "user PIN must have at least 4 characters (SoftHSM2 minimum)"
[ ${#so_pin} -ge 4 ] || die "SO PIN must have at least 4 characters (SoftHSM2 minimum)"
command -v softhsm2-util >/dev/null || die "softhsm2-util not found; install the softhsm2 package"

mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
[ -e "$dir/softhsm2.conf" ] && die "'$dir' already contains a token; use a new directory"
module=$(softhsm_module)
proxy=$(proxy_module)

mkdir -p "$dir/tokens"
sed "s|@TOKEN_DIR@|$dir/tokens|" "$here/softhsm2.conf.in" >"$dir/softhsm2.conf"
SOFTHSM2_CONF=$dir/softhsm2.conf softhsm2-util --init-token --free --label "$label" \
	--so-pin "$so_pin" --pin "$pin" >"$dir/init.log" 2>&1 ||
	die "softhsm2-util --init-token failed: $(cat "$dir/init.log")"
write_p11kit_config "$module" "$dir/home"
(
	umask 077
	printf '%s\n' "$pin" >"$dir/pin"
)

{
	env_line SOFTHSM2_CONF "$dir/softhsm2.conf"
	env_line SOFTHSM2_MODULE "$module"
	env_line PKCS11_MODULE_PATH "$module"
	env_line P11KIT_PROXY_MODULE "$proxy"
	env_line HOME "$dir/home"
	env_line TOKEN_DIR "$dir"
	env_line TOKEN_LABEL "$label"
	env_line TOKEN_SO_PIN "$so_pin"
	env_line TOKEN_PIN "$pin"
	env_line TOKEN_PIN_FILE "$dir/pin"
	env_line TOKEN_URI "pkcs11:token=$label"
} >"$dir/token.env"
grep -v -e '^export TOKEN_SO_PIN=' -e '^export TOKEN_PIN=' "$dir/token.env"
