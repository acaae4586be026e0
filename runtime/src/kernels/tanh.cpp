// tanh: y = tanh(x); dx += dy * (1 - y^2).
#include "modelc/tanh.hpp"

#include <cmath>

namespace modelc {

void tanh_forward(float* y, const float* x, int64_t n) {
#pragma omp parallel for if (n > (int64_t{1} << 15)) schedule(static)
  for (int64_t i = 0; i < n; ++i) y[i] = std::tanh(x[i]);
}

void tanh_backward(float* dx, const float* dy, const float* y, int64_t n) {
#pragma omp parallel for simd if (n > (int64_t{1} << 16)) schedule(static)
  for (int64_t i = 0; i < n; ++i) dx[i] += dy[i] * (1.0f - y[i] * y[i]);
}

}  // namespace modelc
