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
#define MODELC_ACTIVATION(name, reads) name,
#include "modelc/activation.def"
#undef MODELC_ACTIVATION
};

// The spec's spelling of each activation, indexed by the enum's value.
inline constexpr std::string_view kActivationNames[] = {
#define MODELC_ACTIVATION(name, reads) #name,
#include "modelc/activation.def"
#undef MODELC_ACTIVATION
};
inline constexpr size_t kActivationCount = std::size(kActivationNames);

// The `reads` column: true when the backward is written in the input x (the
// pre-activation) rather than the output y. conv2d/dense training then keeps
// their pre-activation (the `pre` arguments of their kernels).
inline constexpr bool kActivationReadsInput[] = {
#define MODELC_ACTIVATION(name, reads) std::string_view(#reads) == "input",
#include "modelc/activation.def"
#undef MODELC_ACTIVATION
};
constexpr bool activation_reads_input(Activation a) {
  return kActivationReadsInput[static_cast<size_t>(a)];
}

// y = act(x) over [rows, cols]; y may equal x (in place).
void activation_forward(float* y, const float* x, int64_t rows, int64_t cols, Activation act);

// dx += act'(.) * dy, from the output y or the input x as the row's `reads`
// says (activation_reads_input); the other pointer may be null. dx must not alias
// dy, x or y.
void activation_backward(float* dx, const float* dy, const float* x, const float* y, int64_t rows,
                         int64_t cols, Activation act);

}  // namespace modelc
