// add: y = sum of the inputs, all of n floats. Spec: `{op: add, inputs: [a, b]}`.
#pragma once

#include <cstdint>
#include <span>

namespace modelc {

void add_forward(float* y, std::span<const float* const> xs, int64_t n);
// Adds dy into every dxs[i] (a null entry is skipped).
void add_backward(std::span<float* const> dxs, const float* dy, int64_t n);

}  // namespace modelc
