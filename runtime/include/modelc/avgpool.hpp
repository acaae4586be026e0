// avgpool, NHWC: y = the window's sum divided by its real (unpadded) cells, as
// Keras does for `same` padding; with count_padding, by the window clipped to
// the padded input [-pad_top, h + pad_bottom) x [-pad_left, w + pad_right)
// (PyTorch's count_include_pad). Spec: `{op: avgpool, pool: 5, stride: 3}`.
#pragma once

#include "modelc/geometry.hpp"

namespace modelc {

struct AvgpoolGeom {
  Window2d win;
  bool count_padding = false;
  int64_t pad_bottom = 0, pad_right = 0;  // as given (count_padding only)
};

// Batch n (generated code states the geometry once per image, as constexpr,
// and calls kernels with at(g, n)).
constexpr AvgpoolGeom at(AvgpoolGeom g, int64_t n) {
  g.win.n = n;
  return g;
}

void avgpool_forward(float* y, const float* x, const AvgpoolGeom& g);
void avgpool_backward(float* dx, const float* dy, const AvgpoolGeom& g);

}  // namespace modelc
