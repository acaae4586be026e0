// sigmoid, elementwise on n floats: y = 1 / (1 + exp(-x)); dx += dy * y * (1 - y).
// Spec: `{op: sigmoid}` or `activation: sigmoid` on conv2d/dense.
#pragma once

#include <cstdint>

namespace modelc {

// y may equal x (in place).
void sigmoid_forward(float* y, const float* x, int64_t n);
// From the output y; dx must not alias dy or y.
void sigmoid_backward(float* dx, const float* dy, const float* y, int64_t n);

}  // namespace modelc
