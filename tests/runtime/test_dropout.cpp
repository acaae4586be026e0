#include <doctest/doctest.h>

#include <omp.h>

#include <vector>

#include "modelc/dropout.hpp"
#include "modelc/error.hpp"
#include "reference_ops.hpp"

using namespace modelc;
using namespace modelc::test;

TEST_CASE("dropout: forward vs naive loop over its own mask, backward vs finite differences") {
  const int64_t n = 2 * 5 * 7 * 3;
  const float rate = 0.3f;
  std::vector<float> x = random_vector(n, 41), y(n);
  std::vector<uint8_t> mask(n);
  dropout_forward(y.data(), mask.data(), x.data(), n, rate, 1234);
  std::vector<double> want(n);
  for (int64_t i = 0; i < n; ++i) {
    REQUIRE(mask[i] <= 1);
    want[i] = mask[i] ? x[i] / (1.0 - rate) : 0.0;
  }
  CHECK(forward_error(y, want) < 1e-6);

  // Same seed, same mask: the FD loss reruns the forward with the fixed mask.
  const std::vector<float> r = random_vector(n, 42);
  std::vector<float> dx(n, 0.25f), yy(n);
  std::vector<uint8_t> m2(n);
  dropout_backward(dx.data(), r.data(), mask.data(), n, rate);
  for (float& v : dx) v -= 0.25f;
  fd_check(
      "dropout", dx, x,
      [&] {
        dropout_forward(yy.data(), m2.data(), x.data(), n, rate, 1234);
        return weighted_sum(yy, r);
      },
      1e-2f, 1e-4);
  CHECK(m2 == mask);
}

TEST_CASE("dropout: keep fraction, determinism across seeds and thread counts, rate 0, bad rates") {
  const int64_t n = 200001;  // large enough for the parallel path
  const std::vector<float> x(n, 1.0f);
  std::vector<float> y(n);
  std::vector<uint8_t> mask(n);
  for (float rate : {0.1f, 0.5f, 0.9f}) {
    CAPTURE(rate);
    dropout_forward(y.data(), mask.data(), x.data(), n, rate, 7);
    int64_t kept = 0;
    for (uint8_t m : mask) kept += m;
    const double frac = static_cast<double>(kept) / static_cast<double>(n);
    CHECK(std::abs(frac - (1.0 - rate)) < 0.005);  // ~5 standard deviations at n = 2e5
    double mean = 0;
    for (float v : y) mean += v;
    CHECK(std::abs(mean / static_cast<double>(n) - 1.0) < 0.02);  // inverted: E[y] = x
  }

  std::vector<uint8_t> a(n), b(n), c(n);
  std::vector<float> ya(n), yb(n);
  const int threads = omp_get_max_threads();
  omp_set_num_threads(1);
  dropout_forward(ya.data(), a.data(), x.data(), n, 0.5f, 99);
  omp_set_num_threads(2);
  dropout_forward(yb.data(), b.data(), x.data(), n, 0.5f, 99);
  omp_set_num_threads(threads);
  CHECK(a == b);
  CHECK(ya == yb);
  dropout_forward(yb.data(), c.data(), x.data(), n, 0.5f, 100);
  CHECK(a != c);

  // rate 0: identity, every element kept, backward passes dy through.
  const std::vector<float> x2 = random_vector(50, 3);
  std::vector<float> y2(50), dx2(50, 0.0f);
  std::vector<uint8_t> m2(50, 7);
  dropout_forward(y2.data(), m2.data(), x2.data(), 50, 0.0f, 5);
  CHECK(y2 == x2);
  for (uint8_t m : m2) CHECK(m == 1);
  dropout_backward(dx2.data(), x2.data(), m2.data(), 50, 0.0f);
  CHECK(dx2 == x2);

  for (float bad : {-0.1f, 1.0f, 1.5f, std::nanf("")}) {
    CHECK_THROWS_WITH_AS(dropout_forward(y2.data(), m2.data(), x2.data(), 50, bad, 5),
                         doctest::Contains("rate must be in [0, 1)"), modelc::Error);
    CHECK_THROWS_AS(dropout_backward(dx2.data(), x2.data(), m2.data(), 50, bad), modelc::Error);
  }
}
