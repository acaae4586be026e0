// batchnorm on the last axis of [rows, c] (rows = batch x all other axes):
// y = gamma * (x - mean) / sqrt(var + eps) + beta. Training uses the biased batch
// statistics and updates moving = momentum * moving + (1 - momentum) * batch.
// Spec: `{op: batchnorm, epsilon: 1.001e-5}`.
#pragma once

#include <cstdint>

namespace modelc {

struct BatchnormGeom {
  int64_t rows = 0;
  int64_t c = 0;
  float epsilon = 1e-3f;
  float momentum = 0.99f;
};

// Batch n: the geometry holds the rows of one image (generated code states it
// once per image, as constexpr, and calls kernels with at(g, n)).
constexpr BatchnormGeom at(BatchnormGeom g, int64_t n) {
  g.rows *= n;
  return g;
}

// Inference: moving statistics. y may equal x.
void batchnorm_forward_inference(float* y, const float* x, const float* gamma, const float* beta,
                                 const float* moving_mean, const float* moving_var,
                                 const BatchnormGeom& g);

// Training: saves the batch mean and 1/sqrt(var + eps) ([c] each) for backward
// and updates the moving statistics. y must not alias x.
void batchnorm_forward_training(float* y, float* batch_mean, float* batch_invstd, const float* x,
                                const float* gamma, const float* beta, float* moving_mean,
                                float* moving_var, const BatchnormGeom& g);

// Full backward through the batch statistics; adds into dx, dgamma, dbeta.
void batchnorm_backward(float* dx, float* dgamma, float* dbeta, const float* dy, const float* x,
                        const float* gamma, const float* batch_mean, const float* batch_invstd,
                        const BatchnormGeom& g);

}  // namespace modelc
