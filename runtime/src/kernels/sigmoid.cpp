// sigmoid: y = 1 / (1 + exp(-x)), evaluated as e / (1 + e) with e = exp(x) for
// x < 0 so small outputs keep their relative precision; dx += dy * y * (1 - y).
#include "modelc/sigmoid.hpp"

#include <cmath>

namespace modelc {

void sigmoid_forward(float* y, const float* x, int64_t n) {
#pragma omp parallel for if (n > (int64_t{1} << 15)) schedule(static)
  for (int64_t i = 0; i < n; ++i) {
    const float v = x[i];
    if (v >= 0.0f) {
      y[i] = 1.0f / (1.0f + std::exp(-v));
    } else {
      const float e = std::exp(v);
      y[i] = e / (1.0f + e);
    }
  }
}

void sigmoid_backward(float* dx, const float* dy, const float* y, int64_t n) {
#pragma omp parallel for simd if (n > (int64_t{1} << 16)) schedule(static)
  for (int64_t i = 0; i < n; ++i) dx[i] += dy[i] * y[i] * (1.0f - y[i]);
}

}  // namespace modelc
