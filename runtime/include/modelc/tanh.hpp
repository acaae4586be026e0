// tanh, elementwise on n floats: y = tanh(x); dx += dy * (1 - y^2).
// Spec: `{op: tanh}` or `activation: tanh` on conv2d/dense.
#pragma once

#include <cstdint>

namespace modelc {

// y may equal x (in place).
void tanh_forward(float* y, const float* x, int64_t n);
// From the output y; dx must not alias dy or y.
void tanh_backward(float* dx, const float* dy, const float* y, int64_t n);

}  // namespace modelc
