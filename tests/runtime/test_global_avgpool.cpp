// global_avgpool: forward against a naive loop, backward against central
// differences, +=, and determinism.
#include <doctest/doctest.h>

#include "gradcheck.hpp"
#include "modelc/global_avgpool.hpp"
#include "modelc/parallel.hpp"
#include "reference_conv.hpp"

namespace modelc::test {
namespace {

std::vector<float> forward(const std::vector<float>& x, int64_t n, int64_t hw, int64_t c) {
  std::vector<float> y(static_cast<size_t>(n * c));
  global_avgpool_forward(y.data(), x.data(), n, hw, c);
  return y;
}

}  // namespace

TEST_CASE("global_avgpool forward matches a naive loop") {
  for (int64_t c : {3, 70}) {  // 70: more than one channel block
    const int64_t n = 2, hw = 5 * 7;
    const std::vector<float> x = random_vector(static_cast<size_t>(n * hw * c), 1);
    std::vector<double> want(static_cast<size_t>(n * c));
    for (int64_t i = 0; i < n; ++i)
      for (int64_t p = 0; p < hw; ++p)
        for (int64_t ci = 0; ci < c; ++ci)
          want[i * c + ci] += x[(i * hw + p) * c + ci] / double(hw);
    CHECK(max_rel_error(forward(x, n, hw, c), want) < 1e-6);
  }
}

TEST_CASE("global_avgpool backward matches central finite differences and adds into dx") {
  const int64_t n = 2, hw = 5 * 7, c = 3;
  std::vector<float> x = random_vector(static_cast<size_t>(n * hw * c), 2);
  const std::vector<float> r = random_vector(static_cast<size_t>(n * c), 3);
  const std::vector<float> start = random_vector(x.size(), 4);
  std::vector<float> dx(x.size()), acc = start;
  global_avgpool_backward(dx.data(), r.data(), n, hw, c);
  global_avgpool_backward(acc.data(), r.data(), n, hw, c);
  const auto loss = [&] { return weighted_sum(forward(x, n, hw, c), r); };
  const double e = max_rel_error(dx, numeric_gradient(x, loss, 1.0f / 64));
  CHECK(e < kFdTolerance);
  const std::vector<float> sum = plus(start, dx);
  CHECK(max_rel_error(acc, std::vector<double>(sum.begin(), sum.end())) < 1e-6);
  MESSAGE("global_avgpool: largest finite-difference relative error (dx) = " << e);
}

TEST_CASE("global_avgpool is bit-identical from run to run") {
  set_num_threads(0);
  const int64_t n = 4, hw = 14 * 14, c = 256;
  const std::vector<float> x = random_vector(static_cast<size_t>(n * hw * c), 5);
  const std::vector<float> r = random_vector(static_cast<size_t>(n * c), 6);
  CHECK(forward(x, n, hw, c) == forward(x, n, hw, c));
  std::vector<float> a(x.size()), b(x.size());
  global_avgpool_backward(a.data(), r.data(), n, hw, c);
  global_avgpool_backward(b.data(), r.data(), n, hw, c);
  CHECK(a == b);
}

}  // namespace modelc::test
