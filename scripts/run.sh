#!/usr/bin/env bash
# The main job: for each of the four model specs, check and summarise it,
# generate its C++, build it, and run one forward pass at batch 1 with freshly
# initialised weights; the spec v2 networks (MobileNetV2, EfficientNet-B0,
# ConvNeXt-T) are checked, summarised and generated too (zoo_model_tests
# builds and runs them). Installs dependencies and builds into build/ first.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j"$(nproc)" --target modelc four_models

modelc=build/compiler/modelc
specs=(specs/alexnet.yaml specs/vgg16.yaml specs/googlenet.yaml specs/resnet50.yaml
       specs/mobilenet_v2.yaml specs/efficientnet_b0.yaml specs/convnext_tiny.yaml)

echo "== check"
"$modelc" check "${specs[@]}" && echo "all ${#specs[@]} specs check clean"
for s in "${specs[@]}"; do
  echo
  echo "== summary $s"
  "$modelc" summary "$s"
done

echo
echo "== generate"
mkdir -p build/generated
for s in "${specs[@]}"; do
  "$modelc" generate "$s" -o build/generated
done
ls -l build/generated

echo
echo "== forward pass, batch 1, freshly initialised weights"
build/examples/four_models/four_models
