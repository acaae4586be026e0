// dense on the last axis: y[r, o] = act(b[o] + sum_i x[r, i] * w[i, o]), w in Keras
// layout [in, units]; r runs over the batch and any leading axes.
// Spec: `{op: dense, units: 4096, activation: relu}`.
#pragma once

#include <cstddef>
#include <cstdint>

#include "modelc/activation.hpp"

namespace modelc {

struct DenseGeom {
  int64_t rows = 0;  // batch x leading axes
  int64_t in = 0;
  int64_t out = 0;
};

// Batch n: the geometry holds the rows of one image (generated code states it
// once per image, as constexpr, and calls kernels with at(g, n)).
constexpr DenseGeom at(DenseGeom g, int64_t n) {
  g.rows *= n;
  return g;
}

// Floats of scratch dense_backward needs (rows * out when act != linear, else 0).
size_t dense_backward_scratch(const DenseGeom& g, Activation act);

// b may be null (use_bias: false). pre (may be null, must not alias y): also keep
// the pre-activation z = x w + b there, [rows, out], for dense_backward; training
// passes it when activation_reads_input(act) (gelu, silu, ...: their derivative
// is not a function of y).
void dense_forward(float* y, const float* x, const float* w, const float* b, const DenseGeom& g,
                   Activation act, float* pre = nullptr);

// dy = dL/dy of the post-activation output y; adds into dx (may be null), dw, db (may be null).
// pre: dense_forward's kept pre-activation, required when activation_reads_input(act),
// else unused (may be null).
void dense_backward(float* dx, float* dw, float* db, const float* dy, const float* x,
                    const float* w, const float* y, const DenseGeom& g, Activation act,
                    float* scratch, const float* pre = nullptr);

}  // namespace modelc
