#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include "modelc/error.hpp"
#include "modelc/loss.hpp"
#include "modelc/softmax.hpp"
#include "reference_ops.hpp"

using namespace modelc;
using namespace modelc::test;

TEST_CASE("softmax cross-entropy: hand-computed loss, probabilities and gradient") {
  // Row 0: softmax(0, ln 2, ln 3) = (1/6, 2/6, 3/6), label 2 -> -ln(1/2).
  // Row 1: (1000, -1000, 1000) -> (1/2, 0, 1/2), label 0 -> ln 2. Mean ln 2, weight 2.
  const std::vector<float> logits = {0.0f,    std::log(2.0f), std::log(3.0f),
                                     1000.0f, -1000.0f,       1000.0f};
  const std::vector<int32_t> labels = {2, 0};
  std::vector<float> probs(6), dlogits(6, 0.5f);
  const float loss =
      softmax_cross_entropy(dlogits.data(), probs.data(), logits.data(), labels.data(), 2, 3, 2.0f);
  CHECK(loss == doctest::Approx(2.0 * std::log(2.0)).epsilon(1e-6));
  const double want_p[] = {1.0 / 6, 2.0 / 6, 3.0 / 6, 0.5, 0.0, 0.5};
  // weight / rows * (p - onehot) = 1 * (p - onehot), added to 0.5.
  const double want_d[] = {1.0 / 6, 2.0 / 6, -0.5, -0.5, 0.0, 0.5};
  for (int i = 0; i < 6; ++i) {
    CHECK(probs[i] == doctest::Approx(want_p[i]).epsilon(1e-6));
    CHECK(dlogits[i] - 0.5f == doctest::Approx(want_d[i]).epsilon(1e-6).scale(1.0));
  }
  // No outputs requested: just the loss.
  CHECK(softmax_cross_entropy(nullptr, nullptr, logits.data(), labels.data(), 2, 3, 2.0f) == loss);
}

TEST_CASE("softmax cross-entropy: stable at +-1000 logits") {
  const std::vector<float> logits = {1000.0f, -1000.0f, 0.0f, -1000.0f, 1000.0f, 1000.0f};
  const std::vector<int32_t> labels = {1, 0};
  std::vector<float> probs(6), d(6, 0.0f);
  const float loss =
      softmax_cross_entropy(d.data(), probs.data(), logits.data(), labels.data(), 2, 3, 1.0f);
  // Row 0: 2000 exactly (the others vanish); row 1: 2000 + ln 2.
  CHECK(std::isfinite(loss));
  CHECK(loss == doctest::Approx((2000.0 + 2000.0 + std::log(2.0)) / 2).epsilon(1e-6));
  for (int i = 0; i < 6; ++i) {
    CHECK(std::isfinite(probs[i]));
    CHECK(std::isfinite(d[i]));
  }
}

TEST_CASE("softmax cross-entropy: gradient vs finite differences, and equal to softmax backward") {
  const int64_t rows = 5, classes = 7;
  std::vector<float> logits = random_vector(rows * classes, 101, -3.0f, 3.0f);
  const std::vector<int32_t> labels = {0, 6, 3, 3, 1};
  std::vector<float> d(rows * classes, 0.0f), probs(rows * classes);
  softmax_cross_entropy(d.data(), probs.data(), logits.data(), labels.data(), rows, classes, 0.7f);
  fd_check(
      "softmax cross-entropy", d, logits,
      [&] {
        return static_cast<double>(softmax_cross_entropy(nullptr, nullptr, logits.data(),
                                                         labels.data(), rows, classes, 0.7f));
      },
      1e-2f, 1e-3);

  // The fused p - onehot equals softmax_backward of d(-0.7 mean log p_label)/dp.
  std::vector<float> p(rows * classes), dp(rows * classes, 0.0f), d2(rows * classes, 0.0f);
  softmax_forward(p.data(), logits.data(), rows, classes);
  for (int64_t r = 0; r < rows; ++r)
    dp[r * classes + labels[r]] = -0.7f / rows / p[r * classes + labels[r]];
  softmax_backward(d2.data(), dp.data(), p.data(), rows, classes);
  std::vector<double> d2d(d2.begin(), d2.end());
  CHECK(max_rel_error(d, d2d) < 1e-5);
  CHECK(max_rel_error(probs, to_double(p)) < 1e-6);
}

TEST_CASE("softmax cross-entropy: out-of-range labels name the row, the label and the range") {
  const std::vector<float> logits(4 * 3, 0.0f);
  std::vector<float> d(4 * 3, 0.0f);
  const std::vector<int32_t> high = {0, 1, 2, 3}, low = {0, -1, 0, 0};
  CHECK_THROWS_WITH_AS(
      softmax_cross_entropy(d.data(), nullptr, logits.data(), high.data(), 4, 3, 1.0f),
      "softmax_cross_entropy: label 3 at row 3 is outside the valid range [0, 3)", modelc::Error);
  CHECK_THROWS_WITH_AS(
      softmax_cross_entropy(d.data(), nullptr, logits.data(), low.data(), 4, 3, 1.0f),
      "softmax_cross_entropy: label -1 at row 1 is outside the valid range [0, 3)", modelc::Error);
  for (float v : d) CHECK(v == 0.0f);  // nothing written before the check
}

TEST_CASE("l2 penalty: hand-computed value and gradient, finite differences") {
  std::vector<float> w = {1.0f, -2.0f, 3.0f}, dw(3, 1.0f);
  CHECK(l2_penalty(dw.data(), w.data(), 3, 0.5f) == doctest::Approx(7.0));  // 0.5 * 14
  CHECK(dw == std::vector<float>{2.0f, -1.0f, 4.0f});                       // 1 + 2 * 0.5 * w
  CHECK(l2_penalty(nullptr, w.data(), 3, 0.5f) == doctest::Approx(7.0));

  std::vector<float> x = random_vector(2 * 5 * 7 * 3, 102), dx(x.size(), 0.0f);
  l2_penalty(dx.data(), x.data(), static_cast<int64_t>(x.size()), 5e-4f);
  fd_check(
      "l2", dx, x,
      [&] {
        return static_cast<double>(
            l2_penalty(nullptr, x.data(), static_cast<int64_t>(x.size()), 5e-4f));
      },
      1e-2f, 1e-3);
}

TEST_CASE("mean squared error: value and gradient vs a naive loop and finite differences") {
  const int64_t n = 2 * 5 * 7;
  std::vector<float> y = random_vector(n, 21), t = random_vector(n, 22);
  double want = 0;
  for (int64_t i = 0; i < n; ++i) want += (double(y[i]) - t[i]) * (double(y[i]) - t[i]);
  want = 0.7 * want / n;
  std::vector<float> dy(n, 0.25f);
  CHECK(mean_squared_error(dy.data(), y.data(), t.data(), n, 0.7f) ==
        doctest::Approx(want).epsilon(1e-6));
  for (float& v : dy) v -= 0.25f;  // adds into dy
  // The loss is returned as a float: a large step keeps its rounding (~3e-8)
  // small against the step; central differences of a quadratic are exact.
  fd_check(
      "mse", dy, y,
      [&] { return double(mean_squared_error(nullptr, y.data(), t.data(), n, 0.7f)); }, 0.25f,
      1e-4);
}

TEST_CASE("binary cross-entropy on logits: stable, value and gradient, target range") {
  const int64_t n = 2 * 5 * 7;
  std::vector<float> z = random_vector(n, 23, -4.0f, 4.0f), t = random_vector(n, 24, 0.0f, 1.0f);
  double want = 0;
  for (int64_t i = 0; i < n; ++i) {
    const double p = 1.0 / (1.0 + std::exp(-double(z[i])));
    want -= t[i] * std::log(p) + (1.0 - t[i]) * std::log(1.0 - p);
  }
  want /= n;
  std::vector<float> dz(n), probs(n);
  CHECK(sigmoid_binary_cross_entropy(dz.data(), probs.data(), z.data(), t.data(), n, 1.0f) ==
        doctest::Approx(want).epsilon(1e-5));
  for (int64_t i = 0; i < n; ++i)
    CHECK(probs[i] == doctest::Approx(1.0 / (1.0 + std::exp(-double(z[i])))));
  fd_check(
      "bce", dz, z,
      [&] {
        return double(sigmoid_binary_cross_entropy(nullptr, nullptr, z.data(), t.data(), n, 1.0f));
      },
      5e-2f, 1e-3);  // float loss: rounding / step ~ 1e-6 against gradients ~ 1/n
  // Logits of +-1000: finite loss (1000 for the wrong side), gradients +-1/n.
  const float big[] = {1000.0f, -1000.0f}, tt[] = {0.0f, 0.0f};
  float d[2] = {0, 0};
  CHECK(sigmoid_binary_cross_entropy(d, nullptr, big, tt, 2, 1.0f) == doctest::Approx(500.0));
  CHECK(d[0] == doctest::Approx(0.5));
  CHECK(d[1] == doctest::Approx(0.0));
  const float bad[] = {1.5f, 0.0f};
  CHECK_THROWS_AS(sigmoid_binary_cross_entropy(nullptr, nullptr, big, bad, 2, 1.0f), Error);
}
