// multiply: y = x1 · x2 · ... element-wise, with broadcasting: each input is
// [n, rows, c], or, where bcast[i], [n, c] repeated over the rows of its image
// (a [C] or [1, 1, C] input against [H, W, C], rows = H·W: squeeze-and-
// excitation). Spec: `{op: multiply, inputs: [features, gate]}`.
#pragma once

#include <cstdint>
#include <span>

namespace modelc {

// y ([n, rows, c]) may alias a full input.
void multiply_forward(float* y, std::span<const float* const> xs, std::span<const bool> bcast,
                      int64_t n, int64_t rows, int64_t c);
// dx_i += dy · (the product of the other inputs), summed over the rows for a
// broadcast input; from the inputs xs, not y (an input may be 0). A null
// entry of dxs is skipped; no dx may alias dy or an input.
void multiply_backward(std::span<float* const> dxs, const float* dy,
                       std::span<const float* const> xs, std::span<const bool> bcast, int64_t n,
                       int64_t rows, int64_t c);

}  // namespace modelc
