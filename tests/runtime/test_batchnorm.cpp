#include <doctest/doctest.h>

#include <omp.h>

#include <cmath>
#include <vector>

#include "modelc/batchnorm.hpp"
#include "reference_ops.hpp"

using namespace modelc;
using namespace modelc::test;

namespace {

struct Case {
  BatchnormGeom g{2 * 5 * 7, 3, 1e-3f, 0.9f};  // batch 2, 5x7, 3 channels
  std::vector<float> x = random_vector(70 * 3, 81, -2.0f, 3.0f);
  std::vector<float> gamma = random_vector(3, 82, 0.5f, 1.5f);
  std::vector<float> beta = random_vector(3, 83);
  std::vector<float> mm = random_vector(3, 84);
  std::vector<float> mv = random_vector(3, 85, 0.5f, 2.0f);
};

}  // namespace

TEST_CASE("batchnorm inference: forward vs naive loop, in place") {
  Case t;
  const int64_t n = t.g.rows * t.g.c;
  std::vector<float> y(n);
  batchnorm_forward_inference(y.data(), t.x.data(), t.gamma.data(), t.beta.data(), t.mm.data(),
                              t.mv.data(), t.g);
  std::vector<double> want(n);
  for (int64_t r = 0; r < t.g.rows; ++r)
    for (int64_t j = 0; j < 3; ++j)
      want[r * 3 + j] = t.gamma[j] * (t.x[r * 3 + j] - t.mm[j]) /
                            std::sqrt(static_cast<double>(t.mv[j]) + t.g.epsilon) +
                        t.beta[j];
  CHECK(forward_error(y, want) < 1e-6);
  std::vector<float> inplace = t.x;
  batchnorm_forward_inference(inplace.data(), inplace.data(), t.gamma.data(), t.beta.data(),
                              t.mm.data(), t.mv.data(), t.g);
  CHECK(inplace == y);
}

TEST_CASE("batchnorm training: forward vs naive loop, saved statistics, moving averages") {
  Case t;
  const int64_t n = t.g.rows * t.g.c;
  std::vector<float> y(n), mean(3), invstd(3), mm = t.mm, mv = t.mv;
  batchnorm_forward_training(y.data(), mean.data(), invstd.data(), t.x.data(), t.gamma.data(),
                             t.beta.data(), mm.data(), mv.data(), t.g);
  std::vector<double> rmean, rvar;
  const std::vector<double> want =
      ref_batchnorm_train(t.x, t.g.rows, 3, t.gamma, t.beta, t.g.epsilon, rmean, rvar);
  CHECK(forward_error(y, want) < 1e-6);
  for (int j = 0; j < 3; ++j) {
    CHECK(mean[j] == doctest::Approx(rmean[j]).epsilon(1e-6));
    CHECK(invstd[j] == doctest::Approx(1.0 / std::sqrt(rvar[j] + t.g.epsilon)).epsilon(1e-6));
    CHECK(mm[j] == doctest::Approx(0.9 * t.mm[j] + 0.1 * rmean[j]).epsilon(1e-6));
    CHECK(mv[j] == doctest::Approx(0.9 * t.mv[j] + 0.1 * rvar[j]).epsilon(1e-6));  // biased var
  }

  // By hand: x = 1, 2, 3, 6 -> mean 3, biased variance (4 + 1 + 0 + 9) / 4 = 3.5.
  const BatchnormGeom h{4, 1, 0.0f, 0.9f};
  const std::vector<float> hx = {1, 2, 3, 6};
  std::vector<float> hy(4);
  float hmean = 0, hinv = 0, hmm = 0.5f, hmv = 2.0f, one = 1.0f, zero = 0.0f;
  batchnorm_forward_training(hy.data(), &hmean, &hinv, hx.data(), &one, &zero, &hmm, &hmv, h);
  CHECK(hmean == 3.0f);
  CHECK(hinv == doctest::Approx(1.0 / std::sqrt(3.5)));
  CHECK(hmm == doctest::Approx(0.9 * 0.5 + 0.1 * 3.0));  // 0.75
  CHECK(hmv == doctest::Approx(0.9 * 2.0 + 0.1 * 3.5));  // 2.15
  CHECK(hy[3] == doctest::Approx(3.0 / std::sqrt(3.5)));
}

TEST_CASE("batchnorm training: backward through the batch statistics vs finite differences") {
  Case t;
  const int64_t n = t.g.rows * t.g.c;
  std::vector<float> y(n), mean(3), invstd(3), mm = t.mm, mv = t.mv;
  batchnorm_forward_training(y.data(), mean.data(), invstd.data(), t.x.data(), t.gamma.data(),
                             t.beta.data(), mm.data(), mv.data(), t.g);
  const std::vector<float> r = random_vector(n, 86);
  std::vector<float> dx(n, 0.25f), dgamma(3, 0.25f), dbeta(3, 0.25f);
  batchnorm_backward(dx.data(), dgamma.data(), dbeta.data(), r.data(), t.x.data(), t.gamma.data(),
                     mean.data(), invstd.data(), t.g);
  for (auto* v : {&dx, &dgamma, &dbeta})
    for (float& e : *v) e -= 0.25f;

  std::vector<float> yy(n), m2(3), i2(3);
  auto loss = [&] {
    batchnorm_forward_training(yy.data(), m2.data(), i2.data(), t.x.data(), t.gamma.data(),
                               t.beta.data(), mm.data(), mv.data(), t.g);
    return weighted_sum(yy, r);
  };
  fd_check("batchnorm dx (training)", dx, t.x, loss, 1e-2f, 5e-4);
  fd_check("batchnorm dgamma", dgamma, t.gamma, loss, 1e-2f, 1e-4);
  fd_check("batchnorm dbeta", dbeta, t.beta, loss, 1e-2f, 1e-4);

  // Null gradients are skipped; dx alone gives the same numbers.
  std::vector<float> dx2(n, 0.25f);
  batchnorm_backward(dx2.data(), nullptr, nullptr, r.data(), t.x.data(), t.gamma.data(),
                     mean.data(), invstd.data(), t.g);
  for (float& e : dx2) e -= 0.25f;
  CHECK(dx2 == dx);
}

TEST_CASE("batchnorm training: statistics stay accurate at large offsets and many rows") {
  // 8 x 112 x 112 rows of values near 1000 with spread 0.1: a single float pass of
  // sum x^2 - mean^2 would lose every digit of the variance.
  const BatchnormGeom g{8 * 112 * 112, 2, 1e-6f, 0.99f};
  const int64_t n = g.rows * g.c;
  std::vector<float> x = random_vector(n, 87, -0.1f, 0.1f);
  for (int64_t i = 0; i < n; i += 2) x[i] += 1000.0f;
  const std::vector<float> gamma = {1, 1}, beta = {0, 0};
  std::vector<double> rmean, rvar;
  const std::vector<double> want =
      ref_batchnorm_train(x, g.rows, 2, gamma, beta, g.epsilon, rmean, rvar);
  std::vector<float> y1(n), y2(n), mean(2), inv1(2), inv2(2), mm(2, 0.0f), mv(2, 1.0f);
  const int threads = omp_get_max_threads();
  omp_set_num_threads(1);
  batchnorm_forward_training(y1.data(), mean.data(), inv1.data(), x.data(), gamma.data(),
                             beta.data(), mm.data(), mv.data(), g);
  omp_set_num_threads(2);
  batchnorm_forward_training(y2.data(), mean.data(), inv2.data(), x.data(), gamma.data(),
                             beta.data(), mm.data(), mv.data(), g);
  omp_set_num_threads(threads);
  CHECK(y1 == y2);  // same bits for any thread count
  CHECK(inv1 == inv2);
  for (int j = 0; j < 2; ++j) {
    CHECK(mean[j] == doctest::Approx(rmean[j]).epsilon(1e-7));
    CHECK(inv1[j] == doctest::Approx(1.0 / std::sqrt(rvar[j] + g.epsilon)).epsilon(1e-6));
  }
  // y near 1000 is quantised by the float input itself, so compare loosely there.
  CHECK(forward_error(y1, want) < 1e-3);
}
