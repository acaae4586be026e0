#include <doctest/doctest.h>

#include <vector>

#include "modelc/add.hpp"
#include "reference_ops.hpp"

using namespace modelc;
using namespace modelc::test;

TEST_CASE("add: forward vs naive loop (also in place), backward vs finite differences") {
  const int64_t n = 2 * 5 * 7 * 3 + 1500;  // crosses the 1024-float chunk
  std::vector<float> a = random_vector(n, 51), b = random_vector(n, 52), c = random_vector(n, 53);
  std::vector<float> y(n);
  const float* xs[] = {a.data(), b.data(), c.data()};
  add_forward(y.data(), xs, n);
  std::vector<double> want(n);
  for (int64_t i = 0; i < n; ++i) want[i] = static_cast<double>(a[i]) + b[i] + c[i];
  CHECK(forward_error(y, want) < 1e-6);

  // y may alias any input.
  std::vector<float> b2 = b;
  const float* alias[] = {a.data(), b2.data(), c.data()};
  add_forward(b2.data(), alias, n);
  CHECK(b2 == y);

  const std::vector<float> r = random_vector(n, 54);
  std::vector<float> da(n, 0.25f), dc(n, 0.0f), yy(n);
  float* dxs[] = {da.data(), nullptr, dc.data()};
  add_backward(dxs, r.data(), n);
  for (float& v : da) v -= 0.25f;
  CHECK(dc == r);
  const float* xs2[] = {a.data(), b.data(), c.data()};
  fd_check("add", da, a, [&] {
    add_forward(yy.data(), xs2, n);
    return weighted_sum(yy, r);
  }, 1e-2f, 1e-4);
}
