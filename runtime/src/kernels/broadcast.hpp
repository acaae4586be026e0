// The broadcasting of add and multiply: each input holds [n, rows, c] floats,
// or, where bcast[i], [n, c] floats read for every row of its image (a [C] or
// [1, 1, C] input against [H, W, C] ones, rows = H·W). Work goes in chunks of
// channels through a small buffer, so y may alias any full input.
#pragma once

#include <algorithm>
#include <cstdint>
#include <span>

#include "threading.hpp"

namespace modelc::detail {

inline constexpr int64_t kBroadcastChunk = 256;

// Input i's row r (of image r / rows).
inline const float* broadcast_row(std::span<const float* const> xs, std::span<const bool> bcast,
                                  size_t i, int64_t r, int64_t rows, int64_t c) {
  return xs[i] + (bcast[i] ? r / rows : r) * c;
}

// y = x0 op x1 op ... in input order, op(float& acc, float x).
template <class Op>
void broadcast_forward(float* y, std::span<const float* const> xs, std::span<const bool> bcast,
                       int64_t n, int64_t rows, int64_t c, Op op) {
  constexpr int64_t kChunk = kBroadcastChunk;
  const int64_t chunks = (c + kChunk - 1) / kChunk;
#pragma omp parallel for collapse(2) schedule(static) if (n * rows * c >= kParallelMinFloats)
  for (int64_t r = 0; r < n * rows; ++r) {
    for (int64_t k = 0; k < chunks; ++k) {
      const int64_t c0 = k * kChunk, len = std::min(kChunk, c - c0);
      float acc[kChunk];
      const float* x0 = broadcast_row(xs, bcast, 0, r, rows, c) + c0;
      std::copy(x0, x0 + len, acc);
      for (size_t i = 1; i < xs.size(); ++i) {
        const float* x = broadcast_row(xs, bcast, i, r, rows, c) + c0;
        for (int64_t j = 0; j < len; ++j) op(acc[j], x[j]);
      }
      std::copy(acc, acc + len, y + r * c + c0);
    }
  }
}

// For every input i with a gradient: g = grad(i, r, c0, len, buf) fills buf
// with dL/dx_i over channels c0 .. c0+len-1 of row r (full shape); a full dx_i
// adds it, a broadcast one adds its sum over the image's rows (in row order:
// deterministic).
template <class Grad>
void broadcast_backward(std::span<float* const> dxs, std::span<const bool> bcast, int64_t n,
                        int64_t rows, int64_t c, Grad grad) {
  constexpr int64_t kChunk = kBroadcastChunk;
  const int64_t chunks = (c + kChunk - 1) / kChunk;
  for (size_t i = 0; i < dxs.size(); ++i) {
    float* dx = dxs[i];
    if (dx == nullptr) continue;
    if (!bcast[i]) {
#pragma omp parallel for collapse(2) schedule(static) if (n * rows * c >= kParallelMinFloats)
      for (int64_t r = 0; r < n * rows; ++r) {
        for (int64_t k = 0; k < chunks; ++k) {
          const int64_t c0 = k * kChunk, len = std::min(kChunk, c - c0);
          float g[kChunk];
          grad(i, r, c0, len, g);
          float* d = dx + r * c + c0;
          for (int64_t j = 0; j < len; ++j) d[j] += g[j];
        }
      }
      continue;
    }
#pragma omp parallel for collapse(2) schedule(static) if (n * rows * c >= kParallelMinFloats)
    for (int64_t img = 0; img < n; ++img) {
      for (int64_t k = 0; k < chunks; ++k) {
        const int64_t c0 = k * kChunk, len = std::min(kChunk, c - c0);
        float sum[kChunk] = {}, g[kChunk];
        for (int64_t p = 0; p < rows; ++p) {
          grad(i, img * rows + p, c0, len, g);
          for (int64_t j = 0; j < len; ++j) sum[j] += g[j];
        }
        float* d = dx + img * c + c0;
        for (int64_t j = 0; j < len; ++j) d[j] += sum[j];
      }
    }
  }
}

}  // namespace modelc::detail
