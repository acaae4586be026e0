// layernorm on the last axis of [rows, c] (rows = batch x all other axes):
// y = gamma * (x - mean) / sqrt(var + eps) + beta with each row's own mean and
// biased variance; no moving statistics, so inference and training agree.
// Spec: `{op: layernorm, epsilon: 1e-6}`.
#pragma once

#include <cstdint>

namespace modelc {

struct LayernormGeom {
  int64_t rows = 0;
  int64_t c = 0;
  float epsilon = 1e-3f;
};

// Batch n: the geometry holds the rows of one image.
constexpr LayernormGeom at(LayernormGeom g, int64_t n) {
  g.rows *= n;
  return g;
}

// y may equal x. Training passes row_mean and row_invstd ([rows] each) to keep
// each row's mean and 1/sqrt(var + eps) for backward; inference passes nullptr.
void layernorm_forward(float* y, float* row_mean, float* row_invstd, const float* x,
                       const float* gamma, const float* beta, const LayernormGeom& g);

// From the input x and the saved statistics; adds into dx, dgamma, dbeta (each
// may be nullptr to skip it). dx must not alias dy or x.
void layernorm_backward(float* dx, float* dgamma, float* dbeta, const float* dy, const float* x,
                        const float* gamma, const float* row_mean, const float* row_invstd,
                        const LayernormGeom& g);

}  // namespace modelc
