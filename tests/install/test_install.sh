#!/usr/bin/env bash
# Installs the freshly built modelc into a scratch prefix, then builds
# examples/hello as an unrelated CMake project against it (find_package(modelc),
# modelc_add_model) and runs it: the path a new user takes.
# Usage: test_install.sh <build dir> <source dir> <scratch dir> [<C++ compiler> <flags>]
# (a sanitizer build passes its compiler and -fsanitize flags, which the
# installed runtime then needs in the consumer too).
set -euo pipefail
build=$1 src=$2 work=$3
extra=()
[ $# -ge 5 ] && extra=(-DCMAKE_CXX_COMPILER="$4" -DCMAKE_CXX_FLAGS="$5" -DCMAKE_EXE_LINKER_FLAGS="$5")
rm -rf "$work"
cmake --install "$build" --prefix "$work/prefix" >/dev/null
cmake -S "$src/examples/hello" -B "$work/hello" -DCMAKE_BUILD_TYPE=Release \
      -DCMAKE_PREFIX_PATH="$work/prefix" "${extra[@]}" >/dev/null
cmake --build "$work/hello" -j2 >/dev/null
out=$("$work/hello/hello")
echo "$out"
grep -q "top-5 of 10 classes" <<<"$out"
[ "$(grep -c "  class " <<<"$out")" -eq 5 ]
echo "installed package: find_package(modelc) + modelc_add_model build and run: ok"
