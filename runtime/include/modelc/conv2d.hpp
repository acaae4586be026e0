// conv2d, NHWC: y[n,oy,ox,o] = act(b[o] + sum_{ky,kx,c} x[n, oy*sh+ky*dh-pt, ox*sw+kx*dw-pl, c] *
// w[ky,kx,c,o]) Weights in Keras layout [kh, kw, cin/groups, cout] (c over o's group). im2col +
// GEMM; a 1x1 stride-1 unpadded conv is a plain GEMM on the activations. Spec: `{op: conv2d,
// filters: 64, kernel: 3}`.
#pragma once

#include <cstddef>

#include "modelc/activation.hpp"
#include "modelc/conv2d_layout.hpp"
#include "modelc/geometry.hpp"

namespace modelc {

// Window2d with c = input channels (and the dilation); plus the output channel
// count and the groups: output channel o reads input channels
// [(o / (oc/groups)) * (c/groups), +c/groups), kernel [kh, kw, c/groups, oc].
struct Conv2dGeom {
  Window2d win;
  int64_t oc = 0;
  int64_t groups = 1;
};

// Batch n (generated code states the geometry once per image, as constexpr,
// and calls kernels with at(g, n)).
constexpr Conv2dGeom at(Conv2dGeom g, int64_t n) {
  g.win.n = n;
  return g;
}

// Floats of scratch conv2d_forward needs (the kernel packed per call, im2col
// where the input is not read in place).
size_t conv2d_forward_scratch(const Conv2dGeom& g);
// Floats of scratch conv2d_forward_prepared needs (im2col only, where needed).
size_t conv2d_inference_scratch(const Conv2dGeom& g);
// Floats of scratch conv2d_backward needs (im2col/col2im matrix + dz when act != linear).
size_t conv2d_backward_scratch(const Conv2dGeom& g, Activation act);

// y = act(conv(x, w) + b). b may be null (use_bias: false). x is [n, h, w, c],
// y is [n, oh, ow, oc]. scratch holds conv2d_forward_scratch(g) floats. pre (may be
// null, must not alias y): also keep the pre-activation z = conv(x, w) + b there,
// y's size, for conv2d_backward; training passes it when activation_reads_input(act)
// (gelu, silu, ...: their derivative is not a function of y).
void conv2d_forward(float* y, const float* x, const float* w, const float* b, const Conv2dGeom& g,
                    Activation act, float* scratch, float* pre = nullptr);

// Inference on prepared weights. conv2d_prepare packs the kernel once into the
// layout the GEMM reads and folds the bias and an optional batchnorm that
// follows the conv into a per-channel scale and shift:
//   y = act((conv(x, w) * scale + shift) + residual),  scale = gamma / sqrt(var + eps),
//   shift = (b - mean) * scale + beta   (scale = 1, shift = b without batchnorm).
// The generated code calls conv2d_prepare from Model::prepare() whenever the
// weights changed, and conv2d_forward_prepared in forward().
struct BatchnormFold {
  const float* gamma;
  const float* beta;
  const float* moving_mean;
  const float* moving_var;
  float epsilon;
};
constexpr bool conv2d_grouped(const Conv2dGeom& g) {
  return conv2d_grouped(g.groups, g.win.dh, g.win.dw);
}
constexpr bool conv2d_winograd(const Conv2dGeom& g) {
  return !conv2d_grouped(g) &&
         conv2d_winograd(g.win.kh, g.win.kw, g.win.sh, g.win.sw, g.win.c, g.oc);
}
constexpr int64_t conv2d_prepared_floats(const Conv2dGeom& g) {
  return conv2d_prepared_floats(g.win.kh, g.win.kw, g.win.sh, g.win.sw, g.win.c, g.oc, g.groups,
                                g.win.dh, g.win.dw);
}
// b may be null (no bias).
void conv2d_prepare(float* prepared, const float* w, const float* b, const Conv2dGeom& g);
void conv2d_prepare(float* prepared, const float* w, const float* b, const BatchnormFold& bn,
                    const Conv2dGeom& g);
// residual ([n, oh, ow, oc], may be null) is added before the activation; it
// must not alias y. scratch holds conv2d_inference_scratch(g) floats.
void conv2d_forward_prepared(float* y, const float* x, const float* prepared, const float* residual,
                             const Conv2dGeom& g, Activation act, float* scratch);

// Given dy = dL/dy (gradient of the post-activation output y), adds into
// dx (may be null: input gradient not needed), dw, db (null without bias).
// dy must not alias any output. scratch holds conv2d_backward_scratch(g, act) floats.
// pre: conv2d_forward's kept pre-activation, required when activation_reads_input(act),
// else unused (may be null).
void conv2d_backward(float* dx, float* dw, float* db, const float* dy, const float* x,
                     const float* w, const float* y, const Conv2dGeom& g, Activation act,
                     float* scratch, const float* pre = nullptr);

}  // namespace modelc
