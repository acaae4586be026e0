// silu, elementwise on n floats: y = x·sigmoid(x) (Keras swish);
// dx += dy·s·(1 + x·(1 − s)), s = sigmoid(x).
// Spec: `{op: silu}` or `activation: silu` on conv2d/dense.
// The formulas are act::silu in runtime/src/kernels/act_formulas.hpp (shared with
// the fused conv2d/dense output pass); the kernels are in
// runtime/src/kernels/table_activations.cpp.
#pragma once

#include <cstdint>

namespace modelc {

// y may equal x (in place).
void silu_forward(float* y, const float* x, int64_t n);
// From the input x (the right-hand derivative at kinks); dx must not alias dy or x.
void silu_backward(float* dx, const float* dy, const float* x, int64_t n);

}  // namespace modelc
