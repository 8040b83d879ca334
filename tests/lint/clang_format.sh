#!/bin/bash
# usage: clang_format.sh [FILE...]
#
# Fails when a C source or header differs from what clang-format makes of it
# with the tree's .clang-format, and lists every such file. Without arguments
# it checks every .c and .h file under src, engines, include and tests.
# To fix a file: clang-format -i FILE
. "$TUFSIGN_SOURCE_DIR/tests/lib/common.sh"

require_cmd clang-format
cd "$TUFSIGN_SOURCE_DIR"
if [ $# -eq 0 ]; then
	mapfile -t files < <(find src engines include tests -type f \( -name '*.c' -o -name '*.h' \) | sort)
else
	files=("$@")
fi
[ ${#files[@]} -gt 0 ] || fail "no C files to check"

# The check must see a badly formatted file.
printf 'int  f( void ){return 0;}\n' >"$TEST_DIR/probe.c"
cp .clang-format "$TEST_DIR/"
assert_exit 1 clang-format --dry-run --Werror "$TEST_DIR/probe.c"

unformatted=()
for file in "${files[@]}"; do
	if ! clang-format --dry-run --Werror "$file" >/dev/null 2>&1; then
		unformatted+=("$file")
	fi
done
if [ ${#unformatted[@]} -gt 0 ]; then
	printf 'not formatted: %s\n' "${unformatted[@]}" >&2
	fail "${#unformatted[@]} of ${#files[@]} files are not formatted; run clang-format -i on them"
fi
echo "PASS: ${#files[@]} files formatted"
