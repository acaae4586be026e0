// Activations fused into conv2d/dense outputs, and the standalone activation ops.
// All act elementwise except softmax, which acts on the last axis (`cols`).
// The list of activations is modelc/activation.def (how to add one is said there).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace modelc {

// One enumerator per row of modelc/activation.def, in its order. The compiler's
// IR uses this same enum.
enum class Activation : uint8_t {
#define MODELC_ACTIVATION(name) name,
#include "modelc/activation.def"
#undef MODELC_ACTIVATION
};

// The spec's spelling of each activation, indexed by the enum's value.
inline constexpr std::string_view kActivationNames[] = {
#define MODELC_ACTIVATION(name) #name,
#include "modelc/activation.def"
#undef MODELC_ACTIVATION
};
inline constexpr size_t kActivationCount = std::size(kActivationNames);

// y = act(x) over [rows, cols]; y may equal x (in place).
void activation_forward(float* y, const float* x, int64_t rows, int64_t cols, Activation act);

// dx += act'(.) * dy, computed from the activation's output y (every activation
// here has a derivative expressible in y). dx must not alias dy or y.
void activation_backward(float* dx, const float* dy, const float* y, int64_t rows, int64_t cols,
                         Activation act);

}  // namespace modelc
