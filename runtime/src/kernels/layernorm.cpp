// layernorm on the last axis of [rows, c], each row on its own:
//   y = gamma * xhat + beta, xhat = (x - mean) * invstd, invstd = 1 / sqrt(var + eps),
// mean and biased var of the row in double (two passes). Backward, with
// g = dy * gamma and means over the row's c entries:
//   dx = invstd * (g - mean(g) - xhat * mean(g * xhat)),
//   dgamma = sum over rows of dy * xhat, dbeta = sum over rows of dy.
#include "modelc/layernorm.hpp"

#include <cmath>

#include "column_sums.hpp"

namespace modelc {

void layernorm_forward(float* y, float* row_mean, float* row_invstd, const float* x,
                       const float* gamma, const float* beta, const LayernormGeom& g) {
  const int64_t c = g.c;
  if (g.rows <= 0 || c <= 0) return;
  const double inv_c = 1.0 / static_cast<double>(c);
#pragma omp parallel for if (g.rows * c > (int64_t{1} << 15)) schedule(static)
  for (int64_t r = 0; r < g.rows; ++r) {
    const float* xr = x + r * c;
    float* yr = y + r * c;
    double s = 0.0;
#pragma omp simd reduction(+ : s)
    for (int64_t j = 0; j < c; ++j) s += xr[j];
    const double mean = s * inv_c;
    double q = 0.0;
#pragma omp simd reduction(+ : q)
    for (int64_t j = 0; j < c; ++j) {
      const double d = xr[j] - mean;
      q += d * d;
    }
    const double invstd = 1.0 / std::sqrt(q * inv_c + g.epsilon);
    const auto m = static_cast<float>(mean), is = static_cast<float>(invstd);
    if (row_mean) row_mean[r] = m;
    if (row_invstd) row_invstd[r] = is;
      // Element j of y depends on element j of x only: y may alias x.
#pragma omp simd
    for (int64_t j = 0; j < c; ++j) yr[j] = (xr[j] - m) * is * gamma[j] + beta[j];
  }
}

void layernorm_backward(float* dx, float* dgamma, float* dbeta, const float* dy, const float* x,
                        const float* gamma, const float* row_mean, const float* row_invstd,
                        const LayernormGeom& g) {
  const int64_t c = g.c;
  if (g.rows <= 0 || c <= 0) return;
  if (dgamma || dbeta) {
    float* const out[2] = {dgamma, dbeta};
    detail::add_column_sums<2>(out, g.rows, c, [&](int64_t r, double* p) {
      const float* xr = x + r * c;
      const float* dyr = dy + r * c;
      const float m = row_mean[r], is = row_invstd[r];
#pragma omp simd
      for (int64_t j = 0; j < c; ++j) {
        p[j] += static_cast<double>(dyr[j]) * ((xr[j] - m) * is);
        p[c + j] += dyr[j];
      }
    });
  }
  if (!dx) return;
  const double inv_c = 1.0 / static_cast<double>(c);
#pragma omp parallel for if (g.rows * c > (int64_t{1} << 15)) schedule(static)
  for (int64_t r = 0; r < g.rows; ++r) {
    const float* xr = x + r * c;
    const float* dyr = dy + r * c;
    float* dxr = dx + r * c;
    const float m = row_mean[r], is = row_invstd[r];
    double sg = 0.0, sgx = 0.0;
#pragma omp simd reduction(+ : sg, sgx)
    for (int64_t j = 0; j < c; ++j) {
      const float gj = dyr[j] * gamma[j];
      sg += gj;
      sgx += static_cast<double>(gj) * ((xr[j] - m) * is);
    }
    const auto mg = static_cast<float>(sg * inv_c), mgx = static_cast<float>(sgx * inv_c);
#pragma omp simd
    for (int64_t j = 0; j < c; ++j) {
      const float xhat = (xr[j] - m) * is;
      dxr[j] += is * (dyr[j] * gamma[j] - mg - xhat * mgx);
    }
  }
}

}  // namespace modelc
