// scale on the last axis of [rows, c]: y = x * gamma; dx += dy * gamma,
// dgamma += sum over rows of dy * x (fixed row blocks: the same bits for any
// thread count).
#include "modelc/scale.hpp"

#include "column_sums.hpp"

namespace modelc {

void scale_forward(float* y, const float* x, const float* gamma, int64_t rows, int64_t c) {
#pragma omp parallel for if (rows * c > (int64_t{1} << 16)) schedule(static)
  for (int64_t r = 0; r < rows; ++r) {
    const float* xr = x + r * c;
    float* yr = y + r * c;
#pragma omp simd
    for (int64_t j = 0; j < c; ++j) yr[j] = xr[j] * gamma[j];
  }
}

void scale_backward(float* dx, float* dgamma, const float* dy, const float* x, const float* gamma,
                    int64_t rows, int64_t c) {
  if (rows <= 0 || c <= 0) return;
  if (dgamma) {
    float* const out[1] = {dgamma};
    detail::add_column_sums<1>(out, rows, c, [&](int64_t r, double* p) {
      const float* xr = x + r * c;
      const float* dyr = dy + r * c;
#pragma omp simd
      for (int64_t j = 0; j < c; ++j) p[j] += static_cast<double>(dyr[j]) * xr[j];
    });
  }
  if (!dx) return;
#pragma omp parallel for if (rows * c > (int64_t{1} << 16)) schedule(static)
  for (int64_t r = 0; r < rows; ++r) {
    const float* dyr = dy + r * c;
    float* dxr = dx + r * c;
#pragma omp simd
    for (int64_t j = 0; j < c; ++j) dxr[j] += dyr[j] * gamma[j];
  }
}

}  // namespace modelc
