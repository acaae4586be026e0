// Naive double-precision references for the rt-ops kernels and a finite-difference
// driver: loss = sum r * y for a random r, so dL/dy = r and dL/dx is backward(r).
#pragma once

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "gradcheck.hpp"

namespace modelc::test {

inline std::vector<double> to_double(const std::vector<float>& v) {
  return std::vector<double>(v.begin(), v.end());
}

// Largest |got - want| relative to the largest |want| (as max_rel_error).
inline double forward_error(const std::vector<float>& got, const std::vector<double>& want) {
  REQUIRE(got.size() == want.size());
  return max_rel_error(got, want);
}

// Central differences of loss() wrt x against the analytic gradient; reports and
// returns the largest error relative to the largest gradient entry.
inline double fd_check(const std::string& what, const std::vector<float>& analytic,
                       std::vector<float>& x, const std::function<double()>& loss, float h,
                       double tol) {
  const std::vector<double> numeric = numeric_gradient(x, loss, h);
  const double err = max_rel_error(analytic, numeric);
  MESSAGE("finite differences " << what << ": max rel error " << err << " (h " << h << ", tol "
                                << tol << ")");
  CHECK(err < tol);
  return err;
}

// Softmax of one row in double.
inline std::vector<double> ref_softmax_row(const float* x, int64_t cols) {
  double m = x[0];
  for (int64_t j = 1; j < cols; ++j) m = std::max(m, static_cast<double>(x[j]));
  std::vector<double> y(static_cast<size_t>(cols));
  double s = 0;
  for (int64_t j = 0; j < cols; ++j) s += y[j] = std::exp(x[j] - m);
  for (double& v : y) v /= s;
  return y;
}

// LRN on [rows, c], straight from the definition.
inline std::vector<double> ref_lrn(const std::vector<float>& x, int64_t rows, int64_t c,
                                   int64_t size, double alpha, double beta, double bias) {
  std::vector<double> y(x.size());
  for (int64_t r = 0; r < rows; ++r) {
    for (int64_t ch = 0; ch < c; ++ch) {
      double s = 0;
      for (int64_t j = ch - size / 2; j <= ch + (size - 1) / 2; ++j) {
        if (j >= 0 && j < c) s += static_cast<double>(x[r * c + j]) * x[r * c + j];
      }
      y[r * c + ch] = x[r * c + ch] / std::pow(bias + alpha / static_cast<double>(size) * s, beta);
    }
  }
  return y;
}

// Batchnorm training forward in double: returns y, fills mean and biased var.
inline std::vector<double> ref_batchnorm_train(const std::vector<float>& x, int64_t rows, int64_t c,
                                               const std::vector<float>& gamma,
                                               const std::vector<float>& beta, double eps,
                                               std::vector<double>& mean,
                                               std::vector<double>& var) {
  mean.assign(c, 0.0);
  var.assign(c, 0.0);
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t j = 0; j < c; ++j) mean[j] += x[r * c + j];
  for (double& m : mean) m /= static_cast<double>(rows);
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t j = 0; j < c; ++j) var[j] += (x[r * c + j] - mean[j]) * (x[r * c + j] - mean[j]);
  for (double& v : var) v /= static_cast<double>(rows);
  std::vector<double> y(x.size());
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t j = 0; j < c; ++j)
      y[r * c + j] = gamma[j] * (x[r * c + j] - mean[j]) / std::sqrt(var[j] + eps) + beta[j];
  return y;
}

}  // namespace modelc::test
