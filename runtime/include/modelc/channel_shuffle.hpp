// channel_shuffle on the last axis of [rows, c]: the c channels viewed as
// [groups, c/groups] and transposed, so output channel i·groups + j is input
// channel j·(c/groups) + i (ShuffleNet). Spec: `{op: channel_shuffle, groups: 3}`.
#pragma once

#include <cstdint>

namespace modelc {

// y must not alias x (a permutation); groups divides c.
void channel_shuffle_forward(float* y, const float* x, int64_t rows, int64_t c, int64_t groups);
// dx += the inverse permutation of dy; dx must not alias dy.
void channel_shuffle_backward(float* dx, const float* dy, int64_t rows, int64_t c, int64_t groups);

}  // namespace modelc
