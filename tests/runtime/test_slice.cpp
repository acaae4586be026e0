// slice: forward against a naive loop (middle, start, to the end), backward
// against finite differences; backward adds into its window of dx only.
#include <doctest/doctest.h>

#include <vector>

#include "modelc/slice.hpp"
#include "reference_ops.hpp"

using namespace modelc;
using namespace modelc::test;

TEST_CASE("slice: forward vs naive loop on the last axis") {
  const int64_t rows = 2 * 5 * 7, c = 11;
  const std::vector<float> x = random_vector(rows * c, 81);
  for (auto [begin, size] : {std::pair<int64_t, int64_t>{3, 5}, {0, 1}, {4, 7}, {0, 11}}) {
    CAPTURE(begin);
    CAPTURE(size);
    std::vector<float> y(rows * size);
    slice_forward(y.data(), x.data(), rows, c, begin, size);
    std::vector<double> want(rows * size);
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t j = 0; j < size; ++j) want[r * size + j] = x[r * c + begin + j];
    CHECK(forward_error(y, want) == 0.0);
  }
}

TEST_CASE("slice: backward vs finite differences, only the window of dx changes") {
  const int64_t rows = 2 * 5 * 7, c = 11, begin = 3, size = 5;
  std::vector<float> x = random_vector(rows * c, 82), y(rows * size);
  const std::vector<float> r = random_vector(rows * size, 83);
  std::vector<float> dx(rows * c, 0.25f);
  slice_backward(dx.data(), r.data(), rows, c, begin, size);
  for (int64_t i = 0; i < rows * c; ++i) {
    const int64_t j = i % c;
    if (j < begin || j >= begin + size) CHECK(dx[i] == 0.25f);
  }
  for (float& v : dx) v -= 0.25f;
  const double err = fd_check(
      "slice", dx, x,
      [&] {
        slice_forward(y.data(), x.data(), rows, c, begin, size);
        return weighted_sum(y, r);
      },
      1e-2f, 1e-4);
  MESSAGE("slice: largest finite-difference relative error = " << err);
}
