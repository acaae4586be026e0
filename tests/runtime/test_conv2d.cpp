// conv2d: forward against a naive loop, backward against central differences,
// += accumulation, dx = null, and run-to-run determinism.
#include <doctest/doctest.h>

#include <cmath>
#include <cstring>
#include <limits>

#include "gradcheck.hpp"
#include "conv/igemm.hpp"  // runtime/src: the direct path, for the Winograd comparison
#include "modelc/conv2d.hpp"
#include "modelc/parallel.hpp"
#include "reference_conv.hpp"

namespace modelc::test {
namespace {

constexpr int64_t kN = 2, kH = 5, kW = 7, kC = 3, kOC = 4;

const WindowSpec kCases[] = {
    {1, 1, 1, 1, Padding::valid},  // 1x1 fast path
    {1, 1, 1, 1, Padding::same},   // 1x1 fast path
    {1, 1, 2, 2, Padding::valid},  // 1x1 strided: im2col
    {1, 1, 1, 1, Padding::explicit_pad, 1, 0},
    {3, 3, 1, 1, Padding::valid},
    {3, 3, 1, 1, Padding::same},
    {3, 3, 2, 2, Padding::valid},
    {3, 3, 2, 2, Padding::same},
    {3, 3, 2, 2, Padding::explicit_pad, 1, 1},
    {2, 2, 2, 2, Padding::same},  // extra padding at the bottom/right only
    {2, 3, 1, 2, Padding::same},
    {2, 3, 2, 1, Padding::valid},
    {2, 3, 2, 3, Padding::explicit_pad, 1, 2},
};

struct Conv {
  Conv2dGeom g;
  std::vector<float> x, w, b;
  Conv(const WindowSpec& s, uint32_t seed, int64_t n = kN, int64_t h = kH, int64_t w_ = kW,
       int64_t c = kC, int64_t oc = kOC)
      : g{make_window(n, h, w_, c, s), oc},
        x(random_vector(static_cast<size_t>(n * h * w_ * c), seed)),
        w(random_vector(static_cast<size_t>(s.kh * s.kw * c * oc), seed + 1)),
        b(random_vector(static_cast<size_t>(oc), seed + 2)) {}
  size_t out_size() const { return static_cast<size_t>(g.win.n * g.win.oh * g.win.ow * g.oc); }
  // pre (may be null): keeps the pre-activation, as training does.
  std::vector<float> forward(Activation act, bool bias, float* pre = nullptr) const {
    std::vector<float> y(out_size()), scratch(conv2d_forward_scratch(g));
    conv2d_forward(y.data(), x.data(), w.data(), bias ? b.data() : nullptr, g, act, scratch.data(),
                   pre);
    return y;
  }
};

struct Grads {
  std::vector<float> dx, dw, db;
};

// Adds the gradients of sum(dy * y) into gr (dx skipped when with_dx is false).
void backward(const Conv& k, const std::vector<float>& dy, Activation act, bool bias, bool with_dx,
              Grads& gr) {
  // Activations whose backward reads the pre-activation get it kept, as in training.
  std::vector<float> pre(activation_reads_input(act) ? k.out_size() : 0);
  const std::vector<float> y = k.forward(act, bias, pre.empty() ? nullptr : pre.data());
  std::vector<float> scratch(conv2d_backward_scratch(k.g, act));
  conv2d_backward(with_dx ? gr.dx.data() : nullptr, gr.dw.data(), bias ? gr.db.data() : nullptr,
                  dy.data(), k.x.data(), k.w.data(), y.data(), k.g, act, scratch.data(),
                  pre.empty() ? nullptr : pre.data());
}

Grads zero_grads(const Conv& k) {
  return {std::vector<float>(k.x.size()), std::vector<float>(k.w.size()),
          std::vector<float>(k.b.size())};
}

// Smallest distance of a pre-activation from a kink (relu: |z|): kinked
// activations' checks need it well above the step. Without bias, an output whose
// window lies wholly in the padding is 0 whatever the data, and no step moves it:
// skipped (relu6 has a kink there).
double min_kink_distance(const Conv& k, bool bias, Activation act) {
  double m = std::numeric_limits<double>::infinity();
  for (double z : conv2d_naive_z(k.x, k.w, bias ? k.b.data() : nullptr, k.g.win, k.g.oc)) {
    if (!bias && z == 0.0) continue;
    m = std::min(m, kink_distance(act, z));
  }
  return m;
}

}  // namespace

TEST_CASE("conv2d forward matches a naive loop") {
  int variant = 0;
  for (const WindowSpec& s : kCases) {
    for (Activation act : kAllActivations) {
      const bool bias = (variant++ % 2) == 0;
      CAPTURE(describe(s));
      CAPTURE(act_name(act));
      CAPTURE(bias);
      const Conv k(s, 100);
      REQUIRE(k.g.win.oh > 0);
      const bool pointwise =
          s.kh == 1 && s.kw == 1 && s.sh == 1 && s.sw == 1 && s.ph == 0 && s.pw == 0;
      // Without AVX-512, a pointwise conv reads x as its GEMM operand (no scratch);
      // the indirect GEMM reads x in place for every conv and packs the weights.
      if (conv2d_backward_scratch(k.g, Activation::linear) == 0) CHECK(pointwise);
      std::vector<double> want =
          conv2d_naive_z(k.x, k.w, bias ? k.b.data() : nullptr, k.g.win, kOC);
      act_naive(want, kOC, act);
      CHECK(max_rel_error(k.forward(act, bias), want) < 1e-5);
    }
  }
}

TEST_CASE("conv2d on the GEMM's block shapes matches a naive loop") {
  // Sizes that reach every tile shape of the indirect GEMM (64-, 48-, 32- and
  // 16-wide panels with masked tails), several k blocks (25 taps of 40
  // channels; 600 channels split inside one tap), few channels (im2col), and
  // rows not a multiple of any tile height.
  struct Case {
    WindowSpec s;
    int64_t h, w, c, oc;
  };
  const Case cases[] = {
      {{3, 3, 1, 1, Padding::same}, 9, 11, 24, 100},  {{5, 5, 2, 2, Padding::same}, 13, 9, 40, 37},
      {{1, 1, 2, 2, Padding::valid}, 9, 9, 600, 130}, {{3, 3, 1, 1, Padding::same}, 5, 6, 600, 20},
      {{7, 7, 2, 2, Padding::valid}, 19, 17, 3, 70},  {{1, 1, 1, 1, Padding::valid}, 7, 7, 33, 200},
  };
  double worst = 0;
  for (const Case& t : cases) {
    CAPTURE(describe(t.s));
    CAPTURE(t.c);
    CAPTURE(t.oc);
    const Conv k(t.s, 500, 2, t.h, t.w, t.c, t.oc);
    std::vector<double> want = conv2d_naive_z(k.x, k.w, k.b.data(), k.g.win, t.oc);
    act_naive(want, t.oc, Activation::relu);
    const double e = max_rel_error(k.forward(Activation::relu, true), want);
    CHECK(e < (conv2d_winograd(k.g) ? 1e-4 : 1e-5));  // Winograd: see its own test
    worst = std::max(worst, e);
  }
  MESSAGE("conv2d GEMM shapes (3x3 stride 1 as Winograd): max relative error vs naive " << worst);
}

TEST_CASE("conv2d backward on the GEMM's block shapes matches the naive adjoint") {
  // dw[ky,kx,ci,o] = sum x[n, oy*sh+ky-pt, ox*sw+kx-pl, ci] dy[n,oy,ox,o] and dx its
  // transpose, in double: the weight-gradient kernel and the stride-1 input
  // gradient (a conv with flipped weights) against plain loops.
  struct Case {
    WindowSpec s;
    int64_t h, w, c, oc;
  };
  const Case cases[] = {
      {{3, 3, 1, 1, Padding::same}, 9, 11, 24, 100},
      {{5, 5, 2, 2, Padding::same}, 13, 9, 40, 37},
      {{1, 1, 2, 2, Padding::valid}, 9, 9, 600, 130},
      {{3, 3, 1, 1, Padding::valid}, 6, 7, 20, 70},
      {{3, 3, 1, 1, Padding::explicit_pad, 2, 2}, 6, 5, 17, 33},
      {{7, 7, 2, 2, Padding::valid}, 19, 17, 3, 70},
      {{1, 1, 1, 1, Padding::valid}, 7, 7, 33, 200},
  };
  double worst_dw = 0, worst_dx = 0;
  for (const Case& t : cases) {
    CAPTURE(describe(t.s));
    CAPTURE(t.c);
    CAPTURE(t.oc);
    const Conv k(t.s, 700, 2, t.h, t.w, t.c, t.oc);
    const Window2d& g = k.g.win;
    const std::vector<float> dy = random_vector(k.out_size(), 701);
    std::vector<double> dw(k.w.size()), dx(k.x.size());
    for (int64_t n = 0; n < g.n; ++n)
      for (int64_t oy = 0; oy < g.oh; ++oy)
        for (int64_t ox = 0; ox < g.ow; ++ox)
          for (int64_t ky = 0; ky < g.kh; ++ky)
            for (int64_t kx = 0; kx < g.kw; ++kx) {
              const int64_t iy = oy * g.sh + ky - g.pad_top, ix = ox * g.sw + kx - g.pad_left;
              if (iy < 0 || iy >= g.h || ix < 0 || ix >= g.w) continue;
              const float* d = dy.data() + ((n * g.oh + oy) * g.ow + ox) * t.oc;
              for (int64_t ci = 0; ci < t.c; ++ci) {
                const size_t xi = static_cast<size_t>(((n * g.h + iy) * g.w + ix) * t.c + ci);
                const size_t wi = static_cast<size_t>(((ky * g.kw + kx) * t.c + ci) * t.oc);
                for (int64_t o = 0; o < t.oc; ++o) {
                  dw[wi + static_cast<size_t>(o)] += static_cast<double>(k.x[xi]) * d[o];
                  dx[xi] += static_cast<double>(k.w[wi + static_cast<size_t>(o)]) * d[o];
                }
              }
            }
    Grads gr = zero_grads(k);
    std::vector<float> scratch(conv2d_backward_scratch(k.g, Activation::linear));
    conv2d_backward(gr.dx.data(), gr.dw.data(), nullptr, dy.data(), k.x.data(), k.w.data(), nullptr,
                    k.g, Activation::linear, scratch.data());
    const double ew = max_rel_error(gr.dw, dw), ex = max_rel_error(gr.dx, dx);
    CHECK(ew < 1e-5);
    CHECK(ex < (conv2d_winograd(k.g) ? 1e-4 : 1e-5));  // 3x3 stride 1: dx by Winograd
    worst_dw = std::max(worst_dw, ew);
    worst_dx = std::max(worst_dx, ex);
  }
  MESSAGE("conv2d backward GEMM shapes (3x3 stride-1 dx as Winograd): max relative error dw "
          << worst_dw << ", dx " << worst_dx);
}

TEST_CASE("conv2d prepared (packed, batchnorm folded, residual, relu) matches the separate ops") {
  // y = relu(batchnorm(conv(x) + b) + residual), computed naively in double: an
  // input read in place (20 channels), and a 3-channel one through im2col done
  // block by block (2 x 48 x 48 output rows: more than one block).
  struct Case {
    WindowSpec s;
    int64_t h, w, c, oc;
  };
  for (const Case& t : {Case{{3, 3, 1, 1, Padding::same}, 7, 9, 20, 50},
                        Case{{3, 3, 1, 1, Padding::same}, 48, 48, 3, 24}}) {
    CAPTURE(t.c);
    const Conv k(t.s, 600, 2, t.h, t.w, t.c, t.oc);
    const int64_t oc = k.g.oc, rows = k.g.win.n * k.g.win.oh * k.g.win.ow;
    const std::vector<float> gamma = random_vector(static_cast<size_t>(oc), 601);
    const std::vector<float> beta = random_vector(static_cast<size_t>(oc), 602);
    const std::vector<float> mean = random_vector(static_cast<size_t>(oc), 603);
    std::vector<float> var = random_vector(static_cast<size_t>(oc), 604);
    for (float& v : var) v = 0.3f + v * v;
    const std::vector<float> res = random_vector(static_cast<size_t>(rows * oc), 605);
    const BatchnormFold bn{gamma.data(), beta.data(), mean.data(), var.data(), 1e-3f};
    std::vector<float> prepared(static_cast<size_t>(conv2d_prepared_floats(k.g)));
    conv2d_prepare(prepared.data(), k.w.data(), k.b.data(), bn, k.g);
    std::vector<float> y(k.out_size()), scratch(conv2d_inference_scratch(k.g));
    conv2d_forward_prepared(y.data(), k.x.data(), prepared.data(), res.data(), k.g,
                            Activation::relu, scratch.data());
    std::vector<double> want = conv2d_naive_z(k.x, k.w, k.b.data(), k.g.win, oc);
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t o = 0; o < oc; ++o) {
        double& z = want[static_cast<size_t>(r * oc + o)];
        z = (z - mean[o]) * gamma[o] / std::sqrt(static_cast<double>(var[o]) + 1e-3) + beta[o];
        z = std::max(0.0, z + res[static_cast<size_t>(r * oc + o)]);
      }
    const double e = max_rel_error(y, want);
    MESSAGE("conv2d prepared + batchnorm + residual + relu, "
            << t.c << " channels: max relative error " << e);
    CHECK(e < 1e-5);
  }
}

TEST_CASE("conv2d prepared as Winograd F(4x4, 3x3) matches the naive loop and the direct path") {
  // 3x3 stride-1 convs with >= 16 channels run as Winograd at inference: check
  // sizes that are not multiples of the 4x4 tile, channel counts that are not
  // multiples of 16, more than one block of tiles (two 40x40 images: 200
  // tiles) and output channels over several 64-column panels.
  struct Case {
    WindowSpec s;
    int64_t n, h, w, c, oc;
  };
  double worst_naive = 0, worst_direct = 0;
  for (const Case& t : {Case{{3, 3, 1, 1, Padding::same}, 2, 7, 9, 20, 50},
                        Case{{3, 3, 1, 1, Padding::valid}, 1, 13, 11, 16, 37},
                        Case{{3, 3, 1, 1, Padding::explicit_pad, 2, 1}, 1, 5, 6, 19, 130},
                        Case{{3, 3, 1, 1, Padding::same}, 2, 40, 40, 16, 20},
                        Case{{3, 3, 1, 1, Padding::same}, 3, 8, 8, 64, 64},
                        Case{{3, 3, 1, 1, Padding::same}, 1, 14, 14, 512, 512}}) {
    CAPTURE(t.h);
    CAPTURE(t.c);
    CAPTURE(t.oc);
    const Conv k(t.s, 700, t.n, t.h, t.w, t.c, t.oc);
    REQUIRE(conv2d_winograd(k.g));
    std::vector<float> prepared(static_cast<size_t>(conv2d_prepared_floats(k.g)));
    conv2d_prepare(prepared.data(), k.w.data(), k.b.data(), k.g);
    std::vector<float> y(k.out_size()), scratch(conv2d_inference_scratch(k.g));
    conv2d_forward_prepared(y.data(), k.x.data(), prepared.data(), nullptr, k.g, Activation::linear,
                            scratch.data());
    std::vector<double> want = conv2d_naive_z(k.x, k.w, k.b.data(), k.g.win, k.g.oc);
    // The direct path (indirect GEMM on the 9 taps), which inference no longer
    // takes for this shape: the internal kernels, called as conv2d once did.
    std::vector<float> direct(k.out_size());
    if (detail::kHaveIgemm) {
      std::vector<float> packed(detail::igemm_packed_floats(9 * t.c, t.oc));
      detail::igemm_pack(packed.data(), k.w.data(), 9 * t.c, t.oc);
      detail::OutputPass bias;
      bias.shift = k.b.data();
      detail::igemm_conv(direct.data(), t.oc, k.x.data(), k.g.win, packed.data(), t.oc, bias);
    } else {
      direct = k.forward(Activation::linear, true);
    }
    const double en = max_rel_error(y, want);
    const double ed = max_rel_error(y, std::vector<double>(direct.begin(), direct.end()));
    worst_naive = std::max(worst_naive, en);
    worst_direct = std::max(worst_direct, ed);
    CHECK(en < 1e-4);
    CHECK(ed < 1e-4);
  }
  MESSAGE("conv2d Winograd F(4x4, 3x3): max relative error "
          << worst_naive << " vs naive (double), " << worst_direct << " vs the direct path");
}

TEST_CASE("conv2d same padding puts the odd extra row and column at the bottom/right") {
  // 4x4 input, kernel 3, stride 2, same: out 2x2, 1 padded row/col, at the end.
  const Conv2dGeom g{make_window(1, 4, 4, 1, {3, 3, 2, 2, Padding::same}), 1};
  CHECK(g.win.oh == 2);
  CHECK(g.win.pad_top == 0);
  CHECK(g.win.pad_left == 0);
  std::vector<float> x(16), w(9, 1.0f), y(4), scratch(conv2d_forward_scratch(g));
  for (size_t i = 0; i < 16; ++i) x[i] = static_cast<float>(i);
  conv2d_forward(y.data(), x.data(), w.data(), nullptr, g, Activation::linear, scratch.data());
  // y[0,0] = rows 0-2, cols 0-2; y[1,1] = rows 2-3, cols 2-3 (row/col 4 is padding).
  CHECK(y[0] == doctest::Approx(0 + 1 + 2 + 4 + 5 + 6 + 8 + 9 + 10));
  CHECK(y[3] == doctest::Approx(10 + 11 + 14 + 15));
}

TEST_CASE("conv2d backward matches central finite differences") {
  MaxError worst, per_act[kActivationCount];
  int variant = 0;
  for (const WindowSpec& s : kCases) {
    for (Activation act : kAllActivations) {
      const bool bias = (variant++ % 3) != 2;
      CAPTURE(describe(s));
      CAPTURE(act_name(act));
      CAPTURE(bias);
      const float h = fd_step(act);
      uint32_t seed = 200;
      Conv k(s, seed);
      // ReLU: pick data whose pre-activations stay 2 steps from the kink (|x|, |w| <= 1,
      // so one step moves a pre-activation by at most h).
      for (int tries = 0; min_kink_distance(k, bias, act) < 2 * h; ++tries) {
        REQUIRE(tries < 1000);
        k = Conv(s, seed += 3);
      }
      const std::vector<float> r = random_vector(k.out_size(), seed + 7);
      Grads gr = zero_grads(k);
      backward(k, r, act, bias, true, gr);
      const auto loss = [&] { return weighted_sum(k.forward(act, bias), r); };
      const double ex = max_rel_error(gr.dx, numeric_gradient(k.x, loss, h));
      const double ew = max_rel_error(gr.dw, numeric_gradient(k.w, loss, h));
      const double eb = bias ? max_rel_error(gr.db, numeric_gradient(k.b, loss, h)) : 0.0;
      CHECK(ex < kFdTolerance);
      CHECK(ew < kFdTolerance);
      CHECK(eb < kFdTolerance);
      worst.add(std::max({ex, ew, eb}));
      per_act[static_cast<size_t>(act)].add(std::max({ex, ew, eb}));
    }
  }
  MESSAGE("conv2d: largest finite-difference relative error (dx, dw, db) = " << worst.value);
  for (Activation act : kAllActivations)
    MESSAGE("conv2d, activation " << act_name(act) << ": "
                                  << per_act[static_cast<size_t>(act)].value);
}

TEST_CASE("conv2d backward adds into the gradients and accepts dx = null") {
  for (const WindowSpec& spec : {kCases[0], kCases[7]}) {
    CAPTURE(describe(spec));
    const Conv k(spec, 300);
    const std::vector<float> r = random_vector(k.out_size(), 301);
    Grads fresh = zero_grads(k);
    backward(k, r, Activation::tanh, true, true, fresh);

    Grads acc{random_vector(k.x.size(), 302), random_vector(k.w.size(), 303),
              random_vector(k.b.size(), 304)};
    const Grads start = acc;
    backward(k, r, Activation::tanh, true, true, acc);
    const auto sum_of = [](const std::vector<float>& a, const std::vector<float>& b) {
      const std::vector<float> s = plus(a, b);
      return std::vector<double>(s.begin(), s.end());
    };
    CHECK(max_rel_error(acc.dx, sum_of(start.dx, fresh.dx)) < 1e-6);
    CHECK(max_rel_error(acc.dw, sum_of(start.dw, fresh.dw)) < 1e-6);
    CHECK(max_rel_error(acc.db, sum_of(start.db, fresh.db)) < 1e-6);

    Grads no_dx = zero_grads(k);
    backward(k, r, Activation::tanh, true, false, no_dx);
    CHECK(no_dx.dw == fresh.dw);
    CHECK(no_dx.db == fresh.db);
  }
}

TEST_CASE("conv2d is bit-identical from run to run") {
  // Large enough for Eigen's GEMM and the im2col/col2im loops to use every thread.
  set_num_threads(0);
  MESSAGE("threads: " << num_threads());
  for (const WindowSpec& s :
       {WindowSpec{3, 3, 1, 1, Padding::same}, WindowSpec{1, 1, 1, 1, Padding::valid},
        WindowSpec{3, 3, 2, 2, Padding::valid}}) {
    CAPTURE(describe(s));
    const Conv k(s, 400, 2, 23, 29, 16, 32);
    const std::vector<float> r = random_vector(k.out_size(), 401);
    const std::vector<float> y1 = k.forward(Activation::relu, true);
    const std::vector<float> y2 = k.forward(Activation::relu, true);
    CHECK(y1 == y2);
    Grads a = zero_grads(k), b = zero_grads(k);
    backward(k, r, Activation::relu, true, true, a);
    backward(k, r, Activation::relu, true, true, b);
    CHECK(a.dx == b.dx);
    CHECK(a.dw == b.dw);
    CHECK(a.db == b.db);
    // One thread agrees with several up to GEMM summation order.
    set_num_threads(1);
    Grads one = zero_grads(k);
    backward(k, r, Activation::relu, true, true, one);
    set_num_threads(0);
    CHECK(max_rel_error(one.dw, std::vector<double>(a.dw.begin(), a.dw.end())) < 1e-5);
    CHECK(max_rel_error(one.dx, std::vector<double>(a.dx.begin(), a.dx.end())) < 1e-5);
  }
}

}  // namespace modelc::test
