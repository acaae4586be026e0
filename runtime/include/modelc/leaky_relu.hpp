// leaky_relu, elementwise on n floats: y = x for x >= 0, else alpha * x;
// dx += dy * (x >= 0 ? 1 : alpha). Spec: `{op: leaky_relu, alpha: 0.1}`.
#pragma once

#include <cstdint>

namespace modelc {

// y may equal x (in place).
void leaky_relu_forward(float* y, const float* x, int64_t n, float alpha);
// From the input x; dx must not alias dy or x.
void leaky_relu_backward(float* dx, const float* dy, const float* x, int64_t n, float alpha);

}  // namespace modelc
