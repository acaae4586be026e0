// Optimisers, applied per parameter tensor (or on one contiguous buffer).
// SGD: v = momentum * v - lr * (g + weight_decay * w); w += v   (Keras/Caffe form)
// Adam: Kingma & Ba with bias correction; decoupled weight decay (AdamW) when set.
#pragma once

#include <cstdint>

namespace modelc {

struct SgdOptions {
  float lr = 0.01f;
  float momentum = 0.0f;
  float weight_decay = 0.0f;
};

struct AdamOptions {
  float lr = 0.001f;
  float beta1 = 0.9f;
  float beta2 = 0.999f;
  float epsilon = 1e-7f;  // Keras's default
  float weight_decay = 0.0f;
};

// velocity holds n floats, zero before the first step.
void sgd_step(float* w, float* velocity, const float* grad, int64_t n, const SgdOptions& o);

// m, v hold n floats each, zero before the first step; t is the 1-based step count.
void adam_step(float* w, float* m, float* v, const float* grad, int64_t n, int64_t t,
               const AdamOptions& o);

}  // namespace modelc
