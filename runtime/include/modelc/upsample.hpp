// upsample, NHWC: [n, h, w, c] -> [n, h·sh, w·sw, c] by integer factors.
// Nearest: y[i, j] = x[i / sh, j / sw]; backward sums each sh x sw block.
// Bilinear: half-pixel centres, source (i + 0.5) / s − 0.5 clamped to
// [0, h − 1], two taps per axis, no antialiasing (PyTorch
// interpolate(mode='bilinear', align_corners=False)); backward scatters dy
// with the same weights. Spec: `{op: upsample, size: 2, interpolation: bilinear}`.
#pragma once

#include <cstdint>

namespace modelc {

struct UpsampleGeom {
  int64_t n = 0, h = 0, w = 0, c = 0;  // the input
  int64_t sh = 2, sw = 2;              // factors
};

// Batch n (generated code states the geometry once per image, as constexpr,
// and calls kernels with at(g, n)).
constexpr UpsampleGeom at(UpsampleGeom g, int64_t n) {
  g.n = n;
  return g;
}

// y must not alias x. Backward adds into dx (which must not alias dy) and
// reads dy only.
void upsample_nearest_forward(float* y, const float* x, const UpsampleGeom& g);
void upsample_nearest_backward(float* dx, const float* dy, const UpsampleGeom& g);
void upsample_bilinear_forward(float* y, const float* x, const UpsampleGeom& g);
void upsample_bilinear_backward(float* dx, const float* dy, const UpsampleGeom& g);

}  // namespace modelc
