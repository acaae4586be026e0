// batchnorm on the last axis of [rows, c]: y = gamma * (x - mean) * invstd + beta,
// invstd = 1 / sqrt(var + eps). Training: biased batch statistics (two passes in
// double), moving = momentum * moving + (1 - momentum) * batch. Backward:
//   dx = gamma * invstd / N * (N dy - sum dy - xhat * sum(dy * xhat)).
#include "modelc/batchnorm.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

namespace modelc {
namespace {

// Grow-only buffers (slot 0: block partial sums; 1, 2: per-channel vectors),
// so that no call allocates once the largest layer has run. One set per
// calling thread; the kernels fill them from the calling thread only.
std::vector<double>& scratch_doubles(int slot, size_t n) {
  thread_local std::vector<double> bufs[3];
  std::vector<double>& b = bufs[slot];
  if (b.size() < n) b.resize(n);
  return b;
}

std::vector<float>& scratch_floats(int slot, size_t n) {
  thread_local std::vector<float> bufs[3];
  std::vector<float>& b = bufs[slot];
  if (b.size() < n) b.resize(n);
  return b;
}

// Per-channel sums over rows of K terms, in double. Rows are cut into fixed
// blocks (independent of the thread count) whose partial sums are added in
// block order, so the result is identical for any number of threads.
// term(r, p) adds row r's contribution to term k of channel j into p[k * c + j].
template <int K, class Term>
void channel_sums(double* const (&out)[K], int64_t rows, int64_t c, Term term) {
  constexpr int64_t block_rows = 1024;
  const int64_t blocks = (rows + block_rows - 1) / block_rows;
  std::vector<double>& part = scratch_doubles(0, static_cast<size_t>(blocks * K * c));
  std::fill(part.begin(), part.end(), 0.0);
#pragma omp parallel for if (rows * c > (int64_t{1} << 15)) schedule(static)
  for (int64_t b = 0; b < blocks; ++b) {
    double* p = part.data() + b * K * c;
    const int64_t end = std::min(rows, (b + 1) * block_rows);
    for (int64_t r = b * block_rows; r < end; ++r) term(r, p);
  }
  for (int k = 0; k < K; ++k) {
    for (int64_t j = 0; j < c; ++j) {
      double s = 0.0;
      for (int64_t b = 0; b < blocks; ++b) s += part[static_cast<size_t>((b * K + k) * c + j)];
      out[k][j] = s;
    }
  }
}

// y = (x - mean) * a + beta with a = gamma * invstd, row by row.
void normalize(float* y, const float* x, const float* mean, const float* a, const float* beta,
               int64_t rows, int64_t c) {
#pragma omp parallel for if (rows * c > (int64_t{1} << 15)) schedule(static)
  for (int64_t r = 0; r < rows; ++r) {
    const float* xr = x + r * c;
    float* yr = y + r * c;
    for (int64_t j = 0; j < c; ++j) yr[j] = (xr[j] - mean[j]) * a[j] + beta[j];
  }
}

}  // namespace

void batchnorm_forward_inference(float* y, const float* x, const float* gamma, const float* beta,
                                 const float* moving_mean, const float* moving_var,
                                 const BatchnormGeom& g) {
  std::vector<float>& a = scratch_floats(0, static_cast<size_t>(g.c));
  for (int64_t j = 0; j < g.c; ++j) {
    a[j] = static_cast<float>(gamma[j] / std::sqrt(static_cast<double>(moving_var[j]) + g.epsilon));
  }
  normalize(y, x, moving_mean, a.data(), beta, g.rows, g.c);
}

void batchnorm_forward_training(float* y, float* batch_mean, float* batch_invstd, const float* x,
                                const float* gamma, const float* beta, float* moving_mean,
                                float* moving_var, const BatchnormGeom& g) {
  const int64_t c = g.c;
  if (g.rows <= 0 || c <= 0) return;
  std::vector<double>& sum = scratch_doubles(1, static_cast<size_t>(c));
  std::vector<double>& sq = scratch_doubles(2, static_cast<size_t>(c));
  double* const sum_out[1] = {sum.data()};
  channel_sums<1>(sum_out, g.rows, c, [&](int64_t r, double* p) {
    const float* xr = x + r * c;
    for (int64_t j = 0; j < c; ++j) p[j] += xr[j];
  });
  const double n = static_cast<double>(g.rows);
  for (int64_t j = 0; j < c; ++j) sum[static_cast<size_t>(j)] /= n;  // now the mean
  const double* mean = sum.data();
  double* const sq_out[1] = {sq.data()};
  channel_sums<1>(sq_out, g.rows, c, [&](int64_t r, double* p) {
    const float* xr = x + r * c;
    for (int64_t j = 0; j < c; ++j) {
      const double d = xr[j] - mean[j];
      p[j] += d * d;
    }
  });
  std::vector<float>& a = scratch_floats(0, static_cast<size_t>(c));
  const double m = g.momentum;
  for (int64_t j = 0; j < c; ++j) {
    const double var = sq[j] / n;  // biased
    const double invstd = 1.0 / std::sqrt(var + g.epsilon);
    batch_mean[j] = static_cast<float>(mean[j]);
    batch_invstd[j] = static_cast<float>(invstd);
    a[j] = static_cast<float>(gamma[j] * invstd);
    moving_mean[j] = static_cast<float>(m * moving_mean[j] + (1.0 - m) * mean[j]);
    moving_var[j] = static_cast<float>(m * moving_var[j] + (1.0 - m) * var);
  }
  normalize(y, x, batch_mean, a.data(), beta, g.rows, c);
}

void batchnorm_backward(float* dx, float* dgamma, float* dbeta, const float* dy, const float* x,
                        const float* gamma, const float* batch_mean, const float* batch_invstd,
                        const BatchnormGeom& g) {
  const int64_t c = g.c;
  if (g.rows <= 0 || c <= 0) return;
  std::vector<double>& sdy = scratch_doubles(1, static_cast<size_t>(c));
  std::vector<double>& sdyx = scratch_doubles(2, static_cast<size_t>(c));
  double* const out[2] = {sdy.data(), sdyx.data()};
  channel_sums<2>(out, g.rows, c, [&](int64_t r, double* p) {
    const float* xr = x + r * c;
    const float* dyr = dy + r * c;
    for (int64_t j = 0; j < c; ++j) {
      const double xhat = (static_cast<double>(xr[j]) - batch_mean[j]) * batch_invstd[j];
      p[j] += dyr[j];
      p[c + j] += dyr[j] * xhat;
    }
  });
  for (int64_t j = 0; j < c; ++j) {
    if (dbeta) dbeta[j] += static_cast<float>(sdy[j]);
    if (dgamma) dgamma[j] += static_cast<float>(sdyx[j]);
  }
  if (!dx) return;
  const double n = static_cast<double>(g.rows);
  float* k = scratch_floats(0, static_cast<size_t>(c)).data();
  float* mdy = scratch_floats(1, static_cast<size_t>(c)).data();
  float* mdyx = scratch_floats(2, static_cast<size_t>(c)).data();
  for (int64_t j = 0; j < c; ++j) {
    k[j] = gamma[j] * batch_invstd[j];
    mdy[j] = static_cast<float>(sdy[j] / n);
    mdyx[j] = static_cast<float>(sdyx[j] / n);
  }
#pragma omp parallel for if (g.rows * c > (int64_t{1} << 15)) schedule(static)
  for (int64_t r = 0; r < g.rows; ++r) {
    const float* xr = x + r * c;
    const float* dyr = dy + r * c;
    float* dxr = dx + r * c;
    for (int64_t j = 0; j < c; ++j) {
      const float xhat = (xr[j] - batch_mean[j]) * batch_invstd[j];
      dxr[j] += k[j] * (dyr[j] - mdy[j] - xhat * mdyx[j]);
    }
  }
}

}  // namespace modelc
