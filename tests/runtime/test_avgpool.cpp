// avgpool: forward against a naive loop (same divides by the real cells), backward
// against central differences, +=, and determinism.
#include <doctest/doctest.h>

#include "gradcheck.hpp"
#include "modelc/avgpool.hpp"
#include "modelc/parallel.hpp"
#include "reference_conv.hpp"

namespace modelc::test {
namespace {

size_t out_size(const Window2d& g) { return static_cast<size_t>(g.n * g.oh * g.ow * g.c); }

std::vector<float> forward(const std::vector<float>& x, const Window2d& g) {
  std::vector<float> y(out_size(g));
  avgpool_forward(y.data(), x.data(), g);
  return y;
}

}  // namespace

TEST_CASE("avgpool forward matches a naive loop") {
  for (const WindowSpec& s : kPoolCases) {
    CAPTURE(describe(s));
    const Window2d g = make_window(2, 5, 7, 3, s);
    const std::vector<float> x = random_vector(static_cast<size_t>(2 * 5 * 7 * 3), 1);
    CHECK(max_rel_error(forward(x, g), pool_naive(x, g, false)) < 1e-6);
  }
}

TEST_CASE("avgpool same padding divides by the real cells") {
  // 2x2 input, pool 2, stride 1, same: padding is one row/column at the bottom/right.
  const Window2d g = make_window(1, 2, 2, 1, {2, 2, 1, 1, Padding::same});
  const std::vector<float> x = {1, 2, 3, 4};
  CHECK(forward(x, g) == std::vector<float>{2.5f, 3.0f, 3.5f, 4.0f});
}

TEST_CASE("avgpool backward matches central finite differences and adds into dx") {
  MaxError worst;
  for (const WindowSpec& s : kPoolCases) {
    CAPTURE(describe(s));
    const Window2d g = make_window(2, 5, 7, 3, s);
    std::vector<float> x = random_vector(static_cast<size_t>(2 * 5 * 7 * 3), 2);
    const std::vector<float> r = random_vector(out_size(g), 3);
    const std::vector<float> start = random_vector(x.size(), 4);
    std::vector<float> dx(x.size()), acc = start;
    avgpool_backward(dx.data(), r.data(), g);
    avgpool_backward(acc.data(), r.data(), g);
    const auto loss = [&] { return weighted_sum(forward(x, g), r); };
    const double e = max_rel_error(dx, numeric_gradient(x, loss, 1.0f / 64));
    CHECK(e < kFdTolerance);
    worst.add(e);
    const std::vector<float> sum = plus(start, dx);
    CHECK(max_rel_error(acc, std::vector<double>(sum.begin(), sum.end())) < 1e-6);
  }
  MESSAGE("avgpool: largest finite-difference relative error (dx) = " << worst.value);
}

TEST_CASE("avgpool is bit-identical from run to run and across thread counts") {
  set_num_threads(0);
  const Window2d g = make_window(2, 31, 33, 64, {3, 3, 2, 2, Padding::same});
  const std::vector<float> x = random_vector(static_cast<size_t>(2 * 31 * 33 * 64), 5);
  const std::vector<float> r = random_vector(out_size(g), 6);
  CHECK(forward(x, g) == forward(x, g));
  std::vector<float> a(x.size()), b(x.size()), one(x.size());
  avgpool_backward(a.data(), r.data(), g);
  avgpool_backward(b.data(), r.data(), g);
  CHECK(a == b);
  set_num_threads(1);
  avgpool_backward(one.data(), r.data(), g);
  set_num_threads(0);
  CHECK(a == one);
}

}  // namespace modelc::test
