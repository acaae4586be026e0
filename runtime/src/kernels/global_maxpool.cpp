// global_maxpool: per image, the column maxima of the [hw, c] matrix x, in
// blocks of channels as global_avgpool; backward counts the ties first, so the
// gradient of a channel splits evenly among its maxima.
#include "modelc/global_maxpool.hpp"

#include <algorithm>
#include <limits>

#include "threading.hpp"

namespace modelc {

namespace {
constexpr int64_t kCols = 64;
}

void global_maxpool_forward(float* y, const float* x, int64_t n, int64_t hw, int64_t c) {
  const int64_t blocks = (c + kCols - 1) / kCols;
#pragma omp parallel for collapse(2) schedule(static) if (n * hw * c >= detail::kParallelMinFloats)
  for (int64_t i = 0; i < n; ++i) {
    for (int64_t b = 0; b < blocks; ++b) {
      const int64_t c0 = b * kCols, nc = std::min(kCols, c - c0);
      float m[kCols];
      std::fill(m, m + kCols, -std::numeric_limits<float>::infinity());
      const float* src = x + i * hw * c + c0;
      for (int64_t p = 0; p < hw; ++p, src += c)
        for (int64_t ci = 0; ci < nc; ++ci) m[ci] = std::max(m[ci], src[ci]);
      std::copy(m, m + nc, y + i * c + c0);
    }
  }
}

void global_maxpool_backward(float* dx, const float* dy, const float* x, const float* y, int64_t n,
                             int64_t hw, int64_t c) {
  const int64_t blocks = (c + kCols - 1) / kCols;
#pragma omp parallel for collapse(2) schedule(static) if (n * hw * c >= detail::kParallelMinFloats)
  for (int64_t i = 0; i < n; ++i) {
    for (int64_t b = 0; b < blocks; ++b) {
      const int64_t c0 = b * kCols, nc = std::min(kCols, c - c0);
      const float* top = y + i * c + c0;
      int64_t ties[kCols] = {};
      const float* src = x + i * hw * c + c0;
      for (int64_t p = 0; p < hw; ++p, src += c)
        for (int64_t ci = 0; ci < nc; ++ci) ties[ci] += src[ci] == top[ci];
      float share[kCols];
      for (int64_t ci = 0; ci < nc; ++ci)
        share[ci] = ties[ci] > 0 ? dy[i * c + c0 + ci] / static_cast<float>(ties[ci]) : 0.0f;
      src = x + i * hw * c + c0;
      float* dst = dx + i * hw * c + c0;
      for (int64_t p = 0; p < hw; ++p, src += c, dst += c)
        for (int64_t ci = 0; ci < nc; ++ci)
          if (src[ci] == top[ci]) dst[ci] += share[ci];
    }
  }
}

}  // namespace modelc
