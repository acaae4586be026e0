// maxpool: forward against a naive loop, backward against central differences
// (tie-free inputs), first-max routing on ties, +=, and determinism.
#include <doctest/doctest.h>

#include "gradcheck.hpp"
#include "modelc/maxpool.hpp"
#include "modelc/parallel.hpp"
#include "reference_conv.hpp"

namespace modelc::test {
namespace {

size_t out_size(const Window2d& g) { return static_cast<size_t>(g.n * g.oh * g.ow * g.c); }

std::vector<float> forward(const std::vector<float>& x, const Window2d& g) {
  std::vector<float> y(out_size(g));
  maxpool_forward(y.data(), x.data(), g);
  return y;
}

// dx += d(sum(dy * y))/dx
void backward(std::vector<float>& dx, const std::vector<float>& dy, const std::vector<float>& x,
              const Window2d& g) {
  const std::vector<float> y = forward(x, g);
  maxpool_backward(dx.data(), dy.data(), x.data(), y.data(), g);
}

}  // namespace

TEST_CASE("maxpool forward matches a naive loop") {
  for (const WindowSpec& s : kPoolCases) {
    CAPTURE(describe(s));
    const Window2d g = make_window(2, 5, 7, 3, s);
    // Negative inputs: a padded cell taken as 0 would win every border window.
    const std::vector<float> x = random_vector(static_cast<size_t>(2 * 5 * 7 * 3), 1, -2.0f, -0.5f);
    CHECK(max_rel_error(forward(x, g), pool_naive(x, g, true)) == 0.0);
  }
}

TEST_CASE("maxpool backward matches central finite differences") {
  MaxError worst;
  for (const WindowSpec& s : kPoolCases) {
    CAPTURE(describe(s));
    const Window2d g = make_window(2, 5, 7, 3, s);
    std::vector<float> x = distinct_values(static_cast<size_t>(2 * 5 * 7 * 3), 2);
    const std::vector<float> r = random_vector(out_size(g), 3);
    std::vector<float> dx(x.size());
    backward(dx, r, x, g);
    const auto loss = [&] { return weighted_sum(forward(x, g), r); };
    const double e = max_rel_error(dx, numeric_gradient(x, loss, 1.0f / 1024));
    CHECK(e < kFdTolerance);
    worst.add(e);
  }
  MESSAGE("maxpool: largest finite-difference relative error (dx) = " << worst.value);
}

TEST_CASE("maxpool with explicit, asymmetric padding and ceil: padding never wins") {
  MaxError worst;
  for (const PaddedPool& s : kPaddedPools) {
    INFO("pool ", s.kh, "x", s.kw, " stride ", s.sh, " pads ", s.top, s.bottom, s.left, s.right,
         " ceil ", s.ceil);
    const Window2d g = padded_window(2, 5, 7, 3, s);
    const std::vector<float> neg =
        random_vector(static_cast<size_t>(2 * 5 * 7 * 3), 1, -2.0f, -0.5f);
    CHECK(max_rel_error(forward(neg, g), pool_naive(neg, g, true)) == 0.0);
    std::vector<float> x = distinct_values(static_cast<size_t>(2 * 5 * 7 * 3), 2);
    const std::vector<float> r = random_vector(out_size(g), 3);
    std::vector<float> dx(x.size());
    backward(dx, r, x, g);
    const auto loss = [&] { return weighted_sum(forward(x, g), r); };
    const double e = max_rel_error(dx, numeric_gradient(x, loss, 1.0f / 1024));
    CHECK(e < kFdTolerance);
    worst.add(e);
  }
  MESSAGE(
      "maxpool (explicit/ceil): largest finite-difference relative error (dx) = " << worst.value);
}

TEST_CASE("maxpool backward sends a tie to the first maximum and adds into dx") {
  // One 2x3 window over equal values: row-major first cell wins.
  const Window2d g = make_window(1, 2, 3, 2, {2, 3, 1, 1, Padding::valid});
  const std::vector<float> x(12, 0.5f), dy = {3.0f, -2.0f};
  std::vector<float> dx(12, 1.0f);
  backward(dx, dy, x, g);
  CHECK(dx == std::vector<float>{4.0f, -1.0f, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1});
}

TEST_CASE("maxpool is bit-identical from run to run and across thread counts") {
  set_num_threads(0);
  const Window2d g = make_window(2, 31, 33, 64, {3, 3, 2, 2, Padding::same});
  const std::vector<float> x = distinct_values(static_cast<size_t>(2 * 31 * 33 * 64), 4);
  const std::vector<float> r = random_vector(out_size(g), 5);
  std::vector<float> a(x.size()), b(x.size()), one(x.size());
  CHECK(forward(x, g) == forward(x, g));
  backward(a, r, x, g);
  backward(b, r, x, g);
  CHECK(a == b);
  set_num_threads(1);
  backward(one, r, x, g);
  set_num_threads(0);
  CHECK(a == one);
}

}  // namespace modelc::test
