// LRN across channels: s_j = bias + alpha/size * sum_{k=j-size/2}^{j+(size-1)/2} x_k^2,
// y_j = x_j * s_j^-beta. Backward (k runs over the windows that contain j):
//   dx_j += dy_j * s_j^-beta - 2 alpha beta / size * x_j * sum_{k=j-(size-1)/2}^{j+size/2} dy_k y_k
//   / s_k.
#include "modelc/lrn.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

namespace modelc {
namespace {

float pow_neg(float s, float beta) {
  if (beta == 0.75f) return 1.0f / std::sqrt(s * std::sqrt(s));  // AlexNet/GoogLeNet's beta
  return std::pow(s, -beta);
}

}  // namespace

// Per row: squares into a zero-padded buffer, then the window sums as `size`
// shifted vector adds (vectorises over channels, unlike a loop per window).
void lrn_forward(float* y, float* scale, const float* x, const LrnGeom& g) {
  const int64_t c = g.c, lo = g.size / 2, hi = (g.size - 1) / 2;
  const float coef = g.alpha / static_cast<float>(g.size);
#pragma omp parallel if (g.rows * c > (int64_t{1} << 14))
  {
    // Grow-only per thread: no allocation once the largest layer has run.
    thread_local std::vector<float> buf;
    if (buf.size() < static_cast<size_t>(2 * c + g.size))
      buf.resize(static_cast<size_t>(2 * c + g.size));
    float* pad = buf.data();
    float* acc = buf.data() + c + g.size;
#pragma omp for schedule(static)
    for (int64_t r = 0; r < g.rows; ++r) {
      const float* xr = x + r * c;
      float* yr = y + r * c;
      std::fill(pad, pad + lo, 0.0f);
      for (int64_t k = 0; k < c; ++k) pad[lo + k] = xr[k] * xr[k];
      std::fill(pad + lo + c, pad + lo + c + hi, 0.0f);
      std::fill(acc, acc + c, 0.0f);
      for (int64_t d = 0; d < g.size; ++d)
        for (int64_t j = 0; j < c; ++j) acc[j] += pad[j + d];
      for (int64_t j = 0; j < c; ++j) {
        const float sj = g.bias + coef * acc[j];
        if (scale) scale[r * c + j] = sj;
        yr[j] = xr[j] * pow_neg(sj, g.beta);
      }
    }
  }
}

void lrn_backward(float* dx, const float* dy, const float* x, const float* y, const float* scale,
                  const LrnGeom& g) {
  const int64_t c = g.c, lo = g.size / 2, hi = (g.size - 1) / 2;
  const float coef = 2.0f * g.alpha * g.beta / static_cast<float>(g.size);
#pragma omp parallel if (g.rows * c > (int64_t{1} << 14))
  {
    thread_local std::vector<float> t;
    if (t.size() < static_cast<size_t>(c)) t.resize(static_cast<size_t>(c));
#pragma omp for schedule(static)
    for (int64_t r = 0; r < g.rows; ++r) {
      const float* xr = x + r * c;
      const float* yr = y + r * c;
      const float* sr = scale + r * c;
      const float* dyr = dy + r * c;
      float* dxr = dx + r * c;
      for (int64_t k = 0; k < c; ++k) t[k] = dyr[k] * yr[k] / sr[k];
      for (int64_t j = 0; j < c; ++j) {
        float acc = 0.0f;
        for (int64_t k = std::max<int64_t>(0, j - hi), e = std::min(c - 1, j + lo); k <= e; ++k) {
          acc += t[k];
        }
        dxr[j] += dyr[j] * pow_neg(sr[j], g.beta) - coef * xr[j] * acc;
      }
    }
  }
}

}  // namespace modelc
