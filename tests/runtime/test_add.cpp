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
  fd_check(
      "add", da, a,
      [&] {
        add_forward(yy.data(), xs2, n);
        return weighted_sum(yy, r);
      },
      1e-2f, 1e-4);
}

TEST_CASE("add broadcasting [C] over H and W: forward vs naive loop, backward sums over H, W") {
  for (int64_t c : {3, 300}) {  // 300: more than one 256-channel chunk
    CAPTURE(c);
    const int64_t n = 2, rows = 5 * 7, full = n * rows * c;
    std::vector<float> a = random_vector(full, 55), g = random_vector(n * c, 56), y(full);
    const float* xs[] = {g.data(), a.data()};  // the broadcast input first
    const bool bcast[] = {true, false};
    add_broadcast_forward(y.data(), xs, bcast, n, rows, c);
    std::vector<double> want(full);
    for (int64_t r = 0; r < n * rows; ++r)
      for (int64_t j = 0; j < c; ++j)
        want[r * c + j] = double(g[(r / rows) * c + j]) + a[r * c + j];
    CHECK(forward_error(y, want) < 1e-6);
    std::vector<float> a2 = a;
    const float* alias[] = {g.data(), a2.data()};
    add_broadcast_forward(a2.data(), alias, bcast, n, rows, c);
    CHECK(a2 == y);

    const std::vector<float> r = random_vector(full, 57);
    std::vector<float> dg(n * c, 0.25f), da(full, 0.0f);
    float* dxs[] = {dg.data(), da.data()};
    add_broadcast_backward(dxs, r.data(), bcast, n, rows, c);
    CHECK(da == r);
    for (float& v : dg) v -= 0.25f;
    const double err = fd_check(
        "add (broadcast input)", dg, g,
        [&] {
          add_broadcast_forward(y.data(), xs, bcast, n, rows, c);
          return weighted_sum(y, r);
        },
        1e-2f, 1e-4);
    MESSAGE("add broadcast: largest finite-difference relative error = " << err);
  }
}
