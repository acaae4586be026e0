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

std::vector<float> forward(const std::vector<float>& x, const AvgpoolGeom& g) {
  std::vector<float> y(out_size(g.win));
  avgpool_forward(y.data(), x.data(), g);
  return y;
}

// PyTorch's avg_pool2d, written out: the window [start, start + k) clipped to
// the padded input gives the count_include_pad divisor, clipped to the input
// the summed cells (and the divisor without count_padding).
std::vector<double> avgpool_reference(const std::vector<float>& x, const AvgpoolGeom& p) {
  const Window2d& g = p.win;
  std::vector<double> y;
  for (int64_t n = 0; n < g.n; ++n)
    for (int64_t oy = 0; oy < g.oh; ++oy)
      for (int64_t ox = 0; ox < g.ow; ++ox)
        for (int64_t c = 0; c < g.c; ++c) {
          int64_t y0 = oy * g.sh - g.pad_top, x0 = ox * g.sw - g.pad_left;
          int64_t y1 = std::min(y0 + g.kh, g.h + p.pad_bottom);
          int64_t x1 = std::min(x0 + g.kw, g.w + p.pad_right);
          const int64_t padded = (y1 - y0) * (x1 - x0);
          y0 = std::max<int64_t>(y0, 0), x0 = std::max<int64_t>(x0, 0);
          y1 = std::min(y1, g.h), x1 = std::min(x1, g.w);
          double sum = 0;
          for (int64_t iy = y0; iy < y1; ++iy)
            for (int64_t ix = x0; ix < x1; ++ix) sum += x[((n * g.h + iy) * g.w + ix) * g.c + c];
          y.push_back(sum / static_cast<double>(p.count_padding ? padded : (y1 - y0) * (x1 - x0)));
        }
  return y;
}

AvgpoolGeom padded_pool(int64_t n, int64_t h, int64_t w, int64_t c, const PaddedPool& s,
                        bool count_padding) {
  return {.win = padded_window(n, h, w, c, s),
          .count_padding = count_padding,
          .pad_bottom = s.bottom,
          .pad_right = s.right};
}
}  // namespace

TEST_CASE("avgpool forward matches a naive loop") {
  for (const WindowSpec& s : kPoolCases) {
    CAPTURE(describe(s));
    const AvgpoolGeom g{make_window(2, 5, 7, 3, s)};
    const std::vector<float> x = random_vector(static_cast<size_t>(2 * 5 * 7 * 3), 1);
    CHECK(max_rel_error(forward(x, g), pool_naive(x, g.win, false)) < 1e-6);
  }
}

TEST_CASE(
    "avgpool with explicit, asymmetric padding, ceil and count_padding matches PyTorch's rule") {
  for (const PaddedPool& s : kPaddedPools)
    for (bool count : {false, true}) {
      INFO("pool ", s.kh, "x", s.kw, " stride ", s.sh, " pads ", s.top, s.bottom, s.left, s.right,
           " ceil ", s.ceil, " count ", count);
      const AvgpoolGeom g = padded_pool(2, 5, 7, 3, s, count);
      const std::vector<float> x = random_vector(static_cast<size_t>(2 * 5 * 7 * 3), 1);
      CHECK(max_rel_error(forward(x, g), avgpool_reference(x, g)) < 1e-6);
    }
  // Pool 2, stride 2, pad 1 around a 3x3 of ones: every window holds one real
  // cell per row or column it overlaps; with count_padding the padding counts.
  const AvgpoolGeom g = padded_pool(1, 3, 3, 1, {2, 2, 2, 2, 1, 1, 1, 1, false}, true);
  const std::vector<float> ones(9, 1.0f);
  CHECK(forward(ones, g) == std::vector<float>{0.25f, 0.5f, 0.5f, 1.0f});
}

TEST_CASE("avgpool same padding divides by the real cells") {
  // 2x2 input, pool 2, stride 1, same: padding is one row/column at the bottom/right.
  const AvgpoolGeom g{make_window(1, 2, 2, 1, {2, 2, 1, 1, Padding::same})};
  const std::vector<float> x = {1, 2, 3, 4};
  CHECK(forward(x, g) == std::vector<float>{2.5f, 3.0f, 3.5f, 4.0f});
}

TEST_CASE("avgpool backward matches central finite differences and adds into dx") {
  MaxError worst;
  for (const WindowSpec& s : kPoolCases) {
    CAPTURE(describe(s));
    const AvgpoolGeom g{make_window(2, 5, 7, 3, s)};
    std::vector<float> x = random_vector(static_cast<size_t>(2 * 5 * 7 * 3), 2);
    const std::vector<float> r = random_vector(out_size(g.win), 3);
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
  for (const PaddedPool& s : kPaddedPools)
    for (bool count : {false, true}) {
      const AvgpoolGeom g = padded_pool(2, 5, 7, 3, s, count);
      std::vector<float> x = random_vector(static_cast<size_t>(2 * 5 * 7 * 3), 2);
      const std::vector<float> r = random_vector(out_size(g.win), 3);
      std::vector<float> dx(x.size());
      avgpool_backward(dx.data(), r.data(), g);
      const auto loss = [&] { return weighted_sum(forward(x, g), r); };
      const double e = max_rel_error(dx, numeric_gradient(x, loss, 1.0f / 64));
      CHECK(e < kFdTolerance);
      worst.add(e);
    }
  MESSAGE("avgpool: largest finite-difference relative error (dx) = " << worst.value);
}

TEST_CASE("avgpool is bit-identical from run to run and across thread counts") {
  set_num_threads(0);
  const AvgpoolGeom g{make_window(2, 31, 33, 64, {3, 3, 2, 2, Padding::same})};
  const std::vector<float> x = random_vector(static_cast<size_t>(2 * 31 * 33 * 64), 5);
  const std::vector<float> r = random_vector(out_size(g.win), 6);
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
