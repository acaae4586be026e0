// Local response normalisation across channels (Caffe/PyTorch), on [rows, c]:
// y = x / s^beta, s = bias + alpha/size * sum_{j=c-size/2}^{c+(size-1)/2} x_j^2,
// channels past the edge count as zero. Spec: `{op: lrn, size: 5, bias: 2}`.
#pragma once

#include <cstdint>

namespace modelc {

struct LrnGeom {
  int64_t rows = 0;
  int64_t c = 0;
  int64_t size = 5;
  float alpha = 1e-4f;
  float beta = 0.75f;
  float bias = 1.0f;
};

// Batch n: the geometry holds the rows of one image (generated code states it
// once per image, as constexpr, and calls kernels with at(g, n)).
constexpr LrnGeom at(LrnGeom g, int64_t n) {
  g.rows *= n;
  return g;
}

// scale (rows*c floats) receives s for backward; it may be null at inference.
void lrn_forward(float* y, float* scale, const float* x, const LrnGeom& g);
// Adds into dx.
void lrn_backward(float* dx, const float* dy, const float* x, const float* y, const float* scale,
                  const LrnGeom& g);

}  // namespace modelc
