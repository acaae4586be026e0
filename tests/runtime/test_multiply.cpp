// multiply: forward against a naive loop with and without broadcasting (also
// y aliasing a full input), backward of every input against finite
// differences, zeros in the inputs, +=.
#include <doctest/doctest.h>

#include <vector>

#include "modelc/multiply.hpp"
#include "reference_ops.hpp"

using namespace modelc;
using namespace modelc::test;

TEST_CASE("multiply: forward vs naive loop, broadcast [C] over H and W, y aliasing an input") {
  for (int64_t c : {3, 300}) {  // 300: more than one 256-channel chunk
    CAPTURE(c);
    const int64_t n = 2, rows = 5 * 7, full = n * rows * c;
    std::vector<float> a = random_vector(full, 61), g = random_vector(n * c, 62),
                       b = random_vector(full, 63), y(full);
    const float* xs[] = {a.data(), g.data(), b.data()};
    const bool bcast[] = {false, true, false};
    multiply_forward(y.data(), xs, bcast, n, rows, c);
    std::vector<double> want(full);
    for (int64_t r = 0; r < n * rows; ++r)
      for (int64_t j = 0; j < c; ++j)
        want[r * c + j] = double(a[r * c + j]) * g[(r / rows) * c + j] * b[r * c + j];
    CHECK(forward_error(y, want) < 1e-6);

    std::vector<float> b2 = b;
    const float* alias[] = {a.data(), g.data(), b2.data()};
    multiply_forward(b2.data(), alias, bcast, n, rows, c);
    CHECK(b2 == y);

    // Equal shapes: no flags set, one row per image is the same loop.
    const bool none[] = {false, false};
    const float* two[] = {a.data(), b.data()};
    multiply_forward(y.data(), two, none, n, rows, c);
    for (int64_t i = 0; i < full; ++i) want[i] = double(a[i]) * b[i];
    CHECK(forward_error(y, want) < 1e-6);
  }
}

TEST_CASE("multiply: backward of full and broadcast inputs vs finite differences, adds into dx") {
  const int64_t n = 2, rows = 5 * 7, c = 3, full = n * rows * c;
  std::vector<float> a = random_vector(full, 64), g = random_vector(n * c, 65),
                     b = random_vector(full, 66), y(full);
  a[5] = 0.0f;  // a zero input: no division anywhere
  const float* xs[] = {a.data(), g.data(), b.data()};
  const bool bcast[] = {false, true, false};
  const std::vector<float> r = random_vector(full, 67);
  std::vector<float> da(full, 0.25f), dg(n * c, 0.25f), db(full, 0.25f);
  float* dxs[] = {da.data(), dg.data(), db.data()};
  multiply_backward(dxs, r.data(), xs, bcast, n, rows, c);
  for (auto* v : {&da, &dg, &db})
    for (float& e : *v) e -= 0.25f;
  const auto loss = [&] {
    multiply_forward(y.data(), xs, bcast, n, rows, c);
    return weighted_sum(y, r);
  };
  double worst = 0;
  worst = std::max(worst, fd_check("multiply (full input)", da, a, loss, 1e-2f, 1e-4));
  worst = std::max(worst, fd_check("multiply (broadcast input)", dg, g, loss, 1e-2f, 1e-4));
  worst = std::max(worst, fd_check("multiply (second full input)", db, b, loss, 1e-2f, 1e-4));
  MESSAGE("multiply: largest finite-difference relative error = " << worst);
  // The zero in a does not zero the other inputs' gradients at that element.
  CHECK(db[5] == 0.0f);
  CHECK(da[5] != 0.0f);
  // A null gradient is skipped.
  float* skip[] = {nullptr, dg.data(), nullptr};
  multiply_backward(skip, r.data(), xs, bcast, n, rows, c);
}

TEST_CASE("multiply: all inputs per channel ([1, 1, C] results), rows 1") {
  const int64_t n = 3, c = 5;
  std::vector<float> a = random_vector(n * c, 68), b = random_vector(n * c, 69), y(n * c);
  const float* xs[] = {a.data(), b.data()};
  const bool flags[] = {false, true};  // [C] against [1, 1, C]: the same floats
  multiply_forward(y.data(), xs, flags, n, 1, c);
  for (int64_t i = 0; i < n * c; ++i) CHECK(y[i] == a[i] * b[i]);
}
