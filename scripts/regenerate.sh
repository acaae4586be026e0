#!/usr/bin/env bash
# Rewrites generated/ from specs/ with the freshly built modelc.
set -euo pipefail
cd "$(dirname "$0")/.."
cmake --build build --target modelc >/dev/null
for s in specs/*.yaml; do build/compiler/modelc generate "$s" -o generated; done
echo "generated/ updated"
