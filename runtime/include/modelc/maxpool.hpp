// maxpool, NHWC: y[n,oy,ox,c] = max over the window of x; padded cells (same
// padding) are never chosen. Backward routes dy to the first maximum in the
// window (row-major order). Spec: `{op: maxpool, pool: 3, stride: 2}`.
#pragma once

#include "modelc/geometry.hpp"

namespace modelc {

void maxpool_forward(float* y, const float* x, const Window2d& g);
void maxpool_backward(float* dx, const float* dy, const float* x, const float* y,
                      const Window2d& g);

}  // namespace modelc
