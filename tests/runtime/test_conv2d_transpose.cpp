// conv2d_transpose: forward against a naive scatter loop, backward against
// central differences, += accumulation and dx = null, and the adjoint identity
// <conv2d(u), v> = <u, conv2d_transpose(v)> against the runtime's conv2d.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <sstream>
#include <string>

#include "modelc/conv2d.hpp"
#include "modelc/conv2d_transpose.hpp"
#include "reference_conv.hpp"
#include "reference_ops.hpp"

namespace modelc::test {
namespace {

constexpr int64_t kN = 2, kH = 5, kW = 7, kC = 3, kF = 4;

// The attributes as a spec states them: kernel, stride, padding (ph/pw for
// explicit), output_padding (explicit only).
struct TSpec {
  int64_t kh, kw, sh, sw;
  Padding pad;
  int64_t ph = 0, pw = 0, oph = 0, opw = 0;
};

const TSpec kCases[] = {
    {3, 3, 2, 2, Padding::valid},
    {3, 3, 2, 2, Padding::same},
    {3, 3, 2, 2, Padding::explicit_pad, 1, 1, 1, 1},
    {3, 3, 2, 2, Padding::explicit_pad, 1, 1, 0, 0},
    {3, 3, 2, 2, Padding::explicit_pad, 0, 0, 1, 1},  // the added row/column gets the bias only
    {4, 4, 2, 2, Padding::same},                      // odd total padding: the extra at the end
    {2, 2, 3, 3, Padding::valid},                     // k < s: gaps between the windows
    {2, 3, 3, 2, Padding::same},
    {3, 2, 1, 2, Padding::explicit_pad, 2, 0, 0, 1},
    {1, 1, 1, 1, Padding::valid},
};

std::string describe(const TSpec& s) {
  static const char* const names[] = {"valid", "same", "explicit"};
  std::ostringstream out;
  out << "kernel " << s.kh << "x" << s.kw << " stride " << s.sh << "x" << s.sw << " "
      << names[static_cast<int>(s.pad)];
  if (s.pad == Padding::explicit_pad)
    out << " " << s.ph << "," << s.pw << " output_padding " << s.oph << "," << s.opw;
  return out.str();
}

// The spec's output size rule, and the adjoint conv2d's padding before.
Window1d axis(int64_t in, int64_t k, int64_t s, Padding pad, int64_t p, int64_t op) {
  switch (pad) {
    case Padding::valid: return {in * s + std::max<int64_t>(k - s, 0), 0, 0};
    case Padding::same: return {in * s, window_same(in * s, k, s).pad_before, 0};
    case Padding::explicit_pad: return {(in - 1) * s + k - 2 * p + op, p, 0};
  }
  return {};
}

Conv2dTransposeGeom make_geom(int64_t n, int64_t h, int64_t w, int64_t c, int64_t f,
                              const TSpec& s) {
  const Window1d y = axis(h, s.kh, s.sh, s.pad, s.ph, s.oph);
  const Window1d x = axis(w, s.kw, s.sw, s.pad, s.pw, s.opw);
  return {{n, y.out, x.out, f, s.kh, s.kw, s.sh, s.sw, y.pad_before, x.pad_before, h, w}, c};
}

// y[n, iy*sh+ky-pt, ix*sw+kx-pl, f] += x[n, iy, ix, c] * w[ky, kx, f, c], then + b
// (may be null): the definition, a scatter over the input pixels, in double.
std::vector<double> naive_z(const std::vector<float>& x, const std::vector<float>& w,
                            const float* b, const Conv2dTransposeGeom& g) {
  const Window2d& k = g.win;
  std::vector<double> z(static_cast<size_t>(k.n * k.h * k.w * k.c));
  for (int64_t n = 0; n < k.n; ++n)
    for (int64_t iy = 0; iy < k.oh; ++iy)
      for (int64_t ix = 0; ix < k.ow; ++ix)
        for (int64_t ky = 0; ky < k.kh; ++ky)
          for (int64_t kx = 0; kx < k.kw; ++kx) {
            const int64_t oy = iy * k.sh + ky - k.pad_top, ox = ix * k.sw + kx - k.pad_left;
            if (oy < 0 || oy >= k.h || ox < 0 || ox >= k.w) continue;
            for (int64_t f = 0; f < k.c; ++f)
              for (int64_t c = 0; c < g.cin; ++c)
                z[static_cast<size_t>(((n * k.h + oy) * k.w + ox) * k.c + f)] +=
                    static_cast<double>(
                        x[static_cast<size_t>(((n * k.oh + iy) * k.ow + ix) * g.cin + c)]) *
                    w[static_cast<size_t>(((ky * k.kw + kx) * k.c + f) * g.cin + c)];
          }
  if (b != nullptr)
    for (size_t i = 0; i < z.size(); ++i) z[i] += b[i % static_cast<size_t>(k.c)];
  return z;
}

struct Transpose {
  Conv2dTransposeGeom g;
  std::vector<float> x, w, b;
  Transpose(const TSpec& s, uint32_t seed, int64_t n = kN, int64_t h = kH, int64_t w_ = kW,
            int64_t c = kC, int64_t f = kF)
      : g(make_geom(n, h, w_, c, f, s)),
        x(random_vector(static_cast<size_t>(n * h * w_ * c), seed)),
        w(random_vector(static_cast<size_t>(s.kh * s.kw * f * c), seed + 1)),
        b(random_vector(static_cast<size_t>(f), seed + 2)) {}
  size_t out_size() const { return static_cast<size_t>(g.win.n * g.win.h * g.win.w * g.win.c); }
  std::vector<float> forward(Activation act, bool bias, float* pre = nullptr) const {
    std::vector<float> y(out_size(), std::numeric_limits<float>::quiet_NaN());
    std::vector<float> scratch(conv2d_transpose_forward_scratch(g));
    conv2d_transpose_forward(y.data(), x.data(), w.data(), bias ? b.data() : nullptr, g, act,
                             scratch.data(), pre);
    return y;
  }
};

struct Grads {
  std::vector<float> dx, dw, db;
};

Grads zero_grads(const Transpose& t) {
  return {std::vector<float>(t.x.size()), std::vector<float>(t.w.size()),
          std::vector<float>(t.b.size())};
}

// Adds the gradients of sum(dy * y) into gr, keeping the pre-activation as
// training does for the activations whose backward reads it.
void backward(const Transpose& t, const std::vector<float>& dy, Activation act, bool bias,
              bool with_dx, Grads& gr) {
  std::vector<float> pre(activation_reads_input(act) ? t.out_size() : 0);
  const std::vector<float> y = t.forward(act, bias, pre.empty() ? nullptr : pre.data());
  std::vector<float> scratch(conv2d_transpose_backward_scratch(t.g, act));
  conv2d_transpose_backward(with_dx ? gr.dx.data() : nullptr, gr.dw.data(),
                            bias ? gr.db.data() : nullptr, dy.data(), t.x.data(), t.w.data(),
                            y.data(), t.g, act, scratch.data(), pre.empty() ? nullptr : pre.data());
}

// Smallest distance of a pre-activation from a kink; without bias an output no
// window reaches is 0 whatever the data, and no step moves it: skipped.
double min_kink_distance(const Transpose& t, bool bias, Activation act) {
  double m = std::numeric_limits<double>::infinity();
  for (double z : naive_z(t.x, t.w, bias ? t.b.data() : nullptr, t.g)) {
    if (!bias && z == 0.0) continue;
    m = std::min(m, kink_distance(act, z));
  }
  return m;
}

double dot(const std::vector<float>& a, const std::vector<float>& b) {
  double s = 0;
  for (size_t i = 0; i < a.size(); ++i) s += static_cast<double>(a[i]) * b[i];
  return s;
}

}  // namespace

TEST_CASE("conv2d_transpose output sizes follow the spec, and its window is the conv2d's") {
  // 5x7 input, kernel 3, stride 2: valid 11x15 (H·s + k − s), same 10x14 (H·s),
  // padding 1 + output_padding 1: (H − 1)·s + k − 2 + 1 = 10x14.
  CHECK(make_geom(1, 5, 7, 3, 4, kCases[0]).win.h == 11);
  CHECK(make_geom(1, 5, 7, 3, 4, kCases[0]).win.w == 15);
  CHECK(make_geom(1, 5, 7, 3, 4, kCases[1]).win.h == 10);
  CHECK(make_geom(1, 5, 7, 3, 4, kCases[2]).win.h == 10);
  CHECK(make_geom(1, 5, 7, 3, 4, kCases[2]).win.w == 14);
  CHECK(make_geom(1, 5, 7, 3, 4, kCases[6]).win.h == 15);  // k < s: H·s
  // The conv2d with the same kernel, stride and padding maps the output size
  // back to the input size, with the same padding before (same: 4x4 stride 2
  // pads 2 in total, 1 before).
  for (const TSpec& s : kCases) {
    CAPTURE(describe(s));
    const Conv2dTransposeGeom g = make_geom(1, kH, kW, kC, kF, s);
    const Window2d conv =
        make_window(1, g.win.h, g.win.w, kF, {s.kh, s.kw, s.sh, s.sw, s.pad, s.ph, s.pw});
    CHECK(conv.oh == kH);
    CHECK(conv.ow == kW);
    CHECK(conv.pad_top == g.win.pad_top);
    CHECK(conv.pad_left == g.win.pad_left);
  }
  CHECK(make_geom(1, 5, 7, 3, 4, kCases[5]).win.pad_top == 1);
}

TEST_CASE("conv2d_transpose forward matches a naive scatter loop") {
  double worst = 0;
  int variant = 0;
  for (const TSpec& s : kCases) {
    for (Activation act : kAllActivations) {
      const bool bias = (variant++ % 2) == 0;
      CAPTURE(describe(s));
      CAPTURE(act_name(act));
      CAPTURE(bias);
      const Transpose t(s, 100);
      std::vector<double> want = naive_z(t.x, t.w, bias ? t.b.data() : nullptr, t.g);
      act_naive(want, kF, act);
      const double e = forward_error(t.forward(act, bias), want);
      CHECK(e < 1e-5);
      worst = std::max(worst, e);
      // Keeping the pre-activation gives the same y and z itself.
      std::vector<float> pre(t.out_size());
      CHECK(forward_error(t.forward(act, bias, pre.data()), to_double(t.forward(act, bias))) <
            1e-6);
      CHECK(forward_error(pre, naive_z(t.x, t.w, bias ? t.b.data() : nullptr, t.g)) < 1e-5);
    }
  }
  MESSAGE("conv2d_transpose forward: max relative error vs naive " << worst);
}

TEST_CASE("conv2d_transpose with output_padding: the added row and column hold the bias only") {
  // padding 0, output_padding 1: (5 − 1)·2 + 3 + 1 = 12 rows; row 11 is reached by no window.
  const Transpose t(kCases[4], 150);
  REQUIRE(t.g.win.h == 12);
  REQUIRE(t.g.win.w == 16);
  const std::vector<float> y = t.forward(Activation::linear, true);
  for (int64_t n = 0; n < kN; ++n)
    for (int64_t ox = 0; ox < t.g.win.w; ++ox)
      for (int64_t f = 0; f < kF; ++f)
        CHECK(y[static_cast<size_t>(((n * 12 + 11) * 16 + ox) * kF + f)] == t.b[f]);
}

TEST_CASE("conv2d_transpose backward matches central finite differences") {
  double worst_dx = 0, worst_dw = 0, worst_db = 0;
  const Activation acts[] = {Activation::linear,  Activation::relu, Activation::tanh,
                             Activation::softmax, Activation::gelu, Activation::hard_swish};
  int variant = 0;
  for (const TSpec& s : kCases) {
    for (Activation act : acts) {
      const bool bias = (variant++ % 3) != 2;
      CAPTURE(describe(s));
      CAPTURE(act_name(act));
      CAPTURE(bias);
      // ReLU: data whose pre-activations all stay 2 steps from the kink (|x|, |w| <= 1).
      // The 5x7 batch of 2 has too many outputs for that: a 3x4 image of 2
      // channels into 3 filters, and a quarter of the step (relu is piecewise
      // linear, so a small step costs only float noise).
      const bool kinked = act == Activation::relu;
      const float h = kinked ? fd_step(act) / 4 : fd_step(act);
      const auto make = [&](uint32_t seed) {
        return kinked ? Transpose(s, seed, 1, 3, 4, 2, 3) : Transpose(s, seed);
      };
      uint32_t seed = 200;
      Transpose t = make(seed);
      for (int tries = 0; min_kink_distance(t, bias, act) < 2 * h; ++tries) {
        REQUIRE(tries < 1000);
        t = make(seed += 3);
      }
      const std::vector<float> r = random_vector(t.out_size(), seed + 7);
      Grads gr = zero_grads(t);
      backward(t, r, act, bias, true, gr);
      const auto loss = [&] { return weighted_sum(t.forward(act, bias), r); };
      const std::string what = describe(s) + " " + act_name(act);
      worst_dx = std::max(worst_dx, fd_check("dx " + what, gr.dx, t.x, loss, h, kFdTolerance));
      worst_dw = std::max(worst_dw, fd_check("dw " + what, gr.dw, t.w, loss, h, kFdTolerance));
      if (bias)
        worst_db = std::max(worst_db, fd_check("db " + what, gr.db, t.b, loss, h, kFdTolerance));
    }
  }
  MESSAGE("conv2d_transpose: largest finite-difference relative error dx "
          << worst_dx << ", dw " << worst_dw << ", db " << worst_db);
}

TEST_CASE("conv2d_transpose backward adds into the gradients and accepts dx = null") {
  for (const TSpec& spec : {kCases[1], kCases[2]}) {
    CAPTURE(describe(spec));
    const Transpose t(spec, 300);
    const std::vector<float> r = random_vector(t.out_size(), 301);
    for (Activation act : {Activation::tanh, Activation::silu}) {
      Grads fresh = zero_grads(t);
      backward(t, r, act, true, true, fresh);
      Grads acc{random_vector(t.x.size(), 302), random_vector(t.w.size(), 303),
                random_vector(t.b.size(), 304)};
      const Grads start = acc;
      backward(t, r, act, true, true, acc);
      CHECK(max_rel_error(acc.dx, to_double(plus(start.dx, fresh.dx))) < 1e-6);
      CHECK(max_rel_error(acc.dw, to_double(plus(start.dw, fresh.dw))) < 1e-6);
      CHECK(max_rel_error(acc.db, to_double(plus(start.db, fresh.db))) < 1e-6);
      Grads no_dx = zero_grads(t);
      backward(t, r, act, true, false, no_dx);
      CHECK(no_dx.dw == fresh.dw);
      CHECK(no_dx.db == fresh.db);
    }
  }
}

TEST_CASE("conv2d_transpose is the adjoint of conv2d: <conv2d(u), v> = <u, conv2d_transpose(v)>") {
  // u lives on the transpose's output [n, H', W', filters], v on its input
  // [n, H, W, cin]; one kernel [kh, kw, filters, cin] is conv2d's [kh, kw, c, oc].
  double worst = 0;
  for (const TSpec& s : kCases) {
    CAPTURE(describe(s));
    const Transpose t(s, 400);
    const Conv2dGeom conv{t.g.win, t.g.cin};
    const std::vector<float> u = random_vector(t.out_size(), 401);
    std::vector<float> cu(t.x.size()), scratch(conv2d_forward_scratch(conv));
    conv2d_forward(cu.data(), u.data(), t.w.data(), nullptr, conv, Activation::linear,
                   scratch.data());
    const double lhs = dot(cu, t.x);                                  // v = t.x
    const double rhs = dot(u, t.forward(Activation::linear, false));  // conv2d_transpose(v)
    const double e = std::abs(lhs - rhs) / std::max(1.0, std::abs(lhs));
    CHECK(e < 1e-5);
    worst = std::max(worst, e);
    // And the transpose's input gradient is conv2d itself: dx = conv2d(dy).
    Grads gr = zero_grads(t);
    backward(t, u, Activation::linear, false, true, gr);
    CHECK(max_rel_error(gr.dx, to_double(cu)) < 1e-5);
  }
  MESSAGE("conv2d_transpose adjoint identity: max relative mismatch " << worst);
}

}  // namespace modelc::test
