#!/usr/bin/env bash
# The whole test suite, what CI runs (.ci/run). Installs dependencies, then:
#   0. scripts/format.sh --check: every C++ file as .clang-format lays it out.
#   1. build/ (Release, g++): every target; ctest: every test.
#   2. build-asan/ (ASan + UBSan, g++, MODELC_BIG_MODELS=OFF): everything but
#      the four big models; ctest: every test there. A sanitizer report aborts
#      its test (halt_on_error, -fno-sanitize-recover), so it fails the suite.
#   3. build-fuzz/ (clang, libFuzzer): the three fuzzers, their kept corpus and then
#      MODELC_FUZZ_SECONDS (default 30) each from the seeds; a finding fails.
# docs/testing.md says what each stage runs and how long it takes.
#
#   scripts/test.sh [--quick] [ctest args...]
#
# --quick (or MODELC_TEST_QUICK=1): stage 1 only, for a developer's loop.
# ctest args go to stage 1 (e.g. -R compiler). The four big models under the
# sanitizers are a separate, slow command: scripts/test_sanitize.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
quick=${MODELC_TEST_QUICK:-0}
if [ "${1:-}" = "--quick" ]; then
  quick=1
  shift
fi
jobs=$(nproc)
stage() { printf '\n== %s (%s)\n' "$1" "$(date +%T)"; }
start=$SECONDS

scripts/deps.sh
stage "0/3 the house style: scripts/format.sh --check"
scripts/format.sh --check
stage "1/3 build/: Release build, every test"
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j"$jobs"
ctest --test-dir build --output-on-failure -j"$jobs" "$@"
if [ "$quick" = 1 ]; then
  echo "scripts/test.sh --quick: passed in $((SECONDS - start)) s (sanitizer and fuzz stages skipped)"
  exit 0
fi

stage "2/3 build-asan/: ASan + UBSan, all but the four big models"
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DMODELC_SANITIZE=ON \
      -DMODELC_BIG_MODELS=OFF >/dev/null
cmake --build build-asan -j"$jobs"
ASAN_OPTIONS=detect_leaks=1:halt_on_error=1:abort_on_error=1:strict_string_checks=1:detect_stack_use_after_return=1 \
UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --test-dir build-asan --output-on-failure -j"$jobs"

stage "3/3 build-fuzz/: libFuzzer, ${MODELC_FUZZ_SECONDS:-30} s per target"
tests/fuzz/run_fuzzers.sh "${MODELC_FUZZ_SECONDS:-30}"

echo "scripts/test.sh: every stage passed in $((SECONDS - start)) s"
