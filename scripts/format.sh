#!/usr/bin/env bash
# The tree's C++ in the house style (.clang-format, clang-format 14 as Debian 12
# ships it). `scripts/format.sh` rewrites the files; `scripts/format.sh --check`
# lists those that differ and fails (scripts/test.sh runs it first).
# generated/ is the compiler's output and is not formatted: CodeWriter lays it out.
set -euo pipefail
cd "$(dirname "$0")/.."
mode=fix
if [ "${1:-}" = "--check" ]; then mode=check; fi
if ! command -v clang-format >/dev/null; then
  echo "scripts/format.sh: clang-format not found (apt-get install clang-format)" >&2
  exit 1
fi
mapfile -t files < <(git ls-files 'compiler/*.cpp' 'compiler/*.hpp' 'runtime/*.cpp' 'runtime/*.hpp' \
                                  'tests/*.cpp' 'tests/*.hpp' 'bench/*.cpp' 'bench/*.hpp' \
                                  'examples/*.cpp' 'examples/*.hpp')
if [ "$mode" = fix ]; then
  clang-format -i "${files[@]}"
  exit 0
fi
bad=0
for f in "${files[@]}"; do
  if ! clang-format "$f" | cmp -s - "$f"; then
    echo "not formatted: $f (run scripts/format.sh)"
    bad=1
  fi
done
exit $bad
