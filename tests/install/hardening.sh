#!/bin/bash
# The tool and the shared library carry the hardening the build asks for: a
# position-independent executable, full RELRO (read-only relocations and
# BIND_NOW), a non-executable stack, the stack protector and, outside
# sanitizer builds, _FORTIFY_SOURCE checks.
. "$TUFSIGN_SOURCE_DIR/tests/lib/common.sh"

require_cmd readelf nm
library=$TUFSIGN_BUILD_DIR/libtufsign.so
[ -e "$library" ] || fail "shared library '$library' not found"
sanitize=0
if grep -q '^TUFSIGN_SANITIZE:BOOL=ON' "$TUFSIGN_BUILD_DIR/CMakeCache.txt"; then
	sanitize=1
fi

assert_contains "$(readelf -h "$TUFSIGN")" "DYN (Position-Independent Executable file)" \
	"ELF type of tufsign"
for binary in "$TUFSIGN" "$library"; do
	name=$(basename "$binary")
	segments=$(readelf -lW "$binary")
	assert_contains "$segments" "GNU_RELRO" "program headers of $name"
	stack=$(awk '$1 == "GNU_STACK" {print $7}' <<<"$segments")
	assert_eq RW "$stack" "GNU_STACK flags of $name"
	assert_contains "$(readelf -d "$binary")" "BIND_NOW" "dynamic section of $name"
	symbols=$(nm -D "$binary")
	assert_contains "$symbols" "__stack_chk_fail" "imports of $name"
	if [ "$sanitize" = 0 ]; then
		assert_contains "$symbols" "__snprintf_chk" "imports of $name (_FORTIFY_SOURCE)"
	fi
done
echo "PASS: tufsign and libtufsign.so are hardened"
