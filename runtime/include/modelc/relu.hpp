// relu, elementwise on n floats: y = max(x, 0); dx += dy * (y > 0).
// Spec: `{op: relu}` or `activation: relu` on conv2d/dense.
#pragma once

#include <cstdint>

namespace modelc {

// y may equal x (in place).
void relu_forward(float* y, const float* x, int64_t n);
// From the output y; dx must not alias dy or y.
void relu_backward(float* dx, const float* dy, const float* y, int64_t n);

}  // namespace modelc
