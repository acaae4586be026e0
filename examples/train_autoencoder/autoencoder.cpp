#include "autoencoder.hpp"

#include <zlib.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <random>
#include <span>
#include <stdexcept>

namespace autoencoder {
namespace {

using fashion::kPixels;
using fashion::kSide;

void write_bytes(const std::string& path, const std::string& bytes) {
  std::ofstream f(path, std::ios::binary);
  f << bytes;
  f.close();
  if (!f) throw std::runtime_error(path + ": cannot write");
}

void put_be32(std::string& s, uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) s += static_cast<char>((v >> shift) & 0xff);
}

// One PNG chunk: length, type, data, CRC of type and data.
void put_chunk(std::string& s, const char* type, const std::string& data) {
  put_be32(s, static_cast<uint32_t>(data.size()));
  const std::string body = std::string(type, 4) + data;
  s += body;
  put_be32(s, static_cast<uint32_t>(crc32(0, reinterpret_cast<const Bytef*>(body.data()),
                                          static_cast<uInt>(body.size()))));
}

}  // namespace

std::vector<float> pixels(const fashion::Split& split, const fashion::Dataset& data) {
  std::vector<float> out(split.images.size());
  for (size_t i = 0; i < out.size(); ++i)
    out[i] = std::clamp(split.images[i] * data.stddev + data.mean, 0.0f, 1.0f);
  return out;
}

std::vector<float> mean_image(const std::vector<float>& images) {
  const size_t count = images.size() / kPixels;
  std::vector<double> sum(kPixels, 0.0);
  for (size_t i = 0; i < count; ++i)
    for (size_t p = 0; p < kPixels; ++p) sum[p] += images[i * kPixels + p];
  std::vector<float> mean(kPixels, 0.0f);
  if (count)
    for (size_t p = 0; p < kPixels; ++p)
      mean[p] = static_cast<float>(sum[p] / static_cast<double>(count));
  return mean;
}

std::vector<float> mean_image(const fashion::Split& split, const fashion::Dataset& data) {
  const size_t count = split.images.size() / kPixels;
  std::vector<double> sum(kPixels, 0.0);
  for (size_t i = 0; i < count; ++i)
    for (size_t p = 0; p < kPixels; ++p)
      sum[p] += std::clamp(split.images[i * kPixels + p] * data.stddev + data.mean, 0.0f, 1.0f);
  std::vector<float> mean(kPixels, 0.0f);
  if (count)
    for (size_t p = 0; p < kPixels; ++p)
      mean[p] = static_cast<float>(sum[p] / static_cast<double>(count));
  return mean;
}

double mse_against_image(const std::vector<float>& images, const std::vector<float>& image) {
  double sum = 0;
  for (size_t i = 0; i < images.size(); ++i) {
    const double d = double{images[i]} - image[i % kPixels];
    sum += d * d;
  }
  return images.empty() ? 0.0 : sum / static_cast<double>(images.size());
}

double reconstruction_mse(modelc::Model& net, const fashion::Split& split,
                          const std::vector<float>& targets, std::vector<float>* reconstructions) {
  const int64_t n = static_cast<int64_t>(split.images.size() / kPixels);
  if (targets.size() != split.images.size())
    throw std::invalid_argument("reconstruction_mse: " + std::to_string(targets.size()) +
                                " target floats for " + std::to_string(split.images.size()) +
                                " image floats");
  if (reconstructions) reconstructions->resize(split.images.size());
  double sum = 0;
  for (int64_t start = 0; start < n; start += net.max_batch()) {
    const int b = static_cast<int>(std::min<int64_t>(net.max_batch(), n - start));
    const auto first = static_cast<size_t>(start * kPixels),
               floats = static_cast<size_t>(b) * kPixels;
    const auto out = net.forward(std::span(split.images).subspan(first, floats), b);
    for (size_t i = 0; i < floats; ++i) {
      const double d = double{out[i]} - targets[first + i];
      sum += d * d;
    }
    if (reconstructions) std::copy(out.begin(), out.end(), reconstructions->begin() + first);
  }
  return n ? sum / static_cast<double>(split.images.size()) : 0.0;
}

std::vector<EpochRow> train(modelc::Model& net, const fashion::Dataset& data,
                            const fashion::TrainOptions& o, const Progress& progress,
                            const EpochDone& epoch_done) {
  if (o.batch < 1 || o.batch > net.max_batch())
    throw std::invalid_argument("batch " + std::to_string(o.batch) + " is outside 1.." +
                                std::to_string(net.max_batch()));
  if (net.input_size() != kPixels || net.target_size() != kPixels)
    throw std::invalid_argument("the model takes " + std::to_string(net.input_size()) +
                                " inputs and " + std::to_string(net.target_size()) +
                                " float targets per image; an autoencoder of 28x28x1 images "
                                "needs 784 of each");
  const int64_t n = data.train.count();
  if (n == 0) throw std::invalid_argument("no training images");
  const int64_t steps_per_epoch = (n + o.batch - 1) / o.batch;
  const int64_t total_steps = steps_per_epoch * o.epochs;
  const std::vector<float> test_targets = pixels(data.test, data);

  std::mt19937_64 rng(o.seed);
  std::vector<int64_t> order(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) order[static_cast<size_t>(i)] = i;
  std::vector<float> images(static_cast<size_t>(o.batch) * kPixels);
  std::vector<float> targets(images.size());

  std::vector<EpochRow> rows;
  int64_t step = 0;
  const auto t0 = std::chrono::steady_clock::now();
  for (int epoch = 1; epoch <= o.epochs; ++epoch) {
    fashion::shuffle(order, rng);
    const auto epoch_start = std::chrono::steady_clock::now();
    EpochRow row;
    row.epoch = epoch;
    double loss_sum = 0;  // sum over images of the batch-mean loss times the batch
    int64_t done = 0;
    for (int64_t start = 0; start < n; start += o.batch, ++step) {
      const int b = static_cast<int>(std::min<int64_t>(o.batch, n - start));
      for (int r = 0; r < b; ++r) {
        const int64_t i = order[static_cast<size_t>(start + r)];
        const float* src = data.train.images.data() + i * kPixels;
        float* dst = images.data() + static_cast<size_t>(r) * kPixels;
        if (o.flip && (rng() & 1)) {
          for (int y = 0; y < kSide; ++y)
            std::reverse_copy(src + y * kSide, src + (y + 1) * kSide, dst + y * kSide);
        } else {
          std::copy(src, src + kPixels, dst);
        }
        float* t = targets.data() + static_cast<size_t>(r) * kPixels;
        for (int p = 0; p < kPixels; ++p)
          t[p] = std::clamp(dst[p] * data.stddev + data.mean, 0.0f, 1.0f);
      }
      const auto x = std::span(images).first(static_cast<size_t>(b) * kPixels);
      const auto y = std::span<const float>(targets).first(static_cast<size_t>(b) * kPixels);
      const float lr = fashion::learning_rate(o, step, total_steps, steps_per_epoch);
      const float loss =
          o.sgd ? net.train_step(
                      x, y, b,
                      modelc::SgdOptions{
                          .lr = lr, .momentum = o.momentum, .weight_decay = o.weight_decay})
                : net.train_step(x, y, b,
                                 modelc::AdamOptions{.lr = lr, .weight_decay = o.weight_decay});
      if (!std::isfinite(loss))
        throw std::runtime_error("training diverged: loss " + std::to_string(loss) + " at epoch " +
                                 std::to_string(epoch) + ", step " + std::to_string(step) +
                                 " (try a smaller --lr)");
      if (done == 0) row.first_loss = loss;
      loss_sum += double{loss} * b;
      done += b;
      if (progress) progress(epoch, done, n, loss_sum / static_cast<double>(done));
    }
    row.images_per_second =
        static_cast<double>(n) /
        std::chrono::duration<double>(std::chrono::steady_clock::now() - epoch_start).count();
    row.train_loss = loss_sum / static_cast<double>(n);
    row.test_mse = reconstruction_mse(net, data.test, test_targets);
    row.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    rows.push_back(row);
    if (epoch_done) epoch_done(rows);
  }
  return rows;
}

void write_csv(const std::string& path, const std::vector<EpochRow>& rows) {
  std::string s = "epoch,train_loss,test_mse,seconds\n";
  char line[128];
  for (const EpochRow& r : rows) {
    std::snprintf(line, sizeof line, "%d,%.6f,%.6f,%.1f\n", r.epoch, r.train_loss, r.test_mse,
                  r.seconds);
    s += line;
  }
  write_bytes(path, s);
}

GreyImage comparison_grid(const std::vector<float>& originals,
                          const std::vector<float>& reconstructions, int count, int scale) {
  const size_t need = static_cast<size_t>(count) * kPixels;
  if (count < 1 || scale < 1 || originals.size() < need || reconstructions.size() < need)
    throw std::invalid_argument("comparison_grid: " + std::to_string(count) + " tiles wanted, " +
                                std::to_string(originals.size() / kPixels) + " originals and " +
                                std::to_string(reconstructions.size() / kPixels) +
                                " reconstructions given");
  const int tile = kSide * scale, gap = 2 * scale;
  GreyImage g;
  g.width = count * tile + (count + 1) * gap;
  g.height = 2 * tile + 3 * gap;
  g.pixels.assign(static_cast<size_t>(g.width) * static_cast<size_t>(g.height), 128);
  for (int row = 0; row < 2; ++row) {
    const std::vector<float>& src = row == 0 ? originals : reconstructions;
    for (int k = 0; k < count; ++k) {
      const int x0 = gap + k * (tile + gap), y0 = gap + row * (tile + gap);
      for (int y = 0; y < tile; ++y)
        for (int x = 0; x < tile; ++x) {
          const float v = src[static_cast<size_t>(k) * kPixels +
                              static_cast<size_t>((y / scale) * kSide + x / scale)];
          g.pixels[static_cast<size_t>(y0 + y) * static_cast<size_t>(g.width) +
                   static_cast<size_t>(x0 + x)] =
              static_cast<uint8_t>(std::lround(255.0f * std::clamp(v, 0.0f, 1.0f)));
        }
    }
  }
  return g;
}

void write_pgm(const std::string& path, const GreyImage& image) {
  std::string s =
      "P5\n" + std::to_string(image.width) + " " + std::to_string(image.height) + "\n255\n";
  s.append(reinterpret_cast<const char*>(image.pixels.data()), image.pixels.size());
  write_bytes(path, s);
}

void write_png(const std::string& path, const GreyImage& image) {
  // Scanlines, each with filter type 0 (none) in front.
  std::string raw;
  raw.reserve(static_cast<size_t>(image.height) * (static_cast<size_t>(image.width) + 1));
  for (int y = 0; y < image.height; ++y) {
    raw += '\0';
    raw.append(reinterpret_cast<const char*>(image.pixels.data()) +
                   static_cast<size_t>(y) * static_cast<size_t>(image.width),
               static_cast<size_t>(image.width));
  }
  uLongf packed_size = compressBound(static_cast<uLong>(raw.size()));
  std::string packed(packed_size, '\0');
  if (compress2(reinterpret_cast<Bytef*>(packed.data()), &packed_size,
                reinterpret_cast<const Bytef*>(raw.data()), static_cast<uLong>(raw.size()),
                Z_BEST_COMPRESSION) != Z_OK)
    throw std::runtime_error(path + ": zlib could not compress the picture");
  packed.resize(packed_size);

  std::string s = "\x89PNG\r\n\x1a\n";
  std::string header;
  put_be32(header, static_cast<uint32_t>(image.width));
  put_be32(header, static_cast<uint32_t>(image.height));
  header += std::string("\x08\x00\x00\x00\x00",
                        5);  // 8 bits, greyscale, deflate, no filter, no interlace
  put_chunk(s, "IHDR", header);
  put_chunk(s, "IDAT", packed);
  put_chunk(s, "IEND", "");
  write_bytes(path, s);
}

}  // namespace autoencoder
