#!/bin/bash
# usage: scripts/test.sh
#
# Runs the whole test suite the way CI does: installs missing Debian packages,
# builds with warnings as errors (TUFSIGN_WERROR=ON) and runs ctest, then
# builds again with AddressSanitizer and UndefinedBehaviorSanitizer
# (TUFSIGN_SANITIZE=ON) and runs ctest again. It stops at the first failing
# step, so a failed run ends with the summary of the ctest run that decided
# the result, and the exit status is non-zero on any failure. A run that
# passes ends with a line saying that both suites passed.
# Environment: TUFSIGN_TEST_BUILD_DIR (default: build-test in the source tree)
# is the parent of the two build trees. TUFSIGN_JOBS (default 2) sets the
# parallel jobs of the build and of ctest. TUFSIGN_CTEST_ARGS adds ctest
# arguments, for example "-L integration" or "-E lint".
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
builds=${TUFSIGN_TEST_BUILD_DIR:-$root/build-test}
jobs=${TUFSIGN_JOBS:-2}

"$root/scripts/install-deps.sh" test

# The notary and docker clients and p11-kit look up files under HOME.
HOME=${HOME:-$(getent passwd "$(id -u)" | cut -d: -f6)}
export HOME

# Sanitizer reports end the test with a failure instead of scrolling by. Exit
# code 86 is used by no tufsign status, so a leak never passes for an expected
# error.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:exitcode=86}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

# run_suite NAME CMAKE_OPTIONS...: configure, build and test one build tree.
run_suite() {
	local name=$1 dir=$builds/$1
	shift
	echo "==== $name build: $*"
	cmake -S "$root" -B "$dir" -DTUFSIGN_WERROR=ON "$@"
	cmake --build "$dir" -j "$jobs"
	echo "==== $name tests"
	# shellcheck disable=SC2086
	(cd "$dir" && ctest --output-on-failure --no-tests=error -j "$jobs" ${TUFSIGN_CTEST_ARGS:-})
}

run_suite werror -DTUFSIGN_SANITIZE=OFF
run_suite sanitize -DTUFSIGN_SANITIZE=ON
echo "scripts/test.sh: werror and sanitize suites passed"
