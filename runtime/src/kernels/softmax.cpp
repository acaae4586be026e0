// softmax on the last axis of [rows, cols]: y = exp(x - max) / sum exp(x - max);
// dx += y * (dy - sum(dy * y)) per row. Row sums accumulate in double.
#include "modelc/softmax.hpp"

#include <cmath>

namespace modelc {

void softmax_forward(float* y, const float* x, int64_t rows, int64_t cols) {
  if (cols <= 0) return;
#pragma omp parallel for if (rows * cols > (int64_t{1} << 15)) schedule(static)
  for (int64_t r = 0; r < rows; ++r) {
    const float* xr = x + r * cols;
    float* yr = y + r * cols;
    float m = xr[0];
    for (int64_t j = 1; j < cols; ++j) m = xr[j] > m ? xr[j] : m;
    double sum = 0.0;
    for (int64_t j = 0; j < cols; ++j) {
      yr[j] = std::exp(xr[j] - m);  // in place is fine: xr[j] is read before yr[j] is written
      sum += yr[j];
    }
    const float inv = static_cast<float>(1.0 / sum);
    for (int64_t j = 0; j < cols; ++j) yr[j] *= inv;
  }
}

void softmax_backward(float* dx, const float* dy, const float* y, int64_t rows, int64_t cols) {
#pragma omp parallel for if (rows * cols > (int64_t{1} << 15)) schedule(static)
  for (int64_t r = 0; r < rows; ++r) {
    const float* dyr = dy + r * cols;
    const float* yr = y + r * cols;
    float* dxr = dx + r * cols;
    double dot = 0.0;
    for (int64_t j = 0; j < cols; ++j) dot += static_cast<double>(dyr[j]) * yr[j];
    const float d = static_cast<float>(dot);
    for (int64_t j = 0; j < cols; ++j) dxr[j] += yr[j] * (dyr[j] - d);
  }
}

}  // namespace modelc
