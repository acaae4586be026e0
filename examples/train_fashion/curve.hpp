// The training curve: one row per epoch, written as CSV and drawn as an SVG
// (loss on the left, train and test accuracy on the right).
#pragma once

#include <string>
#include <vector>

namespace fashion {

struct EpochRow {
  int epoch = 0;                 // 1-based
  double train_loss = 0;         // mean over the epoch's batches
  double train_accuracy = 0;     // fraction, on the epoch's (augmented, dropout) batches
  double test_accuracy = 0;      // fraction, inference forward on the test set
  double seconds = 0;            // wall time since training started, at the end of this epoch
  double images_per_second = 0;  // training throughput of this epoch (without the test pass)
};

// Throws std::runtime_error naming the file when it cannot be written.
void write_csv(const std::string& path, const std::vector<EpochRow>& rows);
void write_svg(const std::string& path, const std::vector<EpochRow>& rows,
               const std::string& title);

}  // namespace fashion
