#include "trainer.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <numbers>
#include <random>
#include <span>
#include <stdexcept>

namespace fashion {
namespace {

// Index of the largest of n values.
int32_t argmax(const float* p, int n) {
  return static_cast<int32_t>(std::max_element(p, p + n) - p);
}

// A uniform draw in [0, n) by rejection.
uint64_t below(std::mt19937_64& rng, uint64_t n) {
  const uint64_t limit = UINT64_MAX - UINT64_MAX % n;
  uint64_t r;
  do r = rng();
  while (r >= limit);
  return r % n;
}

}  // namespace

void shuffle(std::vector<int64_t>& v, std::mt19937_64& rng) {
  for (size_t i = v.size(); i > 1; --i) std::swap(v[i - 1], v[below(rng, i)]);
}

float learning_rate(const TrainOptions& o, int64_t step, int64_t total, int64_t steps_per_epoch) {
  const auto warmup = static_cast<int64_t>(o.warmup_epochs * static_cast<float>(steps_per_epoch));
  if (step < warmup) return o.lr * static_cast<float>(step + 1) / static_cast<float>(warmup);
  const double t = static_cast<double>(step - warmup) /
                   static_cast<double>(std::max<int64_t>(total - warmup, 1));
  return static_cast<float>(o.lr * 0.5 * (1.0 + std::cos(std::numbers::pi * t)));
}

double evaluate(modelc::Model& net, const Split& split, std::vector<int32_t>* predicted) {
  const int64_t n = split.count();
  if (predicted) predicted->resize(static_cast<size_t>(n));
  int64_t correct = 0;
  for (int64_t start = 0; start < n; start += net.max_batch()) {
    const int b = static_cast<int>(std::min<int64_t>(net.max_batch(), n - start));
    const auto probs = net.forward(
        std::span(split.images)
            .subspan(static_cast<size_t>(start * kPixels), static_cast<size_t>(b * kPixels)),
        b);
    for (int r = 0; r < b; ++r) {
      const int32_t p = argmax(probs.data() + r * kClasses, kClasses);
      correct += p == split.labels[static_cast<size_t>(start + r)];
      if (predicted) (*predicted)[static_cast<size_t>(start + r)] = p;
    }
  }
  return n ? static_cast<double>(correct) / static_cast<double>(n) : 0.0;
}

std::vector<EpochRow> train(modelc::Model& net, const Dataset& data, const TrainOptions& o,
                            const Progress& progress, const EpochDone& epoch_done) {
  if (o.batch < 1 || o.batch > net.max_batch())
    throw std::invalid_argument("batch " + std::to_string(o.batch) + " is outside 1.." +
                                std::to_string(net.max_batch()));
  const int64_t n = data.train.count();
  if (n == 0) throw std::invalid_argument("no training images");
  const int64_t steps_per_epoch = (n + o.batch - 1) / o.batch;
  const int64_t total_steps = steps_per_epoch * o.epochs;

  std::mt19937_64 rng(o.seed);
  std::vector<int64_t> order(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) order[static_cast<size_t>(i)] = i;
  std::vector<float> images(static_cast<size_t>(o.batch) * kPixels);
  std::vector<int32_t> labels(static_cast<size_t>(o.batch));

  std::vector<EpochRow> rows;
  int64_t step = 0;
  const auto t0 = std::chrono::steady_clock::now();
  for (int epoch = 1; epoch <= o.epochs; ++epoch) {
    shuffle(order, rng);
    const auto epoch_start = std::chrono::steady_clock::now();
    double loss_sum = 0;  // sum over images of the batch-mean loss times the batch
    int64_t correct = 0, done = 0;
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
        labels[static_cast<size_t>(r)] = data.train.labels[static_cast<size_t>(i)];
      }
      const auto x = std::span(images).first(static_cast<size_t>(b) * kPixels);
      const auto y = std::span(labels).first(static_cast<size_t>(b));
      const float lr = learning_rate(o, step, total_steps, steps_per_epoch);
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
      const auto probs = net.train_output(0);
      for (int r = 0; r < b; ++r)
        correct += argmax(probs.data() + r * kClasses, kClasses) == y[static_cast<size_t>(r)];
      loss_sum += double{loss} * b;
      done += b;
      if (progress)
        progress(epoch, done, n, loss_sum / static_cast<double>(done),
                 static_cast<double>(correct) / static_cast<double>(done));
    }
    EpochRow row;
    row.images_per_second =
        static_cast<double>(n) /
        std::chrono::duration<double>(std::chrono::steady_clock::now() - epoch_start).count();
    row.epoch = epoch;
    row.train_loss = loss_sum / static_cast<double>(n);
    row.train_accuracy = static_cast<double>(correct) / static_cast<double>(n);
    row.test_accuracy = evaluate(net, data.test);
    row.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    rows.push_back(row);
    if (epoch_done) epoch_done(rows);
  }
  return rows;
}

}  // namespace fashion
