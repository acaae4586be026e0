// depthwise_conv2d: forward (training and prepared with a batchnorm, a residual
// and relu6 folded in) against a naive loop, backward against central
// differences, on 5x7 inputs with strides, dilation, explicit pads and
// depth_multiplier 1 and 3; and conv2d with groups = C on the same kernel.
#include <doctest/doctest.h>

#include <cmath>

#include "gradcheck.hpp"
#include "modelc/conv2d.hpp"
#include "modelc/depthwise_conv2d.hpp"
#include "reference_conv.hpp"

namespace modelc::test {
namespace {

struct Case {
  int64_t kh, kw, sh, sw, dh, dw, dm;
  Padding pad;
  int64_t ph = 0, pw = 0;
};

const Case kCases[] = {
    {3, 3, 1, 1, 1, 1, 1, Padding::same},
    {3, 3, 2, 2, 1, 1, 1, Padding::same},
    {3, 3, 2, 2, 1, 1, 1, Padding::valid},
    {3, 3, 1, 1, 2, 2, 1, Padding::same},
    {3, 2, 2, 1, 2, 3, 1, Padding::explicit_pad, 2, 1},
    {5, 5, 2, 2, 1, 1, 1, Padding::explicit_pad, 2, 2},
    {3, 3, 2, 2, 1, 1, 3, Padding::same},
    {2, 3, 1, 2, 1, 2, 2, Padding::valid},
    {1, 1, 1, 1, 1, 1, 2, Padding::valid},
};

struct Depthwise {
  DepthwiseGeom g;
  std::vector<float> x, w, b;
  Depthwise(const Case& c, uint32_t seed, int64_t n = 2, int64_t h = 5, int64_t wd = 7,
            int64_t cin = 5)
      : x(random_vector(static_cast<size_t>(n * h * wd * cin), seed)) {
    const Window1d y = window_1d(h, (c.kh - 1) * c.dh + 1, c.sh, c.pad, c.ph);
    const Window1d xw = window_1d(wd, (c.kw - 1) * c.dw + 1, c.sw, c.pad, c.pw);
    g = {{n, h, wd, cin, c.kh, c.kw, c.sh, c.sw, y.pad_before, xw.pad_before, y.out, xw.out, c.dh,
          c.dw},
         c.dm};
    w = random_vector(static_cast<size_t>(c.kh * c.kw * cin * c.dm), seed + 1);
    b = random_vector(static_cast<size_t>(cin * c.dm), seed + 2);
  }
  int64_t oc() const { return g.win.c * g.dm; }
  size_t out_size() const { return static_cast<size_t>(g.win.n * g.win.oh * g.win.ow * oc()); }
  std::vector<float> forward(Activation act, float* pre = nullptr) const {
    std::vector<float> y(out_size());
    depthwise_conv2d_forward(y.data(), x.data(), w.data(), b.data(), g, act, pre);
    return y;
  }
};

std::vector<double> naive(const Depthwise& k) {
  const Window2d& v = k.g.win;
  const int64_t oc = k.oc();
  std::vector<double> y(k.out_size());
  for (int64_t n = 0; n < v.n; ++n)
    for (int64_t oy = 0; oy < v.oh; ++oy)
      for (int64_t ox = 0; ox < v.ow; ++ox)
        for (int64_t o = 0; o < oc; ++o) {
          double s = k.b[static_cast<size_t>(o)];
          for (int64_t ky = 0; ky < v.kh; ++ky)
            for (int64_t kx = 0; kx < v.kw; ++kx) {
              const int64_t iy = oy * v.sh + ky * v.dh - v.pad_top;
              const int64_t ix = ox * v.sw + kx * v.dw - v.pad_left;
              if (iy < 0 || iy >= v.h || ix < 0 || ix >= v.w) continue;
              const size_t xi = static_cast<size_t>(((n * v.h + iy) * v.w + ix) * v.c + o / k.g.dm);
              s += static_cast<double>(k.x[xi]) *
                   k.w[static_cast<size_t>((ky * v.kw + kx) * oc + o)];
            }
          y[static_cast<size_t>(((n * v.oh + oy) * v.ow + ox) * oc + o)] = s;
        }
  return y;
}

}  // namespace

TEST_CASE("depthwise_conv2d forward matches a naive loop, fused, prepared and as conv2d groups") {
  uint32_t seed = 900;
  for (const Case& c : kCases) {
    CAPTURE(c.kh);
    CAPTURE(c.sh);
    CAPTURE(c.dh);
    CAPTURE(c.dm);
    CAPTURE(static_cast<int>(c.pad));
    const Depthwise k(c, seed += 5);
    REQUIRE(k.g.win.oh > 0);
    const std::vector<double> want = naive(k);
    CHECK(max_rel_error(k.forward(Activation::linear), want) < 1e-5);
    std::vector<double> gelu = want;
    act_naive(gelu, k.oc(), Activation::gelu);
    CHECK(max_rel_error(k.forward(Activation::gelu), gelu) < 1e-5);

    // conv2d with groups = C and filters = C·dm: the same kernel layout, the same result.
    const Conv2dGeom cg{k.g.win, k.oc(), k.g.win.c};
    std::vector<float> y(k.out_size()), scratch(conv2d_forward_scratch(cg));
    conv2d_forward(y.data(), k.x.data(), k.w.data(), k.b.data(), cg, Activation::linear,
                   scratch.data());
    CHECK(max_rel_error(y, want) < 1e-5);

    // Prepared: relu6((z - mean) * gamma / sqrt(var + eps) + beta + residual).
    const size_t oc = static_cast<size_t>(k.oc());
    const std::vector<float> gamma = random_vector(oc, seed + 10, 0.5f, 2),
                             beta = random_vector(oc, seed + 11),
                             mean = random_vector(oc, seed + 12),
                             var = random_vector(oc, seed + 13, 0.5f, 2),
                             residual = random_vector(k.out_size(), seed + 14, -3, 3);
    const float eps = 1e-3f;
    const BatchnormFold bn{gamma.data(), beta.data(), mean.data(), var.data(), eps};
    std::vector<float> prepared(
        static_cast<size_t>(depthwise_conv2d_prepared_floats(k.g.win.kh, k.g.win.kw, k.oc())));
    depthwise_conv2d_prepare(prepared.data(), k.w.data(), k.b.data(), bn, k.g);
    depthwise_conv2d_forward_prepared(y.data(), k.x.data(), prepared.data(), residual.data(), k.g,
                                      Activation::relu6);
    std::vector<double> folded = want;
    for (size_t i = 0; i < folded.size(); ++i) {
      const size_t o = i % oc;
      folded[i] = (folded[i] - mean[o]) * gamma[o] / std::sqrt(var[o] + double{eps}) + beta[o] +
                  residual[i];
    }
    act_naive(folded, k.oc(), Activation::relu6);
    CHECK(max_rel_error(y, folded) < 1e-5);
    // The same through conv2d's prepared path (groups = C).
    std::vector<float> cprep(static_cast<size_t>(conv2d_prepared_floats(cg))),
        cscratch(conv2d_inference_scratch(cg));
    conv2d_prepare(cprep.data(), k.w.data(), k.b.data(), bn, cg);
    conv2d_forward_prepared(y.data(), k.x.data(), cprep.data(), residual.data(), cg,
                            Activation::relu6, cscratch.data());
    CHECK(max_rel_error(y, folded) < 1e-5);
  }
}

TEST_CASE("depthwise_conv2d backward matches central finite differences") {
  MaxError worst;
  uint32_t seed = 1100;
  for (const Case& c : kCases) {
    for (Activation act : {Activation::linear, Activation::tanh, Activation::silu}) {
      CAPTURE(c.kh);
      CAPTURE(c.sh);
      CAPTURE(c.dh);
      CAPTURE(c.dm);
      CAPTURE(act_name(act));
      Depthwise k(c, seed += 5);
      const std::vector<float> r = random_vector(k.out_size(), seed + 3);
      std::vector<float> dx(k.x.size()), dw(k.w.size()), db(k.b.size());
      std::vector<float> pre(activation_reads_input(act) ? k.out_size() : 0);
      const std::vector<float> y = k.forward(act, pre.empty() ? nullptr : pre.data());
      std::vector<float> scratch(depthwise_conv2d_backward_scratch(k.g, act));
      depthwise_conv2d_backward(dx.data(), dw.data(), db.data(), r.data(), k.x.data(), k.w.data(),
                                y.data(), k.g, act, scratch.data(),
                                pre.empty() ? nullptr : pre.data());
      const float h = fd_step(act);
      const auto loss = [&] { return weighted_sum(k.forward(act), r); };
      const double ex = max_rel_error(dx, numeric_gradient(k.x, loss, h));
      const double ew = max_rel_error(dw, numeric_gradient(k.w, loss, h));
      const double eb = max_rel_error(db, numeric_gradient(k.b, loss, h));
      CHECK(ex < kFdTolerance);
      CHECK(ew < kFdTolerance);
      CHECK(eb < kFdTolerance);
      worst.add(std::max({ex, ew, eb}));

      // conv2d with groups = C gives the same gradients (it runs the same kernels).
      if (act == Activation::linear) {
        const Conv2dGeom cg{k.g.win, k.oc(), k.g.win.c};
        std::vector<float> cdx(k.x.size()), cdw(k.w.size()), cdb(k.b.size()),
            cs(conv2d_backward_scratch(cg, act));
        conv2d_backward(cdx.data(), cdw.data(), cdb.data(), r.data(), k.x.data(), k.w.data(),
                        y.data(), cg, act, cs.data());
        CHECK(cdx == dx);
        CHECK(cdw == dw);
      }
    }
  }
  MESSAGE(
      "depthwise_conv2d: largest finite-difference relative error (dx, dw, db) = " << worst.value);
}

}  // namespace modelc::test
