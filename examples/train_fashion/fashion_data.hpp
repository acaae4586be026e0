// Fashion-MNIST in memory: images normalised to zero mean and unit variance
// (statistics of the training set), labels 0..9, and the class names.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace fashion {

inline constexpr int kSide = 28;
inline constexpr int kPixels = kSide * kSide;
inline constexpr int kClasses = 10;
inline constexpr std::array<std::string_view, kClasses> kClassNames = {
    "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
    "Sandal",      "Shirt",   "Sneaker",  "Bag",   "Ankle boot"};

// Where Debian's dataset-fashion-mnist package puts the files.
inline constexpr const char* kDefaultDataDir = "/usr/share/datasets/fashion-mnist";

struct Split {
  std::vector<float> images;  // count * kPixels, NHWC with C = 1
  std::vector<int32_t> labels;
  int64_t count() const { return static_cast<int64_t>(labels.size()); }
};

struct Dataset {
  Split train, test;
  float mean = 0, stddev = 1;  // of the raw training pixels scaled to [0, 1]
};

// Reads {train,t10k}-{images-idx3,labels-idx1}-ubyte.gz from dir (or the same
// names without .gz). train_limit/test_limit > 0 keep only the first images of
// each split (the normalisation statistics always come from the whole
// training set). Throws std::runtime_error naming the file on any problem.
Dataset load_dataset(const std::string& dir, int64_t train_limit = 0, int64_t test_limit = 0);

}  // namespace fashion
