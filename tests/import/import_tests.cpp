// Imported models against PyTorch: each network of data/ (a U-Net with
// ConvTranspose and batchnorms after its convs; ConvTranspose + Resize +
// asymmetric Pad + ceil/count_include_pad pools + LeakyReLU/ELU/GELU/SiLU/
// hardswish; and mini_zoo with the MobileNet/ShuffleNet/ConvNeXt patterns)
// imported by the build, run once on PyTorch's input, compared with PyTorch's
// float64 output: max |modelc - torch| / max |torch| <= 1e-4.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <string>
#include <vector>

#include "mini_zoo.hpp"
#include "tiny_unet.hpp"
#include "up_net.hpp"

namespace {

template <typename T>
std::vector<T> read_bin(const std::string& path) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  REQUIRE_MESSAGE(in, path);
  const auto bytes = static_cast<size_t>(in.tellg());
  std::vector<T> v(bytes / sizeof(T));
  in.seekg(0);
  in.read(reinterpret_cast<char*>(v.data()), static_cast<std::streamsize>(bytes));
  return v;
}

template <typename Net>
double relative_error(const std::string& name) {
  Net net(/*max_batch=*/1);
  net.load_weights(std::string(MODELC_IMPORTED) + "/" + name + ".safetensors");
  const auto input = read_bin<float>(std::string(MODELC_IMPORT_DATA) + "/" + name + ".input.bin");
  const auto want = read_bin<double>(std::string(MODELC_IMPORT_DATA) + "/" + name + ".expect.bin");
  REQUIRE(static_cast<int64_t>(input.size()) == net.input_size());
  const auto got = net.forward(input, 1);
  REQUIRE(got.size() == want.size());
  double err = 0, scale = 0;
  for (size_t i = 0; i < want.size(); ++i) {
    err = std::max(err, std::abs(static_cast<double>(got[i]) - want[i]));
    scale = std::max(scale, std::abs(want[i]));
  }
  return err / scale;
}

}  // namespace

TEST_CASE("imported models agree with PyTorch float64") {
  const double tol = 1e-4;
  const double unet = relative_error<modelc::gen::Imported_tiny_unet>("tiny_unet");
  const double up = relative_error<modelc::gen::Imported_up_net>("up_net");
  const double zoo = relative_error<modelc::gen::Imported_mini_zoo>("mini_zoo");
  MESSAGE("relative error: tiny_unet ", unet, ", up_net ", up, ", mini_zoo ", zoo);
  CHECK(unet <= tol);
  CHECK(up <= tol);
  CHECK(zoo <= tol);
}
