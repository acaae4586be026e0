// global_avgpool: per image, the column means of the [hw, c] matrix x.
#include "modelc/global_avgpool.hpp"

#include <algorithm>

#include "threading.hpp"

namespace modelc {

void global_avgpool_forward(float* y, const float* x, int64_t n, int64_t hw, int64_t c) {
  // Threads own (image, channel block) pairs and sum the hw cells in order.
  constexpr int64_t kCols = 64;
  const int64_t blocks = (c + kCols - 1) / kCols;
  const float inv = 1.0f / static_cast<float>(hw);
#pragma omp parallel for collapse(2) schedule(static) if (n * hw * c >= detail::kParallelMinFloats)
  for (int64_t i = 0; i < n; ++i) {
    for (int64_t b = 0; b < blocks; ++b) {
      const int64_t c0 = b * kCols, nc = std::min(kCols, c - c0);
      float acc[kCols] = {};
      const float* src = x + i * hw * c + c0;
      for (int64_t p = 0; p < hw; ++p, src += c) {
        for (int64_t ci = 0; ci < nc; ++ci) acc[ci] += src[ci];
      }
      for (int64_t ci = 0; ci < nc; ++ci) y[i * c + c0 + ci] = acc[ci] * inv;
    }
  }
}

void global_avgpool_backward(float* dx, const float* dy, int64_t n, int64_t hw, int64_t c) {
  const float inv = 1.0f / static_cast<float>(hw);
#pragma omp parallel for schedule(static) if (n * hw * c >= detail::kParallelMinFloats)
  for (int64_t r = 0; r < n * hw; ++r) {
    const float* d = dy + (r / hw) * c;
    float* out = dx + r * c;
    for (int64_t ci = 0; ci < c; ++ci) out[ci] += d[ci] * inv;
  }
}

}  // namespace modelc
