// libFuzzer target: the safetensors reader on arbitrary bytes, then loading the
// result into a small generated model (MiniAlexNet, specs/examples) and, when
// the weights fit, one inference and one training step on them. Only
// modelc::Error may come out; anything else is a finding.
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <vector>

#include <modelc/error.hpp>
#include <modelc/safetensors.hpp>

#include "mini_alexnet.hpp"

namespace {

[[noreturn]] void broken(const char* what) {
  std::fprintf(stderr, "fuzz_safetensors: invariant broken: %s\n", what);
  std::abort();
}

modelc::gen::MiniAlexNet& model() {
  static modelc::gen::MiniAlexNet m(2, modelc::ModelOptions{.threads = 1, .dropout = false});
  return m;
}

// A few small safetensors files as seeds (MiniAlexNet's initial weights among
// them, so mutations start from a file the model accepts).
void write_seeds(const std::string& dir) {
  using modelc::TensorRef;
  model().save_weights(dir + "/mini_alexnet.safetensors");
  const float v[6] = {1, 2, 3, 4, 5, 6};
  const TensorRef two[] = {{"a", {2, 3}, v}, {"b", {0}, {}}};
  modelc::write_safetensors(dir + "/two_tensors.safetensors", two);
  modelc::write_safetensors(dir + "/empty.safetensors", {});
}

}  // namespace

// MODELC_FUZZ_WRITE_SEEDS=DIR: write the seed files into DIR and exit.
extern "C" int LLVMFuzzerInitialize(int*, char***) {
  if (const char* dir = std::getenv("MODELC_FUZZ_WRITE_SEEDS")) {
    write_seeds(dir);
    std::exit(0);
  }
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace modelc;
  std::optional<SafetensorsFile> file;
  try {
    file.emplace(
        SafetensorsFile::parse(std::vector<unsigned char>(data, data + size), "fuzz.safetensors"));
  } catch (const Error&) {
    return 0;
  }
  size_t floats = 0;
  for (const TensorInfo& t : file->tensors()) {
    if (file->find(t.name) != &t) broken("find() does not return the tensor of that name");
    size_t n = 1;
    for (int64_t d : t.shape) n *= static_cast<size_t>(d);
    if (n != t.data.size()) broken("a tensor's shape disagrees with its data");
    floats += t.data.size();
  }
  if (8 + floats * 4 > size) broken("tensors hold more data than the file");
  volatile float sink = 0;  // every float is readable (ASan checks the spans)
  for (const TensorInfo& t : file->tensors())
    for (float v : t.data) sink = sink + v;

  gen::MiniAlexNet& m = model();
  try {
    m.load_weights(*file, "fuzz.safetensors");
  } catch (const Error&) {
    return 0;
  }
  // The weights fit: the model must run on them (NaN and Inf included) without
  // reading or writing out of bounds.
  std::vector<float> x(2 * static_cast<size_t>(m.input_size()), 0.5f);
  (void)m.forward(x, 2);
  const int32_t labels[2] = {0, 9};
  (void)m.loss_and_grad(x, labels, 2);
  m.init_weights(0);
  return 0;
}
