// Per-channel sums over the rows of [rows, c] for weight gradients (layernorm,
// scale): rows are cut into fixed blocks, independent of the thread count,
// whose double partial sums are added in block order, so the result has the
// same bits for any number of threads and no thread writes another's sums.
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

namespace modelc::detail {

// term(r, p) adds row r's K terms of channel j into p[k * c + j]; the totals
// are added into out[k][j] (skipped where out[k] is nullptr).
template <int K, class Term>
void add_column_sums(float* const (&out)[K], int64_t rows, int64_t c, Term term) {
  constexpr int64_t block_rows = 256;
  const int64_t blocks = (rows + block_rows - 1) / block_rows;
  // Grow-only, one per calling thread, so that no call allocates once the
  // largest layer has run.
  thread_local std::vector<double> part;
  const auto floats = static_cast<size_t>(blocks * K * c);
  if (part.size() < floats) part.resize(floats);
  double* const p0 = part.data();
#pragma omp parallel for if (rows * c > (int64_t{1} << 15)) schedule(static)
  for (int64_t b = 0; b < blocks; ++b) {
    double* p = p0 + b * K * c;
    std::fill(p, p + K * c, 0.0);
    const int64_t end = std::min(rows, (b + 1) * block_rows);
    for (int64_t r = b * block_rows; r < end; ++r) term(r, p);
  }
  for (int k = 0; k < K; ++k) {
    if (!out[k]) continue;
    for (int64_t j = 0; j < c; ++j) {
      double s = 0.0;
      for (int64_t b = 0; b < blocks; ++b) s += p0[(b * K + k) * c + j];
      out[k][j] += static_cast<float>(s);
    }
  }
}

}  // namespace modelc::detail
