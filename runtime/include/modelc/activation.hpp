// Activations fused into conv2d/dense outputs, and the standalone activation ops.
// All act elementwise except softmax, which acts on the last axis (`cols`).
#pragma once

#include <cstdint>

namespace modelc {

enum class Activation : uint8_t { linear, relu, sigmoid, tanh, softmax };

// y = act(x) over [rows, cols]; y may equal x (in place).
void activation_forward(float* y, const float* x, int64_t rows, int64_t cols, Activation act);

// dx += act'(.) * dy, computed from the activation's output y (every activation
// here has a derivative expressible in y). dx must not alias dy or y.
void activation_backward(float* dx, const float* dy, const float* y, int64_t rows, int64_t cols,
                         Activation act);

}  // namespace modelc
