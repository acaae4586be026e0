#!/usr/bin/env bash
# The main job (for now): check and summarise the four model specs.
# Installs dependencies, builds (build/), runs `modelc check` and `modelc summary`.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j"$(nproc)" --target modelc
specs=(specs/alexnet.yaml specs/vgg16.yaml specs/googlenet.yaml specs/resnet50.yaml)
build/compiler/modelc check "${specs[@]}"
for spec in "${specs[@]}"; do
  echo
  build/compiler/modelc summary "$spec"
done
