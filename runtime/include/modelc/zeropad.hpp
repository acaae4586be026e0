// zeropad, NHWC: [n, h, w, c] -> [n, top+h+bottom, left+w+right, c] with zeros
// around. Backward crops. Spec: `{op: zeropad, padding: 3}`.
#pragma once

#include <cstdint>

namespace modelc {

struct ZeropadGeom {
  int64_t n = 0, h = 0, w = 0, c = 0;
  int64_t top = 0, bottom = 0, left = 0, right = 0;
};

// Batch n (generated code states the geometry once per image, as constexpr,
// and calls kernels with at(g, n)).
constexpr ZeropadGeom at(ZeropadGeom g, int64_t n) {
  g.n = n;
  return g;
}

void zeropad_forward(float* y, const float* x, const ZeropadGeom& g);
void zeropad_backward(float* dx, const float* dy, const ZeropadGeom& g);

}  // namespace modelc
