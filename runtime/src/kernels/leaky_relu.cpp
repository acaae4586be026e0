// leaky_relu: y = x >= 0 ? x : alpha * x; dx += dy * (x >= 0 ? 1 : alpha).
// Elementwise, vectorised, split statically over threads above 64 Ki floats.
#include "modelc/leaky_relu.hpp"

namespace modelc {

void leaky_relu_forward(float* y, const float* x, int64_t n, float alpha) {
#pragma omp parallel for simd if (n > (int64_t{1} << 16)) schedule(static)
  for (int64_t i = 0; i < n; ++i) y[i] = x[i] >= 0.0f ? x[i] : alpha * x[i];
}

void leaky_relu_backward(float* dx, const float* dy, const float* x, int64_t n, float alpha) {
#pragma omp parallel for simd if (n > (int64_t{1} << 16)) schedule(static)
  for (int64_t i = 0; i < n; ++i) dx[i] += x[i] >= 0.0f ? dy[i] : alpha * dy[i];
}

}  // namespace modelc
