// The formulas of the elementwise activations, one struct per row of
// modelc/activation.def (same name): forward(x) is y = f(x), backward(dy, v) is
// dy * f'(x) written in terms of v, the output y (kReadsInput false: the backward
// needs only y) or the input x (kReadsInput true, the row's `reads: input`). The
// standalone kernels (kernels/{relu,sigmoid,tanh,activation}.cpp) and the fused
// output pass of conv2d/dense (conv/fused_act.cpp) both evaluate these, so the two
// paths give the same bits on the same input. Softmax is row-wise and has no
// element formula: kernels/softmax.cpp and conv/fused_act.cpp (softmax_rows).
#pragma once

#include <bit>
#include <cmath>
#include <cstdint>
#include <type_traits>

namespace modelc::detail::act {

struct linear {
  static constexpr bool kReadsInput = false;
  static float forward(float x) { return x; }
  static float backward(float dy, float /*y*/) { return dy; }
};

// max(x, 0) written as a compare so that -0 and NaN give +0, as the AVX-512
// epilogue of the conv GEMMs (_mm512_max_ps(z, 0)) does.
struct relu {
  static constexpr bool kReadsInput = false;
  static float forward(float x) { return x > 0.0f ? x : 0.0f; }
  static float backward(float dy, float y) { return y > 0.0f ? dy : 0.0f; }
};

// e^t for t <= 0 (or NaN), within about 1 ulp, subnormal results included. Plain
// arithmetic and bit operations only, so that loops over it vectorise: the
// library expf is a call the compiler cannot vectorise without -ffast-math, and
// the fused output pass runs after every conv. Cephes' expf: t = n ln2 + r with
// |r| <= ln2/2, e^r by a degree-7 polynomial, times 2^n.
inline float exp_nonpositive(float t) {
  t = t < -104.0f ? -104.0f : t;  // e^-104 rounds to 0; NaN passes through
  // n = round(t / ln2) by adding 1.5 * 2^23: n lands in the low bits of `shifted`.
  constexpr float kShifter = 12582912.0f;
  const float shifted = t * 1.44269504088896341f + kShifter;
  const float nf = shifted - kShifter;
  const uint32_t n = std::bit_cast<uint32_t>(shifted) - std::bit_cast<uint32_t>(kShifter);
  const float r = (t - nf * 0.693359375f) + nf * 2.12194440e-4f;  // ln2 in two parts
  float p = 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  p = p * r * r + r + 1.0f;
  // Times 2^n as two normal powers of two (n goes down to -150): the second
  // product rounds once into the subnormals.
  const uint32_t n1 = static_cast<uint32_t>(static_cast<int32_t>(n) >> 1), n2 = n - n1;
  return p * std::bit_cast<float>((n1 + 127u) << 23) * std::bit_cast<float>((n2 + 127u) << 23);
}

// 1 / (1 + e^-x) for x >= 0 and e^x / (1 + e^x) for x < 0, both as num / (1 + e)
// with e = e^-|x| <= 1: nothing overflows, and for x < 0 small outputs keep their
// relative precision (1 - 1/(1 + e^-x) would lose them; sigmoid(-90) is e^-90, not
// 0). Within about 2 ulp.
struct sigmoid {
  static constexpr bool kReadsInput = false;
  static float forward(float x) {
    const float e = exp_nonpositive(-std::fabs(x));
    return (x >= 0.0f ? 1.0f : e) / (1.0f + e);
  }
  static float backward(float dy, float y) { return dy * y * (1.0f - y); }
};

// Cephes' tanhf, within about 2 ulp and vectorisable like exp_nonpositive: an odd
// polynomial for |x| < 0.625 (no cancellation near 0), else (1 - e) / (1 + e)
// with e = e^-2|x| (no overflow; exactly 1 where tanh rounds to 1); the sign
// from x, so tanh(-0) = -0.
struct tanh {
  static constexpr bool kReadsInput = false;
  static float forward(float x) {
    const float a = std::fabs(x), z = x * x;
    float p = -5.70498872745e-3f;
    p = p * z + 2.06390887954e-2f;
    p = p * z - 5.37397155531e-2f;
    p = p * z + 1.33314422036e-1f;
    p = p * z - 3.33332819422e-1f;
    const float e = exp_nonpositive(-2.0f * a);
    return std::copysign(a < 0.625f ? a + a * z * p : (1.0f - e) / (1.0f + e), x);
  }
  static float backward(float dy, float y) { return dy * (1.0f - y * y); }
};

// Row-wise: see the header comment.
struct softmax {
  static constexpr bool kReadsInput = false;
};

// --- The v2 functions (SPEC_FORMAT "v2 ops"). All read x: at their kinks the
// derivative is the right-hand value, which the output cannot tell (relu6's y = 0
// is x <= 0), and gelu/silu/hard_swish/elu are not invertible from y.

// e^t - 1 for t <= 0 (or NaN), without the cancellation of e^t - 1 near 0: for
// |t| <= ln2/2 the polynomial of exp_nonpositive with n = 0, r + r^2 P(r); below,
// e^t <= 0.71 and e^t - 1 loses at most two bits. Within about 3 ulp.
inline float expm1_nonpositive(float t) {
  float p = 1.9875691500e-4f;
  p = p * t + 1.3981999507e-3f;
  p = p * t + 8.3334519073e-3f;
  p = p * t + 4.1665795894e-2f;
  p = p * t + 1.6666665459e-1f;
  p = p * t + 5.0000001201e-1f;
  const float near0 = p * t * t + t;
  return t >= -0.34657359f ? near0 : exp_nonpositive(t) - 1.0f;
}

// min(max(x, 0), 6), NaN to 0 as relu; derivative 1 on [0, 6), else 0.
struct relu6 {
  static constexpr bool kReadsInput = true;
  static float forward(float x) { return x > 0.0f ? (x < 6.0f ? x : 6.0f) : 0.0f; }
  static float backward(float dy, float x) { return x >= 0.0f && x < 6.0f ? dy : 0.0f; }
};

// x for x >= 0, else alpha (e^x - 1); derivative 1 for x >= 0, else alpha e^x.
// The table's row (`activation: elu`) is alpha 1; the standalone op passes its own.
struct elu {
  static constexpr bool kReadsInput = true;
  static float forward(float x, float alpha) {
    return x >= 0.0f ? x : alpha * expm1_nonpositive(x);
  }
  static float backward(float dy, float x, float alpha) {
    return x >= 0.0f ? dy : dy * (alpha * exp_nonpositive(x));
  }
  static float forward(float x) { return forward(x, 1.0f); }
  static float backward(float dy, float x) { return backward(dy, x, 1.0f); }
};

// x Phi(x) with the exact normal CDF, Phi(x) = erfc(-x / sqrt2) / 2: erfc keeps
// the relative precision of the small values for x < 0, where 1 + erf(..)
// cancels. The argument in double, so that rounding x / sqrt2 does not cost
// digits where erfc is steep (x << 0). erfc is the library's (not vectorised);
// derivative Phi(x) + x phi(x), phi(x) = e^(-x^2/2) / sqrt(2 pi).
struct gelu {
  static constexpr bool kReadsInput = true;
  static float cdf(float x) {
    return static_cast<float>(0.5 * std::erfc(static_cast<double>(x) * -0.70710678118654752));
  }
  static float forward(float x) { return x * cdf(x); }
  static float backward(float dy, float x) {
    const float pdf = 0.398942280401432678f * exp_nonpositive(-0.5f * x * x);
    return dy * (cdf(x) + x * pdf);
  }
};

// x sigmoid(x); derivative s + x s (1 - s) = s (1 + x (1 - s)), with 1 - s =
// sigmoid(-x) from the same e = e^-|x| (1 - s itself would cancel for x >> 0).
struct silu {
  static constexpr bool kReadsInput = true;
  static float forward(float x) { return x * sigmoid::forward(x); }
  static float backward(float dy, float x) {
    const float e = exp_nonpositive(-std::fabs(x)), d = 1.0f + e;
    const float s = (x >= 0.0f ? 1.0f : e) / d, one_minus_s = (x >= 0.0f ? e : 1.0f) / d;
    return dy * (s * (1.0f + x * one_minus_s));
  }
};

// relu6(x + 3) / 6 (Keras 3 and PyTorch, not ONNX's 0.2x + 0.5). The kinks are
// tested on t = x + 3, rounded as the forward rounds it: derivative 1/6 for t in
// [0, 6), else 0.
struct hard_sigmoid {
  static constexpr bool kReadsInput = true;
  static float forward(float x) { return relu6::forward(x + 3.0f) / 6.0f; }
  static float backward(float dy, float x) {
    const float t = x + 3.0f;
    return t >= 0.0f && t < 6.0f ? dy / 6.0f : 0.0f;
  }
};

// x hard_sigmoid(x); derivative 0 for t = x + 3 < 0, (2x + 3) / 6 for t in [0, 6),
// 1 above (right-hand values at t = 0 and 6: -1/2 and 1).
struct hard_swish {
  static constexpr bool kReadsInput = true;
  static float forward(float x) { return x * hard_sigmoid::forward(x); }
  static float backward(float dy, float x) {
    const float t = x + 3.0f;
    return t < 0.0f ? 0.0f : t < 6.0f ? dy * ((x + t) / 6.0f) : dy;
  }
};

template <class A>
inline constexpr bool kElementwise = !std::is_same_v<A, softmax>;

// Below these sizes the standalone loops stay on one thread (forward calls exp or
// tanh per element, so it pays to split it earlier than the backward).
inline constexpr int64_t kForwardParallelMin = int64_t{1} << 15;
inline constexpr int64_t kBackwardParallelMin = int64_t{1} << 16;

// y[i] = A::forward(x[i]); y may equal x.
template <class A>
void map_forward(float* y, const float* x, int64_t n) {
#pragma omp parallel for simd if (n > kForwardParallelMin) schedule(static)
  for (int64_t i = 0; i < n; ++i) y[i] = A::forward(x[i]);
}

// dx[i] += A::backward(dy[i], v[i]), v the output y or the input x as
// A::kReadsInput says; dx must not alias dy or v.
template <class A>
void map_backward_add(float* dx, const float* dy, const float* v, int64_t n) {
#pragma omp parallel for simd if (n > kBackwardParallelMin) schedule(static)
  for (int64_t i = 0; i < n; ++i) dx[i] += A::backward(dy[i], v[i]);
}

}  // namespace modelc::detail::act
