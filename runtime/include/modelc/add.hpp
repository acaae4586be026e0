// add: y = sum of the inputs, all of n floats. Spec: `{op: add, inputs: [a, b]}`.
// With broadcasting (a [C] or [1, 1, C] input against [H, W, C] ones), the
// add_broadcast_* pair, as multiply's: each input is [n, rows, c], or, where
// bcast[i], [n, c] repeated over the rows of its image.
#pragma once

#include <cstdint>
#include <span>

namespace modelc {

void add_forward(float* y, std::span<const float* const> xs, int64_t n);
// Adds dy into every dxs[i] (a null entry is skipped).
void add_backward(std::span<float* const> dxs, const float* dy, int64_t n);

// y ([n, rows, c]) may alias a full input.
void add_broadcast_forward(float* y, std::span<const float* const> xs, std::span<const bool> bcast,
                           int64_t n, int64_t rows, int64_t c);
// A full dx_i adds dy, a broadcast one dy summed over its image's rows (null: skipped).
void add_broadcast_backward(std::span<float* const> dxs, const float* dy,
                            std::span<const bool> bcast, int64_t n, int64_t rows, int64_t c);

}  // namespace modelc
