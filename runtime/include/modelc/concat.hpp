// concat on channels: inputs [rows, c_i] -> y [rows, sum c_i], in input order.
// Spec: `{op: concat, inputs: [b1, b2, b3, b4]}`.
#pragma once

#include <cstdint>
#include <span>

namespace modelc {

void concat_forward(float* y, std::span<const float* const> xs, std::span<const int64_t> cs,
                    int64_t rows);
// Adds channel slice i of dy into dxs[i] (a null entry is skipped).
void concat_backward(std::span<float* const> dxs, const float* dy, std::span<const int64_t> cs,
                     int64_t rows);

}  // namespace modelc
