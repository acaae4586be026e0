#include "fashion_data.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <stdexcept>

#include "idx.hpp"

namespace fashion {
namespace {

// dir/name.gz, or dir/name when only the uncompressed file is there.
std::string find_file(const std::string& dir, const std::string& name) {
  namespace fs = std::filesystem;
  const fs::path gz = fs::path(dir) / (name + ".gz");
  const fs::path plain = fs::path(dir) / name;
  if (!fs::exists(gz) && fs::exists(plain)) return plain.string();
  if (!fs::exists(gz) && fs::path(dir) == fs::path(kDefaultDataDir))
    throw std::runtime_error(gz.string() +
                             ": not found; install the data set with "
                             "`apt-get install dataset-fashion-mnist` (scripts/deps.sh does)");
  return gz.string();  // read_idx reports it missing, naming the file
}

// One split with pixels scaled to [0, 1]; the first `limit` images when limit > 0.
Split load_split(const std::string& dir, const std::string& prefix, int64_t limit) {
  const std::string image_path = find_file(dir, prefix + "-images-idx3-ubyte");
  const std::string label_path = find_file(dir, prefix + "-labels-idx1-ubyte");
  const IdxArray images = read_idx(image_path, {-1, kSide, kSide});
  const IdxArray labels = read_idx(label_path, {-1});
  if (images.dims[0] != labels.dims[0])
    throw std::runtime_error(image_path + " has " + std::to_string(images.dims[0]) +
                             " images, but " + label_path + " has " +
                             std::to_string(labels.dims[0]) + " labels");
  for (size_t i = 0; i < labels.data.size(); ++i)
    if (labels.data[i] >= kClasses)
      throw std::runtime_error(label_path + ": label " + std::to_string(labels.data[i]) +
                               " of image " + std::to_string(i) + " is outside 0.." +
                               std::to_string(kClasses - 1));

  const int64_t n = limit > 0 ? std::min(limit, images.dims[0]) : images.dims[0];
  Split s;
  s.labels.assign(labels.data.begin(), labels.data.begin() + n);
  s.images.resize(static_cast<size_t>(n * kPixels));
  for (size_t i = 0; i < s.images.size(); ++i)
    s.images[i] = static_cast<float>(images.data[i]) / 255.0f;
  return s;
}

}  // namespace

Dataset load_dataset(const std::string& dir, int64_t train_limit, int64_t test_limit) {
  Dataset d;
  d.train = load_split(dir, "train", 0);
  d.test = load_split(dir, "t10k", test_limit);

  double sum = 0, sum2 = 0;
  for (float v : d.train.images) {
    sum += v;
    sum2 += double{v} * v;
  }
  const double count = static_cast<double>(d.train.images.size());
  const double mean = sum / count;
  d.mean = static_cast<float>(mean);
  d.stddev = static_cast<float>(std::sqrt(std::max(sum2 / count - mean * mean, 1e-12)));

  if (train_limit > 0 && train_limit < d.train.count()) {
    d.train.labels.resize(static_cast<size_t>(train_limit));
    d.train.images.resize(static_cast<size_t>(train_limit * kPixels));
  }
  for (Split* s : {&d.train, &d.test})
    for (float& v : s->images) v = (v - d.mean) / d.stddev;
  return d;
}

}  // namespace fashion
