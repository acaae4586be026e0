#!/usr/bin/env bash
# The whole test suite built with AddressSanitizer + UndefinedBehaviorSanitizer
# (MODELC_SANITIZE=ON: every target, the generated models included) in
# build-asan/, then ctest. Any sanitizer report aborts its test, so a clean run
# means no report. scripts/test.sh runs the same minus the four big models
# (MODELC_BIG_MODELS=OFF, same build dir); this adds them and four_model_tests,
# which take over half an hour (docs/testing.md has the measured time).
#   scripts/test_sanitize.sh [ctest args...]
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DMODELC_SANITIZE=ON \
      -DMODELC_BIG_MODELS=ON >/dev/null
cmake --build build-asan -j"$(nproc)"
# detect_leaks: leaks are findings too. abort_on_error: a report fails the test.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:strict_string_checks=1:detect_stack_use_after_return=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
ctest --test-dir build-asan --output-on-failure -j"$(nproc)" "$@"
