#include <doctest/doctest.h>

#include <omp.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "modelc/layernorm.hpp"
#include "reference_ops.hpp"

using namespace modelc;
using namespace modelc::test;

namespace {

// Each row on its own, in double: the mean and the biased variance.
std::vector<double> ref_layernorm(const std::vector<float>& x, int64_t rows, int64_t c,
                                  const std::vector<float>& gamma, const std::vector<float>& beta,
                                  double eps) {
  std::vector<double> y(x.size());
  for (int64_t r = 0; r < rows; ++r) {
    double mean = 0, var = 0;
    for (int64_t j = 0; j < c; ++j) mean += x[r * c + j];
    mean /= static_cast<double>(c);
    for (int64_t j = 0; j < c; ++j) var += (x[r * c + j] - mean) * (x[r * c + j] - mean);
    var /= static_cast<double>(c);
    for (int64_t j = 0; j < c; ++j)
      y[r * c + j] = gamma[j] * (x[r * c + j] - mean) / std::sqrt(var + eps) + beta[j];
  }
  return y;
}

struct Case {
  LayernormGeom g{2 * 5 * 7, 7, 1e-3f};  // batch 2, 5x7 rows, 7 channels
  std::vector<float> x = random_vector(70 * 7, 101, -2.0f, 3.0f);
  std::vector<float> gamma = random_vector(7, 102, 0.5f, 1.5f);
  std::vector<float> beta = random_vector(7, 103);
};

}  // namespace

TEST_CASE("layernorm forward vs naive loop; saved statistics; inference = training; in place") {
  Case t;
  const int64_t n = t.g.rows * t.g.c;
  std::vector<float> y(n), mean(t.g.rows), invstd(t.g.rows), yi(n);
  layernorm_forward(y.data(), mean.data(), invstd.data(), t.x.data(), t.gamma.data(), t.beta.data(),
                    t.g);
  CHECK(forward_error(y, ref_layernorm(t.x, t.g.rows, 7, t.gamma, t.beta, t.g.epsilon)) < 1e-6);
  layernorm_forward(yi.data(), nullptr, nullptr, t.x.data(), t.gamma.data(), t.beta.data(), t.g);
  CHECK(yi == y);
  std::vector<float> inplace = t.x;
  layernorm_forward(inplace.data(), nullptr, nullptr, inplace.data(), t.gamma.data(), t.beta.data(),
                    t.g);
  CHECK(inplace == y);
  for (int64_t r = 0; r < t.g.rows; ++r) {
    double m = 0, v = 0;
    for (int64_t j = 0; j < 7; ++j) m += t.x[r * 7 + j];
    m /= 7;
    for (int64_t j = 0; j < 7; ++j) v += (t.x[r * 7 + j] - m) * (t.x[r * 7 + j] - m);
    CHECK(mean[r] == doctest::Approx(m).epsilon(1e-6));
    CHECK(invstd[r] == doctest::Approx(1.0 / std::sqrt(v / 7 + t.g.epsilon)).epsilon(1e-6));
  }
  // By hand: x = 1, 2, 3, 6 -> mean 3, biased variance 3.5; gamma 2, beta 1, eps 0.
  const std::vector<float> hx = {1, 2, 3, 6}, hg(4, 2.0f), hb(4, 1.0f);
  std::vector<float> hy(4);
  layernorm_forward(hy.data(), nullptr, nullptr, hx.data(), hg.data(), hb.data(), {1, 4, 0.0f});
  CHECK(hy[3] == doctest::Approx(2.0 * 3.0 / std::sqrt(3.5) + 1.0));
  CHECK(hy[2] == doctest::Approx(1.0));
}

TEST_CASE("layernorm backward vs finite differences: dx, dgamma, dbeta") {
  Case t;
  const int64_t n = t.g.rows * t.g.c;
  std::vector<float> y(n), mean(t.g.rows), invstd(t.g.rows);
  layernorm_forward(y.data(), mean.data(), invstd.data(), t.x.data(), t.gamma.data(), t.beta.data(),
                    t.g);
  const std::vector<float> r = random_vector(n, 104);
  std::vector<float> dx(n, 0.25f), dgamma(7, 0.25f), dbeta(7, 0.25f);
  layernorm_backward(dx.data(), dgamma.data(), dbeta.data(), r.data(), t.x.data(), t.gamma.data(),
                     mean.data(), invstd.data(), t.g);
  for (auto* v : {&dx, &dgamma, &dbeta})
    for (float& e : *v) e -= 0.25f;
  std::vector<float> yy(n);
  auto loss = [&] {
    layernorm_forward(yy.data(), nullptr, nullptr, t.x.data(), t.gamma.data(), t.beta.data(), t.g);
    return weighted_sum(yy, r);
  };
  fd_check("layernorm dx", dx, t.x, loss, 1e-2f, 5e-4);
  fd_check("layernorm dgamma", dgamma, t.gamma, loss, 1e-2f, 1e-4);
  fd_check("layernorm dbeta", dbeta, t.beta, loss, 1e-2f, 1e-4);

  // Null gradients are skipped; dx alone gives the same numbers.
  std::vector<float> dx2(n, 0.25f);
  layernorm_backward(dx2.data(), nullptr, nullptr, r.data(), t.x.data(), t.gamma.data(),
                     mean.data(), invstd.data(), t.g);
  for (float& e : dx2) e -= 0.25f;
  CHECK(dx2 == dx);
}

TEST_CASE("layernorm on threads: wide rows, same bits for any thread count") {
  const LayernormGeom g{2 * 23 * 29, 37, 1e-6f};
  const int64_t n = g.rows * g.c;
  std::vector<float> x = random_vector(n, 105, -0.1f, 0.1f);
  for (int64_t i = 0; i < n; i += 3) x[i] += 100.0f;  // offsets the one-pass formula would lose
  const std::vector<float> gamma = random_vector(37, 106, 0.5f, 1.5f);
  const std::vector<float> beta = random_vector(37, 107);
  const std::vector<float> r = random_vector(n, 108);
  const int threads = omp_get_max_threads();
  std::vector<float> y[2], m[2], s[2], dx[2], dg[2], db[2];
  for (int k = 0; k < 2; ++k) {
    omp_set_num_threads(k == 0 ? 1 : std::max(2, threads));
    y[k].resize(n), m[k].resize(g.rows), s[k].resize(g.rows);
    dx[k].assign(n, 0.0f), dg[k].assign(37, 0.0f), db[k].assign(37, 0.0f);
    layernorm_forward(y[k].data(), m[k].data(), s[k].data(), x.data(), gamma.data(), beta.data(),
                      g);
    layernorm_backward(dx[k].data(), dg[k].data(), db[k].data(), r.data(), x.data(), gamma.data(),
                       m[k].data(), s[k].data(), g);
  }
  omp_set_num_threads(threads);
  CHECK(y[0] == y[1]);
  CHECK(dx[0] == dx[1]);
  CHECK(dg[0] == dg[1]);
  CHECK(db[0] == db[1]);
  // y is O(1) but computed from inputs near 100 quantised by float itself.
  CHECK(forward_error(y[0], ref_layernorm(x, g.rows, 37, gamma, beta, g.epsilon)) < 1e-3);
}
