#!/usr/bin/env bash
# Installs modelc's build dependencies (Debian 12 packages) when any is missing.
# Called by scripts/run.sh and scripts/test.sh; safe to run again.
# `scripts/deps.sh --import` also installs PyTorch, torchvision and the ONNX
# Python package, which only tests/import/check_models.py needs (the whole
# torchvision list against PyTorch; about 1 GB installed, so not by default).
set -euo pipefail

packages=(
  cmake g++ make pkg-config ccache
  libyaml-cpp-dev      # spec parsing
  libfmt-dev           # formatting, code emission
  libcli11-dev         # modelc's argument parser (header-only CLI11: --opt=value, --,
                       # the options of each command; compiler/src/cli.cpp)
  libeigen3-dev        # runtime kernels (GEMM)
  doctest-dev          # tests
  nlohmann-json3-dev   # safetensors JSON header
  zlib1g-dev           # gzipped IDX files (Fashion-MNIST example)
  dataset-fashion-mnist  # the Fashion-MNIST IDX files, /usr/share/datasets/fashion-mnist
                         # (examples/train_fashion and its tests; 30 MB, no dependencies)
  clang-14 libclang-rt-14-dev  # libFuzzer and clang's sanitizer runtimes (tests/fuzz)
  clang-format         # scripts/format.sh --check: the house style (.clang-format)
  libonnx-dev libprotobuf-dev  # `modelc import`: ONNX's own protobuf schema, checker and shape
                               # inference read the models (compiler/src/import)
)
if [ "${1:-}" = "--import" ]; then
  packages+=(python3-torch python3-torchvision python3-onnx python3-numpy)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "modelc: installing ${missing[*]}" >&2
sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
