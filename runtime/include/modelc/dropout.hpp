// Inverted dropout (training only; identity at inference): each element is kept
// with probability 1 - rate and scaled by 1 / (1 - rate). The mask comes from a
// counter-based hash of (seed, index), so it does not depend on thread count.
// Spec: `{op: dropout, rate: 0.5}`.
#pragma once

#include <cstdint>

namespace modelc {

// mask[i] = 1 if element i is kept, else 0. y may equal x.
void dropout_forward(float* y, uint8_t* mask, const float* x, int64_t n, float rate, uint64_t seed);
void dropout_backward(float* dx, const float* dy, const uint8_t* mask, int64_t n, float rate);

}  // namespace modelc
