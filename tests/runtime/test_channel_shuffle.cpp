// channel_shuffle: forward against the index rule of SPEC_FORMAT.md at odd
// sizes and several group counts, backward against finite differences, +=.
#include <doctest/doctest.h>

#include <vector>

#include "modelc/channel_shuffle.hpp"
#include "reference_ops.hpp"

using namespace modelc;
using namespace modelc::test;

TEST_CASE("channel_shuffle: output channel i*g + j is input channel j*(C/g) + i") {
  const int64_t rows = 2 * 5 * 7;
  for (auto [c, groups] : {std::pair<int64_t, int64_t>{15, 3}, {15, 5}, {12, 2}, {7, 7}, {7, 1}}) {
    CAPTURE(c);
    CAPTURE(groups);
    const int64_t per = c / groups;
    const std::vector<float> x = random_vector(rows * c, 71);
    std::vector<float> y(rows * c);
    channel_shuffle_forward(y.data(), x.data(), rows, c, groups);
    std::vector<double> want(rows * c);
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t i = 0; i < per; ++i)
        for (int64_t j = 0; j < groups; ++j) want[r * c + i * groups + j] = x[r * c + j * per + i];
    CHECK(forward_error(y, want) == 0.0);
  }
  // ShuffleNet's picture: channels [a0 a1 a2 b0 b1 b2] in 2 groups -> [a0 b0 a1 b1 a2 b2].
  const float x[] = {0, 1, 2, 10, 11, 12};
  float y[6];
  channel_shuffle_forward(y, x, 1, 6, 2);
  CHECK(std::vector<float>(y, y + 6) == std::vector<float>{0, 10, 1, 11, 2, 12});
}

TEST_CASE("channel_shuffle: backward vs finite differences, adds into dx") {
  const int64_t rows = 2 * 5 * 7, c = 15, groups = 3;
  std::vector<float> x = random_vector(rows * c, 72), y(rows * c);
  const std::vector<float> r = random_vector(rows * c, 73);
  std::vector<float> dx(rows * c, 0.25f);
  channel_shuffle_backward(dx.data(), r.data(), rows, c, groups);
  for (float& v : dx) v -= 0.25f;
  const double err = fd_check(
      "channel_shuffle", dx, x,
      [&] {
        channel_shuffle_forward(y.data(), x.data(), rows, c, groups);
        return weighted_sum(y, r);
      },
      1e-2f, 1e-4);
  MESSAGE("channel_shuffle: largest finite-difference relative error = " << err);
}
