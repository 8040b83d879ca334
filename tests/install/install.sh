#!/bin/bash
# cmake --install puts the tool, the shared library, the public headers, the
# man page, the pkg-config file and the CMake package where a packager expects
# them. A program outside the tree then builds against the installed library,
# once through pkg-config and once through find_package(tufsign).
. "$TUFSIGN_SOURCE_DIR/tests/lib/common.sh"

require_cmd cmake pkg-config cc
prefix=$TEST_DIR/prefix
assert_exit 0 cmake --install "$TUFSIGN_BUILD_DIR" --prefix "$prefix"

libdir=$prefix/lib
if [ ! -d "$libdir/pkgconfig" ]; then
	libdir=$(dirname "$(find "$prefix" -name tufsign.pc -path '*/pkgconfig/*' | head -n 1)")
	libdir=$(dirname "$libdir")
fi
version=$("$TUFSIGN" --version)
version=${version#tufsign }

expected=(
	"$prefix/bin/tufsign"
	"$libdir/libtufsign.so"
	"$libdir/libtufsign.so.${version%%.*}"
	"$libdir/libtufsign.so.$version"
	"$prefix/include/tufsign/error.h"
	"$prefix/include/tufsign/export.h"
	"$prefix/include/tufsign/version.h"
	"$prefix/share/man/man1/tufsign.1"
	"$libdir/pkgconfig/tufsign.pc"
	"$libdir/cmake/tufsign/tufsignConfig.cmake"
	"$libdir/cmake/tufsign/tufsignConfigVersion.cmake"
	"$libdir/cmake/tufsign/tufsignTargets.cmake"
)
for file in "${expected[@]}"; do
	[ -e "$file" ] || fail "'${file#"$prefix"/}' was not installed; installed: $(cd "$prefix" && find . -type f)"
done
[ -x "$prefix/bin/tufsign" ] || fail "bin/tufsign is not executable"
for header in "$TUFSIGN_SOURCE_DIR"/include/tufsign/*.h; do
	[ -e "$prefix/include/tufsign/$(basename "$header")" ] ||
		fail "public header $(basename "$header") was not installed"
done
[ ! -e "$prefix/include/tufsign/version.h.in" ] || fail "the version.h template was installed"
assert_eq 0 "$(find "$prefix/include" -name internal.h | wc -l)" "internal headers installed"

assert_exit 0 "$prefix/bin/tufsign" --version
assert_eq "tufsign $version" "$STDOUT" "installed tool's --version"
assert_exit 0 man -l -P cat "$prefix/share/man/man1/tufsign.1"
assert_contains "$STDOUT" "tufsign"

# Only TUFSIGN_API symbols leave the shared library.
exported=$(nm -D --defined-only "$libdir/libtufsign.so" | awk '$2 == "T" {print $3}')
assert_contains "$exported" "tufsign_version"
assert_eq "" "$(grep -v '^tufsign_' <<<"$exported" || true)" "exported functions without the tufsign_ prefix"

cat >"$TEST_DIR/consumer.c" <<'C'
#include <stdio.h>
#include <string.h>

#include <tufsign/version.h>

int main(void)
{
	if (strcmp(tufsign_version(), TUFSIGN_VERSION) != 0)
		return 1;
	printf("%s\n", tufsign_version());
	return 0;
}
C

# A library built with the sanitizers needs consumers built with them too,
# or the ASan runtime is not loaded first.
consumer_flags=()
if grep -q '^TUFSIGN_SANITIZE:BOOL=ON' "$TUFSIGN_BUILD_DIR/CMakeCache.txt"; then
	consumer_flags=(-fsanitize=address,undefined)
fi

# pkg-config
export PKG_CONFIG_PATH=$libdir/pkgconfig
assert_exit 0 pkg-config --modversion tufsign
assert_eq "$version" "$STDOUT" "pkg-config --modversion tufsign"
# shellcheck disable=SC2046
cc "${consumer_flags[@]}" -o "$TEST_DIR/consumer-pc" "$TEST_DIR/consumer.c" \
	$(pkg-config --cflags --libs tufsign) ||
	fail "cannot build a program with pkg-config's flags for tufsign"
assert_exit 0 env LD_LIBRARY_PATH="$libdir" "$TEST_DIR/consumer-pc"
assert_eq "$version" "$STDOUT" "version from the pkg-config consumer"

# CMake package
mkdir -p "$TEST_DIR/cmake-consumer"
cp "$TEST_DIR/consumer.c" "$TEST_DIR/cmake-consumer/"
cat >"$TEST_DIR/cmake-consumer/CMakeLists.txt" <<'CMAKE'
cmake_minimum_required(VERSION 3.20)
project(consumer LANGUAGES C)
find_package(tufsign REQUIRED)
add_executable(consumer consumer.c)
target_link_libraries(consumer PRIVATE tufsign::tufsign)
CMAKE
assert_exit 0 cmake -S "$TEST_DIR/cmake-consumer" -B "$TEST_DIR/cmake-consumer/build" \
	-DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_C_FLAGS="${consumer_flags[*]}"
assert_exit 0 cmake --build "$TEST_DIR/cmake-consumer/build"
assert_exit 0 "$TEST_DIR/cmake-consumer/build/consumer"
assert_eq "$version" "$STDOUT" "version from the CMake package consumer"
echo "PASS: install tree of tufsign $version"
