#include <doctest/doctest.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "modelc/activation.hpp"
#include "modelc/conv2d.hpp"
#include "modelc/dense.hpp"
#include "modelc/elu.hpp"
#include "modelc/error.hpp"
#include "modelc/gelu.hpp"
#include "modelc/hard_sigmoid.hpp"
#include "modelc/hard_swish.hpp"
#include "modelc/leaky_relu.hpp"
#include "modelc/relu.hpp"
#include "modelc/relu6.hpp"
#include "modelc/sigmoid.hpp"
#include "modelc/silu.hpp"
#include "modelc/softmax.hpp"
#include "modelc/tanh.hpp"
#include "reference_conv.hpp"
#include "reference_ops.hpp"

using namespace modelc;
using namespace modelc::test;

namespace {

constexpr int64_t kN = 2 * 5 * 7 * 3;  // batch 2, 5x7, 3 channels

using Forward = void (*)(float*, const float*, int64_t);
using Backward = void (*)(float*, const float*, const float*, int64_t);

// Inputs in [-3, 3] kept at least 0.05 away from 0 (relu's kink).
std::vector<float> inputs(uint32_t seed) {
  std::vector<float> x = random_vector(kN, seed, -3.0f, 3.0f);
  for (float& v : x) v += v < 0 ? -0.05f : 0.05f;
  return x;
}

void check_elementwise(const char* name, Forward forward, Backward backward, double (*ref)(double),
                       float h, double tol) {
  std::vector<float> x = inputs(11), y(kN);
  forward(y.data(), x.data(), kN);
  std::vector<double> want(kN);
  for (int64_t i = 0; i < kN; ++i) want[i] = ref(x[i]);
  CHECK(forward_error(y, want) < 1e-6);

  std::vector<float> inplace = x;
  forward(inplace.data(), inplace.data(), kN);
  CHECK(inplace == y);

  // Backward adds into dx: start from 0.25 and subtract it again.
  const std::vector<float> r = random_vector(kN, 12);
  std::vector<float> dx(kN, 0.25f);
  backward(dx.data(), r.data(), y.data(), kN);
  for (float& v : dx) v -= 0.25f;
  std::vector<float> yy(kN);
  fd_check(
      name, dx, x,
      [&] {
        forward(yy.data(), x.data(), kN);
        return weighted_sum(yy, r);
      },
      h, tol);
}

}  // namespace

TEST_CASE("relu: forward vs naive loop, backward vs finite differences") {
  check_elementwise(
      "relu", relu_forward, relu_backward, [](double v) { return v > 0 ? v : 0.0; }, 1e-2f, 1e-4);
}

TEST_CASE("sigmoid: forward vs naive loop, backward vs finite differences") {
  check_elementwise(
      "sigmoid", sigmoid_forward, sigmoid_backward,
      [](double v) { return 1.0 / (1.0 + std::exp(-v)); }, 1e-2f, 1e-4);
  // Saturates without inf/nan.
  std::vector<float> x = {-1000.0f, -90.0f, 0.0f, 90.0f, 1000.0f}, y(5);
  sigmoid_forward(y.data(), x.data(), 5);
  CHECK(y[0] == 0.0f);
  CHECK(y[1] > 0.0f);  // e^-90 is a subnormal float: kept, not flushed
  CHECK(y[2] == 0.5f);
  CHECK(y[3] == 1.0f);
  CHECK(y[4] == 1.0f);
}

TEST_CASE("tanh: forward vs naive loop, backward vs finite differences") {
  check_elementwise(
      "tanh", tanh_forward, tanh_backward, [](double v) { return std::tanh(v); }, 1e-2f, 1e-4);
}

TEST_CASE("leaky_relu: forward vs naive loop, backward (from x) vs finite differences") {
  for (float alpha : {0.2f, 0.0f, 1.5f}) {
    CAPTURE(alpha);
    std::vector<float> x = inputs(13), y(kN);
    leaky_relu_forward(y.data(), x.data(), kN, alpha);
    std::vector<double> want(kN);
    for (int64_t i = 0; i < kN; ++i) want[i] = x[i] >= 0 ? x[i] : double(alpha) * x[i];
    CHECK(forward_error(y, want) < 1e-6);
    std::vector<float> inplace = x;
    leaky_relu_forward(inplace.data(), inplace.data(), kN, alpha);
    CHECK(inplace == y);

    const std::vector<float> r = random_vector(kN, 14);
    std::vector<float> dx(kN, 0.25f);
    leaky_relu_backward(dx.data(), r.data(), x.data(), kN, alpha);
    for (float& v : dx) v -= 0.25f;
    std::vector<float> yy(kN);
    fd_check(
        "leaky_relu", dx, x,
        [&] {
          leaky_relu_forward(yy.data(), x.data(), kN, alpha);
          return weighted_sum(yy, r);
        },
        1e-2f, 1e-4);
  }
  // At 0 the derivative is the right-hand one, also with alpha 0.
  const float zero = 0.0f, dy = 3.0f;
  float dx = 0.0f;
  leaky_relu_backward(&dx, &dy, &zero, 1, 0.0f);
  CHECK(dx == 3.0f);
}

TEST_CASE("softmax: forward vs naive loop, backward vs finite differences, stability") {
  const int64_t rows = 2 * 5, cols = 7;
  std::vector<float> x = random_vector(rows * cols, 21, -4.0f, 4.0f), y(rows * cols);
  softmax_forward(y.data(), x.data(), rows, cols);
  std::vector<double> want;
  for (int64_t r = 0; r < rows; ++r) {
    const std::vector<double> row = ref_softmax_row(x.data() + r * cols, cols);
    want.insert(want.end(), row.begin(), row.end());
  }
  CHECK(forward_error(y, want) < 1e-6);
  std::vector<float> inplace = x;
  softmax_forward(inplace.data(), inplace.data(), rows, cols);
  CHECK(inplace == y);

  const std::vector<float> r = random_vector(rows * cols, 22);
  std::vector<float> dx(rows * cols, 0.25f), yy(rows * cols);
  softmax_backward(dx.data(), r.data(), y.data(), rows, cols);
  for (float& v : dx) v -= 0.25f;
  fd_check(
      "softmax", dx, x,
      [&] {
        softmax_forward(yy.data(), x.data(), rows, cols);
        return weighted_sum(yy, r);
      },
      1e-2f, 1e-4);

  // Large logits: no overflow, rows still sum to 1.
  std::vector<float> big = {1000.0f, -1000.0f, 999.0f, -1000.0f, -1000.0f, -1000.0f}, p(6);
  softmax_forward(p.data(), big.data(), 2, 3);
  for (float v : p) CHECK(std::isfinite(v));
  CHECK(p[0] == doctest::Approx(1.0 / (1.0 + std::exp(-1.0))).epsilon(1e-6));
  CHECK(p[1] == 0.0f);
  CHECK(p[2] == doctest::Approx(1.0 / (1.0 + std::exp(1.0))).epsilon(1e-6));
  CHECK(p[3] == doctest::Approx(1.0 / 3).epsilon(1e-6));
}

TEST_CASE("activation dispatch matches the kernels") {
  const int64_t rows = 6, cols = 5, n = rows * cols;
  const std::vector<float> x = random_vector(n, 31, -2.0f, 2.0f);
  const std::vector<float> dy = random_vector(n, 32);
  for (Activation act : {Activation::linear, Activation::relu, Activation::sigmoid,
                         Activation::tanh, Activation::softmax}) {
    CAPTURE(static_cast<int>(act));
    std::vector<float> y(n), want(n), dx(n, 1.0f), dwant(n, 1.0f);
    activation_forward(y.data(), x.data(), rows, cols, act);
    activation_backward(dx.data(), dy.data(), x.data(), y.data(), rows, cols, act);
    switch (act) {
      case Activation::linear:
        want = x;
        for (int64_t i = 0; i < n; ++i) dwant[i] += dy[i];
        break;
      case Activation::relu:
        relu_forward(want.data(), x.data(), n);
        relu_backward(dwant.data(), dy.data(), want.data(), n);
        break;
      case Activation::sigmoid:
        sigmoid_forward(want.data(), x.data(), n);
        sigmoid_backward(dwant.data(), dy.data(), want.data(), n);
        break;
      case Activation::tanh:
        tanh_forward(want.data(), x.data(), n);
        tanh_backward(dwant.data(), dy.data(), want.data(), n);
        break;
      case Activation::softmax:
        softmax_forward(want.data(), x.data(), rows, cols);
        softmax_backward(dwant.data(), dy.data(), want.data(), rows, cols);
        break;
      default:  // the v2 rows: their own test case below
        break;
    }
    CHECK(y == want);
    CHECK(dx == dwant);
    std::vector<float> inplace = x;
    activation_forward(inplace.data(), inplace.data(), rows, cols, act);
    CHECK(inplace == want);
  }
}

TEST_CASE("sigmoid and tanh stay within a few ulp of double, into the subnormal tail") {
  // Every 4099th float below 120 in magnitude, both signs: sigmoid's small outputs
  // for x < 0 keep their relative precision (subnormals included, measured in
  // their own ulp), tanh's near 0 theirs.
  std::vector<float> x;
  for (uint32_t bits = 0; bits < 0x7f800000u; bits += 4099) {
    const float v = std::bit_cast<float>(bits);
    if (v < 120.0f) x.insert(x.end(), {v, -v});
  }
  const auto n = static_cast<int64_t>(x.size());
  std::vector<float> ys(n), yt(n);
  sigmoid_forward(ys.data(), x.data(), n);
  tanh_forward(yt.data(), x.data(), n);
  const auto ulp = [](double v) {
    const auto f = static_cast<float>(std::fabs(v));
    return f < std::numeric_limits<float>::min() ? std::numeric_limits<float>::denorm_min()
                                                 : std::nextafter(f, INFINITY) - f;
  };
  double worst_sigmoid = 0, worst_tanh = 0;
  for (int64_t i = 0; i < n; ++i) {
    const double v = x[i], s = 1.0 / (1.0 + std::exp(-v)), t = std::tanh(v);
    worst_sigmoid = std::max(worst_sigmoid, std::fabs(ys[i] - s) / ulp(s));
    worst_tanh = std::max(worst_tanh, std::fabs(yt[i] - t) / ulp(t));
  }
  MESSAGE("sigmoid max " << worst_sigmoid << " ulp, tanh max " << worst_tanh << " ulp over " << n
                         << " inputs");
  CHECK(worst_sigmoid < 3.0);
  CHECK(worst_tanh < 3.0);
}

TEST_CASE("fused conv2d/dense activations give the standalone kernels' values") {
  // Identity weights, no bias: the GEMM passes x through exactly (x * 1 plus zeros),
  // so the fused output pass sees the same input as the standalone kernel and both
  // must give the same bits, forward (y) and backward (dx = act'(.) * dy).
  const int64_t n = 2, h = 3, w = 5, c = 8, rows = n * h * w, size = rows * c;
  std::vector<float> x = random_vector(size, 41, -12.0f, 12.0f);
  const float extremes[] = {-1000.0f, -104.0f, -90.0f, -88.0f, -60.0f, -30.0f, -17.5f, -3.0f,
                            0.0f,     3.0f,    6.0f,   17.5f,  30.0f,  90.0f,  1000.0f};
  for (size_t i = 0; i < std::size(extremes); ++i) x[i * 13] = extremes[i];
  const std::vector<float> dy = random_vector(size, 42);
  std::vector<float> eye(c * c, 0.0f);
  for (int64_t i = 0; i < c; ++i) eye[i * c + i] = 1.0f;

  const DenseGeom dg{rows, c, c};
  const Conv2dGeom cg{make_window(n, h, w, c, {1, 1, 1, 1, Padding::valid}), c};
  for (size_t a = 0; a < kActivationCount; ++a) {  // every row of modelc/activation.def
    const auto act = static_cast<Activation>(a);
    CAPTURE(kActivationNames[a]);
    std::vector<float> want(size), dwant(size, 0.0f);
    activation_forward(want.data(), x.data(), rows, c, act);
    activation_backward(dwant.data(), dy.data(), x.data(), want.data(), rows, c, act);
    for (float v : want) CHECK(std::isfinite(v));
    for (float v : dwant) CHECK(std::isfinite(v));

    std::vector<float> yd(size), yc(size), dxd(size, 0.0f), dxc(size, 0.0f), dw(c * c, 0.0f);
    dense_forward(yd.data(), x.data(), eye.data(), nullptr, dg, act);
    std::vector<float> scratch(
        std::max(conv2d_forward_scratch(cg), dense_backward_scratch(dg, act)));
    conv2d_forward(yc.data(), x.data(), eye.data(), nullptr, cg, act, scratch.data());
    // Training's call for the rows that read their input: the same y, and the
    // pre-activation (here x itself) kept in pre.
    std::vector<float> pd(size, -1.0f), pc(size, -1.0f), yd2(size), yc2(size);
    const bool keep = activation_reads_input(act);
    if (keep) {
      dense_forward(yd2.data(), x.data(), eye.data(), nullptr, dg, act, pd.data());
      conv2d_forward(yc2.data(), x.data(), eye.data(), nullptr, cg, act, scratch.data(), pc.data());
      CHECK(yd2 == yd);
      CHECK(yc2 == yc);
      CHECK(pd == x);
      CHECK(pc == x);
    }
    // Both paths are given the standalone y, so dx compares the derivative alone.
    dense_backward(dxd.data(), dw.data(), nullptr, dy.data(), x.data(), eye.data(), want.data(), dg,
                   act, scratch.data(), keep ? pd.data() : nullptr);
    std::vector<float> cscratch(conv2d_backward_scratch(cg, act));
    conv2d_backward(dxc.data(), dw.data(), nullptr, dy.data(), x.data(), eye.data(), want.data(),
                    cg, act, cscratch.data(), keep ? pc.data() : nullptr);
    if (act == Activation::softmax) {
      // The row-wise special case: the fused pass sums in float, the standalone
      // kernel in double, so they agree to rounding, not to the bit.
      for (int64_t i = 0; i < size; ++i) {
        CHECK(yd[i] == doctest::Approx(want[i]).epsilon(1e-5));
        CHECK(yc[i] == doctest::Approx(want[i]).epsilon(1e-5));
      }
      continue;
    }
    CHECK(yd == want);
    CHECK(yc == want);
    CHECK(dxd == dwant);
    CHECK(dxc == dwant);
  }
}

namespace {

// The v2 functions in double, straight from SPEC_FORMAT's definitions.
double ref_relu6(double v) { return std::min(std::max(v, 0.0), 6.0); }
double ref_elu1(double v) { return v >= 0 ? v : std::expm1(v); }
double ref_gelu(double v) { return 0.5 * v * std::erfc(-v / std::sqrt(2.0)); }
double ref_silu(double v) { return v / (1.0 + std::exp(-v)); }
double ref_hard_sigmoid(double v) { return ref_relu6(v + 3.0) / 6.0; }
double ref_hard_swish(double v) { return v * ref_hard_sigmoid(v); }

struct V2Function {
  const char* name;
  Activation act;
  Forward forward;
  Backward backward;  // from the input x
  double (*ref)(double);
  std::vector<float> kinks;   // x where the right-hand derivative is tested
  std::vector<float> slopes;  // ... and its value there
};

void elu1_forward(float* y, const float* x, int64_t n) { elu_forward(y, x, n, 1.0f); }
void elu1_backward(float* dx, const float* dy, const float* x, int64_t n) {
  elu_backward(dx, dy, x, n, 1.0f);
}

const V2Function kV2[] = {
    {"relu6",
     Activation::relu6,
     relu6_forward,
     relu6_backward,
     ref_relu6,
     {0.0f, -0.0f, 6.0f},
     {1.0f, 1.0f, 0.0f}},
    {"elu", Activation::elu, elu1_forward, elu1_backward, ref_elu1, {0.0f}, {1.0f}},
    {"gelu", Activation::gelu, gelu_forward, gelu_backward, ref_gelu, {0.0f}, {0.5f}},
    {"silu", Activation::silu, silu_forward, silu_backward, ref_silu, {0.0f}, {0.5f}},
    {"hard_sigmoid",
     Activation::hard_sigmoid,
     hard_sigmoid_forward,
     hard_sigmoid_backward,
     ref_hard_sigmoid,
     {-3.0f, 3.0f},
     {1.0f / 6.0f, 0.0f}},
    {"hard_swish",
     Activation::hard_swish,
     hard_swish_forward,
     hard_swish_backward,
     ref_hard_swish,
     {-3.0f, 3.0f},
     {-0.5f, 1.0f}},
};

// Inputs in [-8, 8] kept at least 0.05 away from every kink of the v2 functions
// (-3, 0, 3, 6), farther than the finite-difference step.
std::vector<float> v2_inputs(uint32_t seed) {
  std::vector<float> x = random_vector(kN, seed, -8.0f, 8.0f);
  for (float& v : x)
    for (float k : {-3.0f, 0.0f, 3.0f, 6.0f})
      if (std::fabs(v - k) < 0.05f) v = k + (v < k ? -0.05f : 0.05f);
  return x;
}

// Largest |got - want| / |want| element by element (|want| at least 1e-30).
double elementwise_rel_error(const std::vector<float>& got, const std::vector<double>& want) {
  double err = 0;
  for (size_t i = 0; i < got.size(); ++i)
    err = std::max(err, std::fabs(got[i] - want[i]) / std::max(std::fabs(want[i]), 1e-30));
  return err;
}

}  // namespace

TEST_CASE("v2 activations: forward vs naive loop, backward (from x) vs finite differences") {
  for (const V2Function& f : kV2) {
    CAPTURE(std::string(f.name));
    std::vector<float> x = v2_inputs(51), y(kN);
    f.forward(y.data(), x.data(), kN);
    std::vector<double> want(kN);
    for (int64_t i = 0; i < kN; ++i) want[i] = f.ref(x[i]);
    const double err = elementwise_rel_error(y, want);
    MESSAGE(std::string(f.name) << " forward: max elementwise rel error " << err);
    CHECK(err < 1e-6);
    std::vector<float> inplace = x;
    f.forward(inplace.data(), inplace.data(), kN);
    CHECK(inplace == y);

    const std::vector<float> r = random_vector(kN, 52);
    std::vector<float> dx(kN, 0.25f);
    f.backward(dx.data(), r.data(), x.data(), kN);
    for (float& v : dx) v -= 0.25f;
    std::vector<float> yy(kN);
    fd_check(
        f.name, dx, x,
        [&] {
          f.forward(yy.data(), x.data(), kN);
          return weighted_sum(yy, r);
        },
        1e-2f, 1e-4);

    // The table's dispatch (the rows of activation.def) gives the same bits.
    std::vector<float> yt(kN), dxt(kN, 0.25f), dxk(kN, 0.25f);
    activation_forward(yt.data(), x.data(), kN / 3, 3, f.act);
    CHECK(yt == y);
    activation_backward(dxt.data(), r.data(), x.data(), nullptr, kN / 3, 3, f.act);
    f.backward(dxk.data(), r.data(), x.data(), kN);
    CHECK(dxt == dxk);
    CHECK_THROWS_AS(activation_backward(dxt.data(), r.data(), nullptr, y.data(), kN / 3, 3, f.act),
                    Error);
  }
}

TEST_CASE("v2 activations: the kinks take the right-hand derivative, v1 relu keeps 0 at 0") {
  for (const V2Function& f : kV2) {
    CAPTURE(std::string(f.name));
    for (size_t i = 0; i < f.kinks.size(); ++i) {
      CAPTURE(f.kinks[i]);
      const float dy = 3.0f;
      float dx = 0.0f, y = 0.0f;
      f.backward(&dx, &dy, &f.kinks[i], 1);
      CHECK(dx == doctest::Approx(3.0 * f.slopes[i]).epsilon(1e-6));
      f.forward(&y, &f.kinks[i], 1);
      CHECK(y == doctest::Approx(f.ref(f.kinks[i])).epsilon(1e-7));
    }
  }
  // Values at and around the kinks, exactly.
  const float relu6_x[] = {-1.0f, 0.0f, 3.5f, 6.0f, 7.0f};
  const float relu6_y[] = {0.0f, 0.0f, 3.5f, 6.0f, 6.0f};
  for (size_t i = 0; i < std::size(relu6_x); ++i) {
    float y = -1.0f;
    relu6_forward(&y, &relu6_x[i], 1);
    CHECK(y == relu6_y[i]);
  }
  const float hx[] = {-4.0f, -3.0f, 0.0f, 3.0f, 4.0f};
  const float hs[] = {0.0f, 0.0f, 0.5f, 1.0f, 1.0f}, hw[] = {0.0f, 0.0f, 0.0f, 3.0f, 4.0f};
  for (size_t i = 0; i < std::size(hx); ++i) {
    float s = -1.0f, w = -1.0f;
    hard_sigmoid_forward(&s, &hx[i], 1);
    hard_swish_forward(&w, &hx[i], 1);
    CHECK(s == hs[i]);
    CHECK(w == hw[i]);
  }
  // Just below the kinks the left-hand values.
  const float below[] = {std::nextafter(0.0f, -1.0f), std::nextafter(6.0f, 0.0f)};
  const float dy = 1.0f;
  float d0 = 0.0f, d6 = 0.0f;
  relu6_backward(&d0, &dy, &below[0], 1);
  relu6_backward(&d6, &dy, &below[1], 1);
  CHECK(d0 == 0.0f);
  CHECK(d6 == 1.0f);
  const float zero = 0.0f;
  float dr = 0.0f;
  relu_backward(&dr, &dy, &zero, 1);  // v1: from y = 0, derivative 0
  CHECK(dr == 0.0f);
}

TEST_CASE("elu: alpha, forward vs naive loop, backward vs finite differences") {
  for (float alpha : {0.5f, 0.0f, 2.0f, 1.0f}) {
    CAPTURE(alpha);
    std::vector<float> x = v2_inputs(61), y(kN);
    elu_forward(y.data(), x.data(), kN, alpha);
    std::vector<double> want(kN);
    for (int64_t i = 0; i < kN; ++i) want[i] = x[i] >= 0 ? x[i] : alpha * std::expm1(double(x[i]));
    CHECK(elementwise_rel_error(y, want) < 1e-6);
    const std::vector<float> r = random_vector(kN, 62);
    std::vector<float> dx(kN, 0.25f), yy(kN);
    elu_backward(dx.data(), r.data(), x.data(), kN, alpha);
    for (float& v : dx) v -= 0.25f;
    fd_check(
        "elu", dx, x,
        [&] {
          elu_forward(yy.data(), x.data(), kN, alpha);
          return weighted_sum(yy, r);
        },
        1e-2f, 1e-4);
    const float zero = 0.0f, dy = 2.0f;
    float d = 0.0f;
    elu_backward(&d, &dy, &zero, 1, alpha);
    CHECK(d == 2.0f);  // right-hand, whatever alpha
  }
  // Saturation: -alpha far below 0, no overflow far above.
  const float x[] = {-1000.0f, -30.0f, 1e30f};
  float y[3];
  elu_forward(y, x, 3, 0.5f);
  CHECK(y[0] == -0.5f);
  CHECK(y[1] == -0.5f);
  CHECK(y[2] == 1e30f);
}

TEST_CASE("gelu, silu, elu stay within a few ulp of double") {
  // Every 4099th float in magnitude up to 80, both signs, within each function's
  // range of normal results (gelu's x Phi(x) leaves the normal floats near -13,
  // silu's sigmoid factor near -87).
  std::vector<float> x;
  for (uint32_t bits = 0; bits < 0x7f800000u; bits += 4099) {
    const float v = std::bit_cast<float>(bits);
    if (v < 80.0f) x.insert(x.end(), {v, -v});
  }
  const auto ulp = [](double v) {
    const auto f = static_cast<float>(std::fabs(v));
    return f < std::numeric_limits<float>::min() ? std::numeric_limits<float>::denorm_min()
                                                 : std::nextafter(f, INFINITY) - f;
  };
  const struct {
    const char* name;
    Forward forward;
    double (*ref)(double);
    float lo;
  } fs[] = {{"gelu", gelu_forward, ref_gelu, -12.0f},
            {"silu", silu_forward, ref_silu, -80.0f},
            {"elu", elu1_forward, ref_elu1, -80.0f}};
  for (const auto& f : fs) {
    std::vector<float> xs;
    for (float v : x)
      if (v >= f.lo) xs.push_back(v);
    const auto n = static_cast<int64_t>(xs.size());
    std::vector<float> y(n);
    f.forward(y.data(), xs.data(), n);
    double worst = 0;
    for (int64_t i = 0; i < n; ++i) {
      const double want = f.ref(xs[i]);
      worst = std::max(worst, std::fabs(y[i] - want) / ulp(want));
    }
    MESSAGE(std::string(f.name) << " max " << worst << " ulp over " << n << " inputs");
    CHECK(worst < 4.0);
  }
}
