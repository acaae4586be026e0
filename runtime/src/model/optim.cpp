// SGD (Keras/Caffe form): v = momentum * v - lr * (g + wd * w); w += v.
// Adam in Keras's (and Kingma & Ba's "efficient") form:
//   m += (1 - b1)(g - m); v += (1 - b2)(g^2 - v);
//   w -= lr * sqrt(1 - b2^t) / (1 - b1^t) * m / (sqrt(v) + eps),
// preceded by the decoupled decay w -= lr * wd * w when wd != 0 (AdamW, as Keras 3).
#include "modelc/optim.hpp"

#include <cmath>
#include <string>

#include "modelc/error.hpp"

namespace modelc {

void sgd_step(float* w, float* velocity, const float* grad, int64_t n, const SgdOptions& o) {
  const float lr = o.lr, mu = o.momentum, wd = o.weight_decay;
  if (velocity == nullptr) {  // allowed without momentum: plain SGD
    if (mu != 0.0f)
      throw Error("sgd_step: momentum " + std::to_string(mu) + " needs a velocity buffer");
#pragma omp parallel for simd if (n > (int64_t{1} << 16)) schedule(static)
    for (int64_t i = 0; i < n; ++i) w[i] -= lr * (grad[i] + wd * w[i]);
    return;
  }
#pragma omp parallel for simd if (n > (int64_t{1} << 16)) schedule(static)
  for (int64_t i = 0; i < n; ++i) {
    velocity[i] = mu * velocity[i] - lr * (grad[i] + wd * w[i]);
    w[i] += velocity[i];
  }
}

void adam_step(float* w, float* m, float* v, const float* grad, int64_t n, int64_t t,
               const AdamOptions& o) {
  if (t < 1) throw Error("adam_step: the step count t is 1-based, got " + std::to_string(t));
  const double td = static_cast<double>(t);
  const double c1 = 1.0 - std::pow(static_cast<double>(o.beta1), td);
  const double c2 = 1.0 - std::pow(static_cast<double>(o.beta2), td);
  const float alpha = static_cast<float>(o.lr * std::sqrt(c2) / c1);
  const float decay = o.lr * o.weight_decay;
  const float k1 = 1.0f - o.beta1, k2 = 1.0f - o.beta2, eps = o.epsilon;
#pragma omp parallel for simd if (n > (int64_t{1} << 15)) schedule(static)
  for (int64_t i = 0; i < n; ++i) {
    const float g = grad[i];
    m[i] += k1 * (g - m[i]);
    v[i] += k2 * (g * g - v[i]);
    w[i] -= decay * w[i] + alpha * m[i] / (std::sqrt(v[i]) + eps);
  }
}

}  // namespace modelc
