// hard_swish, elementwise on n floats: y = x·hard_sigmoid(x); dx += dy·(2x + 3) / 6
// on [−3, 3), dy above, 0 below.
// Spec: `{op: hard_swish}` or `activation: hard_swish` on conv2d/dense.
// The formulas are act::hard_swish in runtime/src/kernels/act_formulas.hpp (shared with
// the fused conv2d/dense output pass); the kernels are in
// runtime/src/kernels/table_activations.cpp.
#pragma once

#include <cstdint>

namespace modelc {

// y may equal x (in place).
void hard_swish_forward(float* y, const float* x, int64_t n);
// From the input x (the right-hand derivative at kinks); dx must not alias dy or x.
void hard_swish_backward(float* dx, const float* dy, const float* x, int64_t n);

}  // namespace modelc
