// softmax on the last axis of [rows, cols]: y = exp(x - max) / sum exp(x - max);
// dx += y * (dy - sum(dy * y)) per row. Spec: `{op: softmax}` or `activation: softmax`.
#pragma once

#include <cstdint>

namespace modelc {

// y may equal x (in place).
void softmax_forward(float* y, const float* x, int64_t rows, int64_t cols);
// From the output y; dx must not alias dy or y.
void softmax_backward(float* dx, const float* dy, const float* y, int64_t rows, int64_t cols);

}  // namespace modelc
