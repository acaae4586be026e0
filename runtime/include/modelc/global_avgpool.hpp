// global_avgpool: [n, hw, c] -> [n, c], y[n,c] = mean over hw of x.
// Spec: `{op: global_avgpool}`.
#pragma once

#include <cstdint>

namespace modelc {

void global_avgpool_forward(float* y, const float* x, int64_t n, int64_t hw, int64_t c);
void global_avgpool_backward(float* dx, const float* dy, int64_t n, int64_t hw, int64_t c);

}  // namespace modelc
