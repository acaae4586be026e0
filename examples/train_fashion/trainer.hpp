// Training and evaluation of the generated FashionCNN on Fashion-MNIST:
// seeded shuffles and flips, mini-batches through the generated train_step,
// a warm-up + cosine learning-rate schedule, test accuracy after each epoch.
#pragma once

#include <cstdint>
#include <cstdio>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include <modelc/model.hpp>

#include "curve.hpp"
#include "fashion_data.hpp"

namespace fashion {

struct TrainOptions {
  int epochs = 6;
  int batch = 64;
  float lr = 2e-3f;            // peak learning rate
  float warmup_epochs = 0.5f;  // linear warm-up from 0, then cosine decay to 0
  bool sgd = false;            // false: Adam
  float momentum = 0.9f;       // SGD only
  float weight_decay = 0.0f;   // SGD: L2 in the update; Adam: decoupled (AdamW)
  bool flip = false;           // random horizontal flips of training images
  uint64_t seed = 1;           // shuffles, flips, initial weights, dropout
};

// Fisher-Yates with a uniform draw by rejection: the same permutation for a
// seed on every platform (std::shuffle's algorithm is the library's choice).
void shuffle(std::vector<int64_t>& v, std::mt19937_64& rng);

// Learning rate at step `step` (0-based) of `total`.
float learning_rate(const TrainOptions& o, int64_t step, int64_t total, int64_t steps_per_epoch);

// Fraction of `split` classified correctly by inference forward, in batches of
// net.max_batch(). When `predicted` is non-null it receives every prediction.
double evaluate(modelc::Model& net, const Split& split, std::vector<int32_t>* predicted = nullptr);

// Called after every batch: images done in this epoch, running loss and accuracy.
using Progress =
    std::function<void(int epoch, int64_t done, int64_t total, double loss, double accuracy)>;
// Called after every epoch with the curve so far.
using EpochDone = std::function<void(const std::vector<EpochRow>& rows)>;

// Trains net (already initialised) for o.epochs on data.train, evaluating on
// data.test after each epoch. net.max_batch() must be at least o.batch.
std::vector<EpochRow> train(modelc::Model& net, const Dataset& data, const TrainOptions& o,
                            const Progress& progress = {}, const EpochDone& epoch_done = {});

}  // namespace fashion
