// hard_sigmoid, elementwise on n floats: y = relu6(x + 3) / 6; dx += dy / 6 on [−3, 3), else 0.
// Spec: `{op: hard_sigmoid}` or `activation: hard_sigmoid` on conv2d/dense.
// The formulas are act::hard_sigmoid in runtime/src/kernels/act_formulas.hpp (shared with
// the fused conv2d/dense output pass); the kernels are in
// runtime/src/kernels/table_activations.cpp.
#pragma once

#include <cstdint>

namespace modelc {

// y may equal x (in place).
void hard_sigmoid_forward(float* y, const float* x, int64_t n);
// From the input x (the right-hand derivative at kinks); dx must not alias dy or x.
void hard_sigmoid_backward(float* dx, const float* dy, const float* x, int64_t n);

}  // namespace modelc
