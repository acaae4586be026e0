#!/usr/bin/env bash
# Builds the libFuzzer targets (clang, ASan + UBSan, build-fuzz/) and runs each
# for SECONDS (default 60): first the kept corpus (tests/fuzz/corpus/<target>,
# crash regressions), then fuzzing from the seeds (every spec and bad spec in
# the repo; generated safetensors files; the ONNX files of tests/import/data). Exits non-zero on any crash, leak,
# timeout or sanitizer report, leaving the input in build-fuzz/fuzz/artifacts/.
#
#   tests/fuzz/run_fuzzers.sh [SECONDS] [TARGET...]     TARGET: frontend safetensors import
#
# One process per target, one after the other (-jobs is not used), so it takes
# about 3 x SECONDS plus the build. A crash becomes a regression: copy the
# artifact into tests/fuzz/corpus/<target>/, fix the bug, commit both.
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds=${1:-60}
shift || true
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(frontend safetensors import)

clang=$(command -v clang++-14 || command -v clang++ || true)
if [ -z "$clang" ]; then
  echo "run_fuzzers: clang++ not found (Debian: clang-14 libclang-rt-14-dev)" >&2
  exit 2
fi
build=build-fuzz
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER="$clang" \
      -DMODELC_FUZZ=ON -DMODELC_BUILD_TESTS=OFF >/dev/null
cmake --build "$build" -j"$(nproc)" --target $(printf 'fuzz_%s ' "${targets[@]}") >/dev/null

work=$build/fuzz
mkdir -p "$work"
# Seeds, rebuilt every run so they follow the repo.
rm -rf "$work/seeds"
mkdir -p "$work/seeds/frontend" "$work/seeds/safetensors" "$work/seeds/import"
cp tests/import/data/*.onnx "$work/seeds/import/"
for f in specs/*.yaml specs/examples/*.yaml tests/compiler/bad_specs/*.yaml \
         tests/models/specs/*.yaml tests/compiler/data/*.yaml examples/hello/*.yaml; do
  cp "$f" "$work/seeds/frontend/$(echo "$f" | tr / _)"
done
MODELC_FUZZ_WRITE_SEEDS="$work/seeds/safetensors" "$build/tests/fuzz/fuzz_safetensors"

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
status=0
for t in "${targets[@]}"; do
  bin=$build/tests/fuzz/fuzz_$t
  mkdir -p "$work/corpus/$t" "$work/artifacts/$t"
  log=$work/$t.log
  echo "== fuzz_$t: ${seconds}s (log: $log)"
  # The kept corpus first, on its own: every regression must pass.
  if ! "$bin" -runs=0 "tests/fuzz/corpus/$t" >"$work/$t.corpus.log" 2>&1; then
    echo "fuzz_$t: a kept input in tests/fuzz/corpus/$t fails; see $work/$t.corpus.log" >&2
    status=1
    continue
  fi
  dict=()
  [ -f "tests/fuzz/$t.dict" ] && dict=(-dict="tests/fuzz/$t.dict")
  # -timeout: one input running 10 s is a hang; -rss_limit_mb: an allocation spree.
  if "$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 "${dict[@]}" \
         -artifact_prefix="$work/artifacts/$t/" \
         "$work/corpus/$t" "$work/seeds/$t" "tests/fuzz/corpus/$t" >"$log" 2>&1; then
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    echo "fuzz_$t: clean, ${runs:-?} executions in ${seconds}s; corpus $(ls "$work/corpus/$t" | wc -l) files"
  else
    echo "fuzz_$t: FAILED; input kept in $work/artifacts/$t/:" >&2
    ls "$work/artifacts/$t/" >&2
    grep -m5 -E "ERROR|runtime error|invariant|deadly|uncaught|terminate" "$log" >&2 || true
    status=1
  fi
done
exit $status
