#include <doctest/doctest.h>

#include <vector>

#include "modelc/concat.hpp"
#include "modelc/error.hpp"
#include "reference_ops.hpp"

using namespace modelc;
using namespace modelc::test;

TEST_CASE("concat: forward vs naive loop, backward vs finite differences") {
  const int64_t rows = 2 * 5 * 7;
  const int64_t cs[] = {3, 1, 5};
  const int64_t ct = 9;
  std::vector<float> a = random_vector(rows * 3, 61), b = random_vector(rows * 1, 62),
                     c = random_vector(rows * 5, 63), y(rows * ct);
  const float* xs[] = {a.data(), b.data(), c.data()};
  concat_forward(y.data(), xs, cs, rows);
  std::vector<double> want(rows * ct);
  for (int64_t r = 0; r < rows; ++r) {
    for (int64_t j = 0; j < 3; ++j) want[r * ct + j] = a[r * 3 + j];
    want[r * ct + 3] = b[r];
    for (int64_t j = 0; j < 5; ++j) want[r * ct + 4 + j] = c[r * 5 + j];
  }
  CHECK(forward_error(y, want) == 0.0);

  const std::vector<float> dy = random_vector(rows * ct, 64);
  std::vector<float> da(rows * 3, 0.0f), dc(rows * 5, 0.25f), yy(rows * ct);
  float* dxs[] = {da.data(), nullptr, dc.data()};
  concat_backward(dxs, dy.data(), cs, rows);
  for (float& v : dc) v -= 0.25f;
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t j = 0; j < 3; ++j) CHECK(da[r * 3 + j] == dy[r * ct + j]);
  fd_check(
      "concat", dc, c,
      [&] {
        concat_forward(yy.data(), xs, cs, rows);
        return weighted_sum(yy, dy);
      },
      1e-2f, 1e-4);

  const int64_t two[] = {3, 1};
  CHECK_THROWS_WITH_AS(concat_forward(y.data(), xs, two, rows),
                       "concat_forward: 3 inputs but 2 channel counts", modelc::Error);
}
