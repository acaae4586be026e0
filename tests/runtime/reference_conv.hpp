// Naive-loop references (double precision) for conv2d and the pools, the window
// geometry the tests build from Keras-style attributes, and the bookkeeping for
// the largest finite-difference error each op reports.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <numeric>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "modelc/activation.hpp"
#include "modelc/geometry.hpp"

namespace modelc::test {

enum class Padding { valid, same, explicit_pad };

// Window attributes as a spec states them; ph/pw only for explicit padding.
struct WindowSpec {
  int64_t kh, kw, sh, sw;
  Padding pad;
  int64_t ph = 0, pw = 0;
};

inline Window1d window_1d(int64_t in, int64_t k, int64_t s, Padding pad, int64_t p) {
  switch (pad) {
    case Padding::valid: return window_valid(in, k, s);
    case Padding::same: return window_same(in, k, s);
    case Padding::explicit_pad: return window_explicit(in, k, s, p, p);
  }
  return {};
}

inline Window2d make_window(int64_t n, int64_t h, int64_t w, int64_t c, const WindowSpec& s) {
  const Window1d y = window_1d(h, s.kh, s.sh, s.pad, s.ph);
  const Window1d x = window_1d(w, s.kw, s.sw, s.pad, s.pw);
  return {n, h, w, c, s.kh, s.kw, s.sh, s.sw, y.pad_before, x.pad_before, y.out, x.out};
}

inline std::string describe(const WindowSpec& s) {
  static const char* const names[] = {"valid", "same", "explicit"};
  std::ostringstream out;
  out << "kernel " << s.kh << "x" << s.kw << " stride " << s.sh << "x" << s.sw << " "
      << names[static_cast<int>(s.pad)];
  if (s.pad == Padding::explicit_pad) out << " " << s.ph << "," << s.pw;
  return out.str();
}

inline std::string act_name(Activation act) {
  return std::string(kActivationNames[static_cast<size_t>(act)]);
}

// Finite-difference step per activation. Piecewise-linear losses (linear, relu off
// its kink) have no truncation error, so a large step only shrinks float rounding
// noise; smooth activations trade truncation (~h^2) against noise (~1/h).
// Powers of two keep x +- h exact for the |x| <= 1 test data.
// Largest relative error (against the largest gradient entry) the checks accept; the
// worst seen is ~5e-5 (float rounding of y over a 2h step), so this leaves 4x.
inline constexpr double kFdTolerance = 2e-4;

inline float fd_step(Activation act) {
  return act == Activation::linear || act == Activation::relu ? 1.0f / 64 : 1.0f / 128;
}

// Pool windows over the 5x7 test input: valid and same, square and not, overlapping
// (stride < pool) and not.
inline constexpr WindowSpec kPoolCases[] = {
    {2, 2, 2, 2, Padding::valid}, {2, 2, 2, 2, Padding::same},  {3, 3, 2, 2, Padding::valid},
    {3, 3, 2, 2, Padding::same},  {3, 3, 1, 1, Padding::same},  {2, 3, 1, 2, Padding::same},
    {3, 2, 2, 1, Padding::valid}, {2, 2, 1, 1, Padding::valid}, {3, 3, 3, 3, Padding::same},
};

// A pool with explicit [top, bottom, left, right] padding, optionally ceil.
struct PaddedPool {
  int64_t kh, kw, sh, sw, top, bottom, left, right;
  bool ceil;
};

inline Window2d padded_window(int64_t n, int64_t h, int64_t w, int64_t c, const PaddedPool& s) {
  const auto axis = [&](int64_t in, int64_t k, int64_t st, int64_t b, int64_t a) {
    return s.ceil ? window_ceil(in, k, st, b, a) : window_explicit(in, k, st, b, a);
  };
  const Window1d y = axis(h, s.kh, s.sh, s.top, s.bottom), x = axis(w, s.kw, s.sw, s.left, s.right);
  return {n, h, w, c, s.kh, s.kw, s.sh, s.sw, s.top, s.left, y.out, x.out};
}

// On 5x7 inputs: symmetric and asymmetric pads, ceil windows that run past the
// padding (5 + 1 + 1 - 2 = 5: ceil(5/2) + 1 = 4 windows, the last one dropped
// because it would start at 6 >= 5 + top); every window holds a real cell.
inline constexpr PaddedPool kPaddedPools[] = {
    {3, 3, 2, 2, 1, 1, 1, 1, false}, {2, 2, 2, 2, 1, 1, 1, 1, true},
    {3, 3, 2, 2, 1, 0, 0, 1, true},  {2, 3, 2, 2, 0, 1, 1, 0, false},
    {3, 2, 3, 2, 1, 1, 0, 0, true},  {2, 2, 1, 1, 1, 1, 1, 1, false},
};
inline constexpr Activation kAllActivations[] = {
    Activation::linear,  Activation::relu,         Activation::sigmoid,   Activation::tanh,
    Activation::softmax, Activation::relu6,        Activation::elu,       Activation::gelu,
    Activation::silu,    Activation::hard_sigmoid, Activation::hard_swish};

// Distance from z to the activation's nearest kink (infinity when it has none):
// finite-difference checks pick data whose pre-activations stay clear of them.
// elu (alpha 1) has a continuous derivative but a jump in the second at 0, which
// costs central differences O(h) there instead of O(h^2): counted as a kink.
inline double kink_distance(Activation act, double z) {
  switch (act) {
    case Activation::relu:
    case Activation::elu: return std::abs(z);
    case Activation::relu6: return std::min(std::abs(z), std::abs(z - 6));
    case Activation::hard_sigmoid:
    case Activation::hard_swish: return std::min(std::abs(z + 3), std::abs(z - 3));
    default: return std::numeric_limits<double>::infinity();
  }
}

// z = act(z) in place over rows of `cols` (softmax acts on each row).
inline void act_naive(std::vector<double>& z, int64_t cols, Activation act) {
  for (size_t r = 0; r < z.size(); r += static_cast<size_t>(cols)) {
    double* row = z.data() + r;
    double mx = -std::numeric_limits<double>::infinity(), sum = 0;
    for (int64_t i = 0; i < cols; ++i) mx = std::max(mx, row[i]);
    for (int64_t i = 0; i < cols; ++i) {
      double& v = row[i];
      switch (act) {
        case Activation::linear: break;
        case Activation::relu: v = std::max(v, 0.0); break;
        case Activation::sigmoid: v = 1.0 / (1.0 + std::exp(-v)); break;
        case Activation::tanh: v = std::tanh(v); break;
        case Activation::softmax:
          v = std::exp(v - mx);
          sum += v;
          break;
        case Activation::relu6: v = std::min(std::max(v, 0.0), 6.0); break;
        case Activation::elu: v = v >= 0 ? v : std::expm1(v); break;
        case Activation::gelu: v = 0.5 * v * std::erfc(-v / std::sqrt(2.0)); break;
        case Activation::silu: v = v / (1.0 + std::exp(-v)); break;
        case Activation::hard_sigmoid: v = std::min(std::max(v + 3, 0.0), 6.0) / 6; break;
        case Activation::hard_swish: v = v * std::min(std::max(v + 3, 0.0), 6.0) / 6; break;
      }
    }
    if (act == Activation::softmax) {
      for (int64_t i = 0; i < cols; ++i) row[i] /= sum;
    }
  }
}

// The pre-activation conv2d output (b may be null), [n, oh, ow, oc].
inline std::vector<double> conv2d_naive_z(const std::vector<float>& x, const std::vector<float>& w,
                                          const float* b, const Window2d& g, int64_t oc) {
  std::vector<double> z(static_cast<size_t>(g.n * g.oh * g.ow * oc));
  size_t i = 0;
  for (int64_t n = 0; n < g.n; ++n)
    for (int64_t oy = 0; oy < g.oh; ++oy)
      for (int64_t ox = 0; ox < g.ow; ++ox)
        for (int64_t o = 0; o < oc; ++o) {
          double s = b != nullptr ? b[o] : 0.0;
          for (int64_t ky = 0; ky < g.kh; ++ky)
            for (int64_t kx = 0; kx < g.kw; ++kx)
              for (int64_t c = 0; c < g.c; ++c) {
                const int64_t iy = oy * g.sh + ky - g.pad_top, ix = ox * g.sw + kx - g.pad_left;
                if (iy < 0 || iy >= g.h || ix < 0 || ix >= g.w) continue;
                s += static_cast<double>(x[((n * g.h + iy) * g.w + ix) * g.c + c]) *
                     w[((ky * g.kw + kx) * g.c + c) * oc + o];
              }
          z[i++] = s;
        }
  return z;
}

// max (is_max) or mean over the real cells of each window, [n, oh, ow, c].
inline std::vector<double> pool_naive(const std::vector<float>& x, const Window2d& g, bool is_max) {
  std::vector<double> y;
  for (int64_t n = 0; n < g.n; ++n)
    for (int64_t oy = 0; oy < g.oh; ++oy)
      for (int64_t ox = 0; ox < g.ow; ++ox)
        for (int64_t c = 0; c < g.c; ++c) {
          double acc = is_max ? -std::numeric_limits<double>::infinity() : 0.0;
          int count = 0;
          for (int64_t ky = 0; ky < g.kh; ++ky)
            for (int64_t kx = 0; kx < g.kw; ++kx) {
              const int64_t iy = oy * g.sh + ky - g.pad_top, ix = ox * g.sw + kx - g.pad_left;
              if (iy < 0 || iy >= g.h || ix < 0 || ix >= g.w) continue;
              const double v = x[((n * g.h + iy) * g.w + ix) * g.c + c];
              acc = is_max ? std::max(acc, v) : acc + v;
              ++count;
            }
          y.push_back(is_max ? acc : acc / count);
        }
  return y;
}

// Distinct values k/32 in a shuffled order: max-pool windows without ties, gaps of
// 1/32 that a finite-difference step of 2^-10 cannot close.
inline std::vector<float> distinct_values(size_t n, uint32_t seed) {
  std::vector<int> k(n);
  std::iota(k.begin(), k.end(), -static_cast<int>(n / 2));
  std::shuffle(k.begin(), k.end(), std::mt19937(seed));
  std::vector<float> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = static_cast<float>(k[i]) / 32.0f;
  return v;
}

inline std::vector<float> plus(const std::vector<float>& a, const std::vector<float>& b) {
  std::vector<float> s(a.size());
  for (size_t i = 0; i < a.size(); ++i) s[i] = a[i] + b[i];
  return s;
}

// The largest of the errors an op's checks saw, for the closing report.
struct MaxError {
  double value = 0;
  void add(double e) { value = std::max(value, e); }
};

}  // namespace modelc::test
