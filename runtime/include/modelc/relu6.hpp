// relu6, elementwise on n floats: y = min(max(x, 0), 6); dx += dy on [0, 6), else 0.
// Spec: `{op: relu6}` or `activation: relu6` on conv2d/dense.
// The formulas are act::relu6 in runtime/src/kernels/act_formulas.hpp (shared with
// the fused conv2d/dense output pass); the kernels are in
// runtime/src/kernels/table_activations.cpp.
#pragma once

#include <cstdint>

namespace modelc {

// y may equal x (in place).
void relu6_forward(float* y, const float* x, int64_t n);
// From the input x (the right-hand derivative at kinks); dx must not alias dy or x.
void relu6_backward(float* dx, const float* dy, const float* x, int64_t n);

}  // namespace modelc
