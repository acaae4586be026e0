// relu: y = max(x, 0); dx += dy * (y > 0). Elementwise, split statically over threads.
#include "modelc/relu.hpp"

namespace modelc {

void relu_forward(float* y, const float* x, int64_t n) {
#pragma omp parallel for simd if (n > (int64_t{1} << 16)) schedule(static)
  for (int64_t i = 0; i < n; ++i) y[i] = x[i] > 0.0f ? x[i] : 0.0f;
}

void relu_backward(float* dx, const float* dy, const float* y, int64_t n) {
#pragma omp parallel for simd if (n > (int64_t{1} << 16)) schedule(static)
  for (int64_t i = 0; i < n; ++i) dx[i] += y[i] > 0.0f ? dy[i] : 0.0f;
}

}  // namespace modelc
