// elu, elementwise on n floats: y = x for x >= 0, else alpha·(exp(x) − 1);
// dx += dy for x >= 0, else dy·alpha·exp(x). Spec: `{op: elu, alpha: 0.5}` (alpha
// 1.0 by default) or `activation: elu` on conv2d/dense (alpha 1.0).
// The formulas are act::elu in runtime/src/kernels/act_formulas.hpp (shared with
// the fused conv2d/dense output pass); the kernels are in
// runtime/src/kernels/table_activations.cpp.
#pragma once

#include <cstdint>

namespace modelc {

// y may equal x (in place).
void elu_forward(float* y, const float* x, int64_t n, float alpha);
// From the input x (the right-hand derivative, 1, at 0); dx must not alias dy or x.
void elu_backward(float* dx, const float* dy, const float* x, int64_t n, float alpha);

}  // namespace modelc
