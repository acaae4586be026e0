// avgpool, NHWC: y = mean of the window's real (unpadded) cells, as Keras does
// for `same` padding. Spec: `{op: avgpool, pool: 5, stride: 3}`.
#pragma once

#include "modelc/geometry.hpp"

namespace modelc {

void avgpool_forward(float* y, const float* x, const Window2d& g);
void avgpool_backward(float* dx, const float* dy, const Window2d& g);

}  // namespace modelc
