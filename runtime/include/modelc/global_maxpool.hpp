// global_maxpool: [n, hw, c] -> [n, c], y[n,c] = max over hw of x. Spec:
// `{op: global_maxpool}` (`keepdims: true` only changes the shape, [1, 1, C]).
#pragma once

#include <cstdint>

namespace modelc {

void global_maxpool_forward(float* y, const float* x, int64_t n, int64_t hw, int64_t c);
// From x and the output y: dy is shared equally among the positions where x
// equals the maximum (tied maxima), added into dx.
void global_maxpool_backward(float* dx, const float* dy, const float* x, const float* y, int64_t n,
                             int64_t hw, int64_t c);

}  // namespace modelc
