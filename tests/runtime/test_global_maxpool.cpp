// global_maxpool: forward against a naive loop (one and two channel blocks),
// backward against finite differences away from ties, tied maxima sharing the
// gradient equally, +=.
#include <doctest/doctest.h>

#include <vector>

#include "modelc/global_maxpool.hpp"
#include "reference_ops.hpp"

using namespace modelc;
using namespace modelc::test;

TEST_CASE("global_maxpool: forward vs naive loop") {
  for (int64_t c : {3, 70}) {  // 70: more than one channel block
    CAPTURE(c);
    const int64_t n = 2, hw = 5 * 7;
    const std::vector<float> x = random_vector(n * hw * c, 91, -3.0f, -1.0f);  // all negative
    std::vector<float> y(n * c);
    global_maxpool_forward(y.data(), x.data(), n, hw, c);
    std::vector<double> want(n * c, -1e30);
    for (int64_t i = 0; i < n; ++i)
      for (int64_t p = 0; p < hw; ++p)
        for (int64_t ci = 0; ci < c; ++ci)
          want[i * c + ci] = std::max(want[i * c + ci], double(x[(i * hw + p) * c + ci]));
    CHECK(forward_error(y, want) == 0.0);
  }
}

TEST_CASE("global_maxpool: backward vs finite differences, adds into dx") {
  const int64_t n = 2, hw = 5 * 7, c = 70;
  std::vector<float> x = random_vector(n * hw * c, 92), y(n * c);
  // Each channel's maximum 0.1 above the rest, so a step of h does not move it.
  for (int64_t i = 0; i < n; ++i)
    for (int64_t ci = 0; ci < c; ++ci) {
      int64_t best = 0;
      for (int64_t p = 1; p < hw; ++p)
        if (x[(i * hw + p) * c + ci] > x[(i * hw + best) * c + ci]) best = p;
      x[(i * hw + best) * c + ci] += 0.1f;
    }
  const std::vector<float> r = random_vector(n * c, 93);
  global_maxpool_forward(y.data(), x.data(), n, hw, c);
  std::vector<float> dx(x.size(), 0.25f);
  global_maxpool_backward(dx.data(), r.data(), x.data(), y.data(), n, hw, c);
  for (float& v : dx) v -= 0.25f;
  std::vector<float> yy(n * c);
  const double err = fd_check(
      "global_maxpool", dx, x,
      [&] {
        global_maxpool_forward(yy.data(), x.data(), n, hw, c);
        return weighted_sum(yy, r);
      },
      1e-2f, 1e-4);
  MESSAGE("global_maxpool: largest finite-difference relative error = " << err);
}

TEST_CASE("global_maxpool: tied maxima share the gradient equally") {
  // One image, 4 positions, 2 channels: channel 0 has three tied maxima.
  const float x[] = {2, -1, 2, 5, 1, 0, 2, 0};
  float y[2];
  global_maxpool_forward(y, x, 1, 4, 2);
  CHECK(y[0] == 2.0f);
  CHECK(y[1] == 5.0f);
  const float dy[] = {3.0f, 7.0f};
  std::vector<float> dx(8, 0.0f);
  global_maxpool_backward(dx.data(), dy, x, y, 1, 4, 2);
  CHECK(dx == std::vector<float>{1, 0, 1, 7, 0, 0, 1, 0});
}
