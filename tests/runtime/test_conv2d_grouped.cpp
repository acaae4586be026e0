// conv2d with groups and dilation: forward (training and prepared, with a
// batchnorm folded) against a naive loop, backward against central differences,
// on 5x7 inputs with stride 2, dilation 2 and 3 groups.
#include <doctest/doctest.h>

#include <cmath>

#include "gradcheck.hpp"
#include "modelc/conv2d.hpp"
#include "reference_conv.hpp"

namespace modelc::test {
namespace {

struct Case {
  int64_t kh, kw, sh, sw, dh, dw, groups;
  Padding pad;
  int64_t ph = 0, pw = 0;
};

// c 6 -> oc 9 (groups 3: 2 inputs, 3 outputs each; groups 6 with oc 12: depthwise-like).
const Case kCases[] = {
    {3, 3, 1, 1, 1, 1, 3, Padding::valid},
    {3, 3, 2, 2, 1, 1, 3, Padding::same},
    {3, 3, 1, 1, 2, 2, 1, Padding::valid},
    {3, 3, 2, 2, 2, 2, 1, Padding::same},
    {3, 2, 2, 1, 2, 3, 3, Padding::explicit_pad, 2, 1},
    {2, 3, 1, 2, 2, 1, 3, Padding::same},
    {1, 1, 1, 1, 1, 1, 3, Padding::valid},
    {3, 3, 2, 2, 2, 2, 6, Padding::same},
};

Window1d axis(int64_t in, int64_t k, int64_t s, int64_t d, Padding pad, int64_t p) {
  const int64_t ek = (k - 1) * d + 1;
  return window_1d(in, ek, s, pad, p);
}

struct Grouped {
  Conv2dGeom g;
  std::vector<float> x, w, b;
  Grouped(const Case& c, uint32_t seed, int64_t n = 2, int64_t h = 5, int64_t wd = 7,
          int64_t cin = 6)
      : x(random_vector(static_cast<size_t>(n * h * wd * cin), seed)) {
    const int64_t oc = c.groups == 6 ? 12 : 9;
    const Window1d y = axis(h, c.kh, c.sh, c.dh, c.pad, c.ph);
    const Window1d xw = axis(wd, c.kw, c.sw, c.dw, c.pad, c.pw);
    g = {{n, h, wd, cin, c.kh, c.kw, c.sh, c.sw, y.pad_before, xw.pad_before, y.out, xw.out, c.dh,
          c.dw},
         oc,
         c.groups};
    w = random_vector(static_cast<size_t>(c.kh * c.kw * (cin / c.groups) * oc), seed + 1);
    b = random_vector(static_cast<size_t>(oc), seed + 2);
  }
  size_t out_size() const { return static_cast<size_t>(g.win.n * g.win.oh * g.win.ow * g.oc); }
  std::vector<float> forward(Activation act, float* pre = nullptr) const {
    std::vector<float> y(out_size()), scratch(conv2d_forward_scratch(g));
    conv2d_forward(y.data(), x.data(), w.data(), b.data(), g, act, scratch.data(), pre);
    return y;
  }
};

// The definition: y[n,oy,ox,o] = b[o] + sum over o's group's channels and the taps.
std::vector<double> naive(const Grouped& k) {
  const Window2d& v = k.g.win;
  const int64_t cg = v.c / k.g.groups, og = k.g.oc / k.g.groups;
  std::vector<double> y(k.out_size());
  for (int64_t n = 0; n < v.n; ++n)
    for (int64_t oy = 0; oy < v.oh; ++oy)
      for (int64_t ox = 0; ox < v.ow; ++ox)
        for (int64_t o = 0; o < k.g.oc; ++o) {
          double s = k.b[static_cast<size_t>(o)];
          for (int64_t ky = 0; ky < v.kh; ++ky)
            for (int64_t kx = 0; kx < v.kw; ++kx) {
              const int64_t iy = oy * v.sh + ky * v.dh - v.pad_top;
              const int64_t ix = ox * v.sw + kx * v.dw - v.pad_left;
              if (iy < 0 || iy >= v.h || ix < 0 || ix >= v.w) continue;
              for (int64_t ci = 0; ci < cg; ++ci) {
                const int64_t c = (o / og) * cg + ci;
                s += static_cast<double>(
                         k.x[static_cast<size_t>(((n * v.h + iy) * v.w + ix) * v.c + c)]) *
                     k.w[static_cast<size_t>(((ky * v.kw + kx) * cg + ci) * k.g.oc + o)];
              }
            }
          y[static_cast<size_t>(((n * v.oh + oy) * v.ow + ox) * k.g.oc + o)] = s;
        }
  return y;
}

}  // namespace

TEST_CASE("grouped and dilated conv2d forward matches a naive loop, fused and prepared") {
  uint32_t seed = 500;
  for (const Case& c : kCases) {
    CAPTURE(c.kh);
    CAPTURE(c.dh);
    CAPTURE(c.groups);
    CAPTURE(static_cast<int>(c.pad));
    const Grouped k(c, seed += 5);
    REQUIRE(k.g.win.oh > 0);
    std::vector<double> want = naive(k);
    CHECK(max_rel_error(k.forward(Activation::linear), want) < 1e-5);
    std::vector<double> relu = want;
    act_naive(relu, k.g.oc, Activation::relu6);
    CHECK(max_rel_error(k.forward(Activation::relu6), relu) < 1e-5);

    // Prepared, with a batchnorm folded in: y = relu6((z - mean) * gamma / sqrt(var + eps) + beta).
    const std::vector<float> gamma = random_vector(static_cast<size_t>(k.g.oc), seed + 10, 0.5f, 2),
                             beta = random_vector(static_cast<size_t>(k.g.oc), seed + 11),
                             mean = random_vector(static_cast<size_t>(k.g.oc), seed + 12),
                             var = random_vector(static_cast<size_t>(k.g.oc), seed + 13, 0.5f, 2);
    const float eps = 1e-3f;
    std::vector<float> prepared(static_cast<size_t>(conv2d_prepared_floats(k.g)));
    conv2d_prepare(prepared.data(), k.w.data(), k.b.data(),
                   BatchnormFold{gamma.data(), beta.data(), mean.data(), var.data(), eps}, k.g);
    std::vector<float> y(k.out_size()), scratch(conv2d_inference_scratch(k.g));
    conv2d_forward_prepared(y.data(), k.x.data(), prepared.data(), nullptr, k.g, Activation::relu6,
                            scratch.data());
    std::vector<double> bn = want;
    for (size_t i = 0; i < bn.size(); ++i) {
      const size_t o = i % static_cast<size_t>(k.g.oc);
      bn[i] = (bn[i] - mean[o]) * gamma[o] / std::sqrt(var[o] + double{eps}) + beta[o];
    }
    act_naive(bn, k.g.oc, Activation::relu6);
    CHECK(max_rel_error(y, bn) < 1e-5);
  }
}

TEST_CASE("grouped and dilated conv2d backward matches central finite differences") {
  MaxError worst;
  uint32_t seed = 700;
  for (const Case& c : kCases) {
    for (Activation act : {Activation::linear, Activation::tanh, Activation::gelu}) {
      CAPTURE(c.kh);
      CAPTURE(c.dh);
      CAPTURE(c.groups);
      CAPTURE(act_name(act));
      Grouped k(c, seed += 5);
      const std::vector<float> r = random_vector(k.out_size(), seed + 3);
      std::vector<float> dx(k.x.size()), dw(k.w.size()), db(k.b.size());
      std::vector<float> pre(activation_reads_input(act) ? k.out_size() : 0);
      const std::vector<float> y = k.forward(act, pre.empty() ? nullptr : pre.data());
      std::vector<float> scratch(conv2d_backward_scratch(k.g, act));
      conv2d_backward(dx.data(), dw.data(), db.data(), r.data(), k.x.data(), k.w.data(), y.data(),
                      k.g, act, scratch.data(), pre.empty() ? nullptr : pre.data());
      const float h = fd_step(act);
      const auto loss = [&] { return weighted_sum(k.forward(act), r); };
      const double ex = max_rel_error(dx, numeric_gradient(k.x, loss, h));
      const double ew = max_rel_error(dw, numeric_gradient(k.w, loss, h));
      const double eb = max_rel_error(db, numeric_gradient(k.b, loss, h));
      CHECK(ex < kFdTolerance);
      CHECK(ew < kFdTolerance);
      CHECK(eb < kFdTolerance);
      worst.add(std::max({ex, ew, eb}));
    }
  }
  MESSAGE("conv2d groups/dilation: largest finite-difference relative error (dx, dw, db) = "
          << worst.value);
}

}  // namespace modelc::test
