// Softmax cross-entropy from logits: loss_r = logsumexp(x_r) - x_r[label_r] with
// logsumexp = max + log sum exp(x - max) (no overflow for any finite logits);
// dlogits += weight * (softmax - onehot) / rows. MSE and binary cross-entropy
// (on logits) over every element. L2: lambda * sum w^2, dw += 2 lambda w.
#include "modelc/loss.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include "modelc/error.hpp"

namespace modelc {

float softmax_cross_entropy(float* dlogits, float* probs, const float* logits,
                            const int32_t* labels, int64_t rows, int64_t classes, float weight) {
  // Check every label before touching any output.
  for (int64_t r = 0; r < rows; ++r) {
    if (labels[r] < 0 || labels[r] >= classes) {
      throw Error("softmax_cross_entropy: label " + std::to_string(labels[r]) + " at row " +
                  std::to_string(r) + " is outside the valid range [0, " + std::to_string(classes) +
                  ")");
    }
  }
  if (rows <= 0) return 0.0f;
  const double g = static_cast<double>(weight) / static_cast<double>(rows);
  double total = 0.0;
  for (int64_t r = 0; r < rows; ++r) {
    const float* xr = logits + r * classes;
    float m = xr[0];
    for (int64_t j = 1; j < classes; ++j) m = xr[j] > m ? xr[j] : m;
    double sum = 0.0;
    for (int64_t j = 0; j < classes; ++j) sum += std::exp(static_cast<double>(xr[j]) - m);
    const double lse = m + std::log(sum);
    const int32_t label = labels[r];
    total += lse - xr[label];
    if (!probs && !dlogits) continue;
    // Read x before writing: probs may alias logits.
    for (int64_t j = 0; j < classes; ++j) {
      const double p = std::exp(static_cast<double>(xr[j]) - lse);
      if (dlogits)
        dlogits[r * classes + j] += static_cast<float>(g * (p - (j == label ? 1.0 : 0.0)));
      if (probs) probs[r * classes + j] = static_cast<float>(p);
    }
  }
  return static_cast<float>(weight * total / static_cast<double>(rows));
}

float mean_squared_error(float* dy, const float* y, const float* t, int64_t n, float weight) {
  if (n <= 0) return 0.0f;
  const double g = 2.0 * static_cast<double>(weight) / static_cast<double>(n);
  double total = 0.0;
  for (int64_t i = 0; i < n; ++i) {
    const double d = static_cast<double>(y[i]) - t[i];
    total += d * d;
    if (dy) dy[i] += static_cast<float>(g * d);
  }
  return static_cast<float>(weight * total / static_cast<double>(n));
}

float sigmoid_binary_cross_entropy(float* dz, float* probs, const float* z, const float* t,
                                   int64_t n, float weight) {
  for (int64_t i = 0; i < n; ++i)
    if (!(t[i] >= 0.0f && t[i] <= 1.0f))
      throw Error("binary_crossentropy: target " + std::to_string(t[i]) + " at element " +
                  std::to_string(i) + " is outside [0, 1]");
  if (n <= 0) return 0.0f;
  const double g = static_cast<double>(weight) / static_cast<double>(n);
  double total = 0.0;
  for (int64_t i = 0; i < n; ++i) {
    const double x = z[i], e = std::exp(-std::abs(x));
    total += std::max(x, 0.0) - x * t[i] + std::log1p(e);
    const double p = x >= 0 ? 1.0 / (1.0 + e) : e / (1.0 + e);
    if (dz) dz[i] += static_cast<float>(g * (p - t[i]));
    if (probs) probs[i] = static_cast<float>(p);  // after reading z[i]: probs may alias z
  }
  return static_cast<float>(weight * total / static_cast<double>(n));
}

float l2_penalty(float* dw, const float* w, int64_t n, float lambda) {
  double sum = 0.0;
  for (int64_t i = 0; i < n; ++i) sum += static_cast<double>(w[i]) * w[i];
  if (dw) {
    const float k = 2.0f * lambda;
    for (int64_t i = 0; i < n; ++i) dw[i] += k * w[i];
  }
  return static_cast<float>(lambda * sum);
}

}  // namespace modelc
