#include <doctest/doctest.h>

#include <omp.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "modelc/upsample.hpp"
#include "reference_ops.hpp"

using namespace modelc;
using namespace modelc::test;

namespace {

// Straight from the definitions, in double. Bilinear is written the way
// PyTorch's upsample_bilinear2d (align_corners=False) computes its source
// index (clamped below at 0, the upper neighbour clamped to h − 1), not the
// way the kernel does, so that the two formulations check each other.
std::vector<double> ref_upsample(const std::vector<float>& x, const UpsampleGeom& g,
                                 bool bilinear) {
  const int64_t oh = g.h * g.sh, ow = g.w * g.sw;
  std::vector<double> y(static_cast<size_t>(g.n * oh * ow * g.c));
  auto at = [&](int64_t b, int64_t i, int64_t j, int64_t ch) {
    return static_cast<double>(x[static_cast<size_t>(((b * g.h + i) * g.w + j) * g.c + ch)]);
  };
  auto src = [](int64_t i, int64_t s, int64_t n, int64_t& i0, int64_t& i1, double& l1) {
    const double f = std::max(0.0, (static_cast<double>(i) + 0.5) / static_cast<double>(s) - 0.5);
    i0 = static_cast<int64_t>(std::floor(f));
    i1 = std::min(i0 + 1, n - 1);
    l1 = f - static_cast<double>(i0);
  };
  for (int64_t b = 0; b < g.n; ++b)
    for (int64_t i = 0; i < oh; ++i)
      for (int64_t j = 0; j < ow; ++j)
        for (int64_t ch = 0; ch < g.c; ++ch) {
          double v = 0;
          if (!bilinear) {
            v = at(b, i / g.sh, j / g.sw, ch);
          } else {
            int64_t i0 = 0, i1 = 0, j0 = 0, j1 = 0;
            double a = 0, c = 0;
            src(i, g.sh, g.h, i0, i1, a);
            src(j, g.sw, g.w, j0, j1, c);
            v = (1 - a) * ((1 - c) * at(b, i0, j0, ch) + c * at(b, i0, j1, ch)) +
                a * ((1 - c) * at(b, i1, j0, ch) + c * at(b, i1, j1, ch));
          }
          y[static_cast<size_t>(((b * oh + i) * ow + j) * g.c + ch)] = v;
        }
  return y;
}

using Kernel = void (*)(float*, const float*, const UpsampleGeom&);

struct Variant {
  const char* name;
  Kernel forward, backward;
  bool bilinear;
};

const Variant kVariants[] = {
    {"nearest", upsample_nearest_forward, upsample_nearest_backward, false},
    {"bilinear", upsample_bilinear_forward, upsample_bilinear_backward, true},
};

// Batch 2 of 5x7 with 3 channels; square, non-square and unit factors.
const UpsampleGeom kGeoms[] = {
    {2, 5, 7, 3, 2, 2}, {2, 5, 7, 3, 3, 3}, {2, 5, 7, 3, 2, 3},
    {2, 5, 7, 3, 3, 1}, {1, 1, 1, 5, 2, 3}, {1, 2, 1, 17, 4, 2},
};

int64_t out_size(const UpsampleGeom& g) { return g.n * g.h * g.sh * g.w * g.sw * g.c; }

}  // namespace

TEST_CASE("upsample forward vs naive loops: nearest and bilinear, odd sizes and factors") {
  for (const Variant& v : kVariants) {
    for (const UpsampleGeom& g : kGeoms) {
      CAPTURE(v.name);
      CAPTURE(g.sh);
      CAPTURE(g.sw);
      const std::vector<float> x = random_vector(g.n * g.h * g.w * g.c, 91, -2.0f, 3.0f);
      std::vector<float> y(out_size(g), -7.0f);
      v.forward(y.data(), x.data(), g);
      const double err = forward_error(y, ref_upsample(x, g, v.bilinear));
      CHECK(err < 1e-6);
    }
  }
}

TEST_CASE("upsample bilinear by hand: half-pixel centres, clamped at the edges") {
  // One row [0, 1] doubled: sources -0.25 (clamped to 0), 0.25, 0.75, 1.25 (to 1).
  const std::vector<float> x = {0.0f, 1.0f};
  std::vector<float> y(4);
  upsample_bilinear_forward(y.data(), x.data(), {1, 1, 2, 1, 1, 2});
  CHECK(y == std::vector<float>{0.0f, 0.25f, 0.75f, 1.0f});
  // Tripled: sources -1/3, 0, 1/3, 2/3, 1, 4/3.
  std::vector<float> y3(6);
  upsample_bilinear_forward(y3.data(), x.data(), {1, 1, 2, 1, 1, 3});
  const float want[] = {0.0f, 0.0f, 1.0f / 3, 2.0f / 3, 1.0f, 1.0f};
  for (int i = 0; i < 6; ++i) CHECK(y3[i] == doctest::Approx(want[i]).epsilon(1e-6));
  // Factor 1 is the identity for both.
  const UpsampleGeom one{2, 5, 7, 3, 1, 1};
  const std::vector<float> xx = random_vector(2 * 5 * 7 * 3, 92);
  std::vector<float> a(xx.size()), b(xx.size());
  upsample_bilinear_forward(a.data(), xx.data(), one);
  upsample_nearest_forward(b.data(), xx.data(), one);
  CHECK(a == xx);
  CHECK(b == xx);
}

TEST_CASE("upsample backward vs finite differences, adding into dx") {
  for (const Variant& v : kVariants) {
    for (const UpsampleGeom& g : kGeoms) {
      CAPTURE(v.name);
      CAPTURE(g.sh);
      CAPTURE(g.sw);
      std::vector<float> x = random_vector(g.n * g.h * g.w * g.c, 93, -2.0f, 3.0f);
      const std::vector<float> r = random_vector(out_size(g), 94);
      std::vector<float> dx(x.size(), 0.25f);
      v.backward(dx.data(), r.data(), g);
      for (float& e : dx) e -= 0.25f;
      std::vector<float> y(out_size(g));
      auto loss = [&] {
        v.forward(y.data(), x.data(), g);
        return weighted_sum(y, r);
      };
      fd_check(std::string("upsample ") + v.name + " dx", dx, x, loss, 1e-2f, 1e-4);
    }
  }
}

TEST_CASE("upsample nearest backward sums each block; bilinear weights per input sum to s·s") {
  const UpsampleGeom g{1, 5, 7, 3, 2, 3};
  const std::vector<float> ones(out_size(g), 1.0f);
  std::vector<float> dn(5 * 7 * 3, 0.0f), db(5 * 7 * 3, 0.0f);
  upsample_nearest_backward(dn.data(), ones.data(), g);
  upsample_bilinear_backward(db.data(), ones.data(), g);
  for (float e : dn) CHECK(e == 6.0f);
  // Every output's weights sum to 1, so the total is the output count.
  double total = 0;
  for (float e : db) total += e;
  CHECK(total == doctest::Approx(static_cast<double>(out_size(g))));
}

TEST_CASE("upsample at a size that runs on threads: same bits for any thread count") {
  const UpsampleGeom g{2, 31, 29, 19, 2, 3};
  const std::vector<float> x = random_vector(g.n * g.h * g.w * g.c, 95);
  const std::vector<float> r = random_vector(out_size(g), 96);
  const int threads = omp_get_max_threads();
  for (const Variant& v : kVariants) {
    CAPTURE(v.name);
    std::vector<float> y1(out_size(g)), y2(out_size(g)), d1(x.size(), 0.0f), d2(x.size(), 0.0f);
    omp_set_num_threads(1);
    v.forward(y1.data(), x.data(), g);
    v.backward(d1.data(), r.data(), g);
    omp_set_num_threads(std::max(2, threads));
    v.forward(y2.data(), x.data(), g);
    v.backward(d2.data(), r.data(), g);
    omp_set_num_threads(threads);
    CHECK(y1 == y2);
    CHECK(d1 == d2);
    CHECK(forward_error(y1, ref_upsample(x, g, v.bilinear)) < 1e-6);
  }
}
