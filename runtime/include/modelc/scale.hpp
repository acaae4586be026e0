// scale on the last axis of [rows, c]: y = x * gamma[c], a learned per-channel
// factor (ConvNeXt's layer scale). Spec: `{op: scale, init: 1e-6}`.
#pragma once

#include <cstdint>

namespace modelc {

// y may equal x (in place).
void scale_forward(float* y, const float* x, const float* gamma, int64_t rows, int64_t c);
// From the input x: dx += dy * gamma, dgamma += sum over rows of dy * x. dx or
// dgamma may be nullptr to skip it; dx must not alias dy or x.
void scale_backward(float* dx, float* dgamma, const float* dy, const float* x, const float* gamma,
                    int64_t rows, int64_t c);

}  // namespace modelc
