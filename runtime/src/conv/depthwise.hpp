// The depthwise kernel itself, shared by depthwise_conv2d and conv2d with
// groups = C (whose prepared weights keep conv2d's layout).
#pragma once

#include "modelc/depthwise_conv2d.hpp"

namespace modelc::detail {

// z = depthwise(x, w) + shift (shift may be null), then per output row
// y = act(z [+ residual]) (residual may be null); `keep` (may be null) gets z and
// y = act(z) is written out of place (training's kept pre-activation).
void depthwise_run(float* y, const float* x, const float* w, const float* shift,
                   const float* residual, const DepthwiseGeom& g, Activation act, float* keep);

}  // namespace modelc::detail
