// Training and evaluation of a generated autoencoder with one mse head on
// Fashion-MNIST (specs/fashion_autoencoder.yaml): the input is the normalised
// image of fashion::load_dataset, the target is the same image as pixels in
// [0, 1], and the reconstruction error is the mean squared error over every
// pixel. The baseline it must beat predicts the per-pixel mean image of the
// training set for every image.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <modelc/model.hpp>

#include "fashion_data.hpp"
#include "trainer.hpp"

namespace autoencoder {

// The pixels of a normalised split back in [0, 1] (count * kPixels floats).
std::vector<float> pixels(const fashion::Split& split, const fashion::Dataset& data);

// The per-pixel mean of `count` images of kPixels floats each.
std::vector<float> mean_image(const std::vector<float>& images);
// The same for pixels(split, data), without holding those pixels.
std::vector<float> mean_image(const fashion::Split& split, const fashion::Dataset& data);

// Mean squared error over every pixel of `images` against the same `image`
// for each of them: the error of predicting the mean image.
double mse_against_image(const std::vector<float>& images, const std::vector<float>& image);

// Reconstruction MSE of net (inference forward in batches of max_batch) on a
// normalised split whose pixels in [0, 1] are `targets`. When
// `reconstructions` is non-null it receives every output (count * kPixels).
double reconstruction_mse(modelc::Model& net, const fashion::Split& split,
                          const std::vector<float>& targets,
                          std::vector<float>* reconstructions = nullptr);

struct EpochRow {
  int epoch = 0;                 // 1-based
  double first_loss = 0;         // the loss of the epoch's first batch
  double train_loss = 0;         // mean over the epoch's batches
  double test_mse = 0;           // reconstruction MSE on the test split
  double seconds = 0;            // since training started, at the end of this epoch
  double images_per_second = 0;  // training throughput of this epoch (without the test pass)
};

// Called after every batch: images done in this epoch, running mean loss.
using Progress = std::function<void(int epoch, int64_t done, int64_t total, double loss)>;
// Called after every epoch with the rows so far.
using EpochDone = std::function<void(const std::vector<EpochRow>& rows)>;

// Trains net (already initialised; one mse head of kPixels floats per image)
// for o.epochs on data.train with Adam (or SGD) and the schedule of
// fashion::learning_rate, shuffled with o.seed (o.flip flips input and target
// together); evaluates on data.test after each epoch. net.max_batch() must be
// at least o.batch.
std::vector<EpochRow> train(modelc::Model& net, const fashion::Dataset& data,
                            const fashion::TrainOptions& o, const Progress& progress = {},
                            const EpochDone& epoch_done = {});

// The rows as CSV (epoch,train_loss,test_mse,seconds); throws naming the file.
void write_csv(const std::string& path, const std::vector<EpochRow>& rows);

// An 8-bit grey picture, row-major.
struct GreyImage {
  int width = 0, height = 0;
  std::vector<uint8_t> pixels;
};

// Two rows of `count` 28x28 tiles, each pixel drawn as scale x scale: the
// originals on top, the reconstructions below (both count * kPixels floats in
// [0, 1], clamped), on a grey background with a gap between the tiles.
GreyImage comparison_grid(const std::vector<float>& originals,
                          const std::vector<float>& reconstructions, int count, int scale = 3);

// Binary PGM (P5) and PNG (8-bit greyscale, zlib); throw naming the file.
void write_pgm(const std::string& path, const GreyImage& image);
void write_png(const std::string& path, const GreyImage& image);

}  // namespace autoencoder
