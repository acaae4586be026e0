// conv2d_transpose, NHWC: exactly the adjoint (the input gradient) of the conv2d
// whose window is `win`, which maps this op's output [n, win.h, win.w, win.c]
// back to its input [n, win.oh, win.ow, cin]:
//   y[n, oy*sh+ky-pt, ox*sw+kx-pl, f] += x[n, oy, ox, c] * w[ky, kx, f, c]   (then + b[f], act)
// Weights in Keras Conv2DTranspose layout [kh, kw, filters, cin], which is that
// conv2d's kernel [kh, kw, c = filters, oc = cin]. dcol = x * W^T and col2im;
// backward is the conv2d's forward (im2col of dz). Spec:
// `{op: conv2d_transpose, filters: 16, kernel: 3, stride: 2, padding: same}`.
#pragma once

#include <cstddef>
#include <cstdint>

#include "modelc/activation.hpp"
#include "modelc/geometry.hpp"

namespace modelc {

// win: the adjoint conv2d's window (h, w = this op's output size, c = filters;
// oh, ow = this op's input size; pads as that conv2d's); cin = input channels.
struct Conv2dTransposeGeom {
  Window2d win;
  int64_t cin = 0;
};

// Batch n (generated code states the geometry once per image, as constexpr,
// and calls kernels with at(g, n)).
constexpr Conv2dTransposeGeom at(Conv2dTransposeGeom g, int64_t n) {
  g.win.n = n;
  return g;
}

// Floats of scratch conv2d_transpose_forward needs (the column matrix
// [n*oh*ow, kh*kw*filters]).
size_t conv2d_transpose_forward_scratch(const Conv2dTransposeGeom& g);
// Floats of scratch conv2d_transpose_backward needs (im2col of dz, plus dz when
// act != linear).
size_t conv2d_transpose_backward_scratch(const Conv2dTransposeGeom& g, Activation act);

// y = act(conv2d_transpose(x, w) + b). b may be null (use_bias: false). x is
// [n, win.oh, win.ow, cin], y is [n, win.h, win.w, win.c]; y must not alias x.
// pre (may be null, must not alias y): also keep the pre-activation z there, y's
// size, for the backward; training passes it when activation_reads_input(act).
void conv2d_transpose_forward(float* y, const float* x, const float* w, const float* b,
                              const Conv2dTransposeGeom& g, Activation act, float* scratch,
                              float* pre = nullptr);

// Given dy = dL/dy (of the post-activation output y), adds into dx (may be
// null: input gradient not needed), dw and db (null without bias). Reads x, w,
// y (for output-derivative activations) or pre (for input-derivative ones:
// required then, else may be null). dy must not alias any output.
void conv2d_transpose_backward(float* dx, float* dw, float* db, const float* dy, const float* x,
                               const float* w, const float* y, const Conv2dTransposeGeom& g,
                               Activation act, float* scratch, const float* pre = nullptr);

}  // namespace modelc
