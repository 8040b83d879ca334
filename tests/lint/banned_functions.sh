#!/bin/bash
# usage: banned_functions.sh [DIR_OR_FILE...]
#
# Fails when a C source or header of the project calls sprintf, vsprintf,
# strcpy, strcat, atoi or gets: they write without a bound or fail silently.
# Use snprintf, memcpy with a checked length, or strtol/strtoul with an end
# pointer and errno instead. Without arguments it checks src, engines,
# include and tests; first it checks itself on a file with a banned call.
. "$TUFSIGN_SOURCE_DIR/tests/lib/common.sh"

pattern='(^|[^A-Za-z0-9_])(v?sprintf|strcpy|strcat|atoi|gets)[[:space:]]*\('

# find_banned PATH...: prints FILE:LINE: TEXT for every call found.
find_banned() {
	find "$@" -type f \( -name '*.c' -o -name '*.h' \) -print0 |
		xargs -0 -r grep -nE "$pattern" || true
}

probe=$TEST_DIR/probe.c
printf 'int f(char *d, const char *s)\n{\n\tstrcpy(d, s);\n\treturn atoi (s);\n}\n' >"$probe"
printf 'int g(char *d)\n{\n\treturn snprintf(d, 4, "%%d", 1) + my_strcpy_n(d);\n}\n' >"$TEST_DIR/clean.c"
assert_eq 2 "$(find_banned "$probe" | wc -l)" "banned calls found in the probe file"
assert_eq 0 "$(find_banned "$TEST_DIR/clean.c" | wc -l)" "banned calls found in the clean file"

if [ $# -eq 0 ]; then
	cd "$TUFSIGN_SOURCE_DIR"
	set -- src engines include tests
fi
found=$(find_banned "$@")
if [ -n "$found" ]; then
	echo "$found" >&2
	fail "banned functions are called (use snprintf, memcpy with a checked length, strtol)"
fi
echo "PASS: no banned function calls in $*"
