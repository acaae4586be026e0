// gelu, elementwise on n floats: y = x·Φ(x) with the exact normal CDF (erf, not the
// tanh approximation); dx += dy·(Φ(x) + x·φ(x)).
// Spec: `{op: gelu}` or `activation: gelu` on conv2d/dense.
// The formulas are act::gelu in runtime/src/kernels/act_formulas.hpp (shared with
// the fused conv2d/dense output pass); the kernels are in
// runtime/src/kernels/table_activations.cpp.
#pragma once

#include <cstdint>

namespace modelc {

// y may equal x (in place).
void gelu_forward(float* y, const float* x, int64_t n);
// From the input x (the right-hand derivative at kinks); dx must not alias dy or x.
void gelu_backward(float* dx, const float* dy, const float* x, int64_t n);

}  // namespace modelc
