#include <doctest/doctest.h>

#include <omp.h>

#include <algorithm>
#include <vector>

#include "modelc/scale.hpp"
#include "reference_ops.hpp"

using namespace modelc;
using namespace modelc::test;

TEST_CASE("scale forward vs naive loop, in place") {
  const int64_t rows = 2 * 5 * 7, c = 3;
  const std::vector<float> x = random_vector(rows * c, 111, -2.0f, 3.0f);
  const std::vector<float> gamma = random_vector(c, 112);
  std::vector<float> y(rows * c);
  scale_forward(y.data(), x.data(), gamma.data(), rows, c);
  std::vector<double> want(y.size());
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t j = 0; j < c; ++j) want[r * c + j] = static_cast<double>(x[r * c + j]) * gamma[j];
  CHECK(forward_error(y, want) < 1e-7);
  std::vector<float> inplace = x;
  scale_forward(inplace.data(), inplace.data(), gamma.data(), rows, c);
  CHECK(inplace == y);
}

TEST_CASE("scale backward vs finite differences: dx and dgamma; null gradients skipped") {
  const int64_t rows = 2 * 5 * 7, c = 5;
  std::vector<float> x = random_vector(rows * c, 113, -2.0f, 3.0f);
  std::vector<float> gamma = random_vector(c, 114);
  gamma[1] = 0.0f;  // a zero factor still passes gradient to gamma
  const std::vector<float> r = random_vector(rows * c, 115);
  std::vector<float> dx(x.size(), 0.25f), dgamma(c, 0.25f);
  scale_backward(dx.data(), dgamma.data(), r.data(), x.data(), gamma.data(), rows, c);
  for (auto* v : {&dx, &dgamma})
    for (float& e : *v) e -= 0.25f;
  std::vector<float> y(x.size());
  auto loss = [&] {
    scale_forward(y.data(), x.data(), gamma.data(), rows, c);
    return weighted_sum(y, r);
  };
  fd_check("scale dx", dx, x, loss, 1e-2f, 1e-4);
  fd_check("scale dgamma", dgamma, gamma, loss, 1e-2f, 1e-4);
  std::vector<float> dx2(x.size(), 0.25f), dg2(c, 0.25f);
  scale_backward(dx2.data(), nullptr, r.data(), x.data(), gamma.data(), rows, c);
  scale_backward(nullptr, dg2.data(), r.data(), x.data(), gamma.data(), rows, c);
  for (float& e : dx2) e -= 0.25f;
  for (float& e : dg2) e -= 0.25f;
  CHECK(dx2 == dx);
  CHECK(dg2 == dgamma);
}

TEST_CASE("scale on threads: same bits for any thread count") {
  const int64_t rows = 2 * 56 * 56, c = 24;
  const std::vector<float> x = random_vector(rows * c, 116), r = random_vector(rows * c, 117);
  const std::vector<float> gamma = random_vector(c, 118);
  const int threads = omp_get_max_threads();
  std::vector<float> y[2], dx[2], dg[2];
  for (int k = 0; k < 2; ++k) {
    omp_set_num_threads(k == 0 ? 1 : std::max(2, threads));
    y[k].resize(rows * c), dx[k].assign(rows * c, 0.0f), dg[k].assign(c, 0.0f);
    scale_forward(y[k].data(), x.data(), gamma.data(), rows, c);
    scale_backward(dx[k].data(), dg[k].data(), r.data(), x.data(), gamma.data(), rows, c);
  }
  omp_set_num_threads(threads);
  CHECK(y[0] == y[1]);
  CHECK(dx[0] == dx[1]);
  CHECK(dg[0] == dg[1]);
  double want = 0;
  for (int64_t i = 0; i < rows; ++i) want += static_cast<double>(r[i * c]) * x[i * c];
  CHECK(dg[0][0] == doctest::Approx(want).epsilon(1e-5));
}
