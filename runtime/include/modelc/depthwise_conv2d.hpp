// depthwise_conv2d, NHWC (Keras DepthwiseConv2D): output channel o = c·dm + j
// reads input channel c = o / dm alone:
//   y[n,oy,ox,o] = act(b[o] + sum_{ky,kx} x[n, oy*sh+ky*dh-pt, ox*sw+kx*dw-pl, o/dm] * w[ky,kx,o])
// with the kernel [kh, kw, cin, dm] read as [kh, kw, cin·dm]. A conv2d with
// groups = cin and filters = cin·dm has this very kernel layout and runs here too.
// Spec: `{op: depthwise_conv2d, kernel: 3, padding: same}`.
//
// A direct kernel, vectorised over the channels (memory-bound: it reads each
// input and weight row once per tap from cache and writes y once).
#pragma once

#include <cstddef>
#include <cstdint>

#include "modelc/activation.hpp"
#include "modelc/conv2d.hpp"  // BatchnormFold
#include "modelc/geometry.hpp"

namespace modelc {

// win.c = input channels; dm output channels per input channel.
struct DepthwiseGeom {
  Window2d win;
  int64_t dm = 1;
};

constexpr DepthwiseGeom at(DepthwiseGeom g, int64_t n) {
  g.win.n = n;
  return g;
}

// y = act(depthwise(x, w) + b); b may be null. pre (may be null, must not alias
// y): also keep the pre-activation there, as conv2d_forward does, for
// activations whose backward reads it. y must not alias x.
void depthwise_conv2d_forward(float* y, const float* x, const float* w, const float* b,
                              const DepthwiseGeom& g, Activation act, float* pre = nullptr);

// Floats of scratch depthwise_conv2d_backward needs (dz when act != linear).
size_t depthwise_conv2d_backward_scratch(const DepthwiseGeom& g, Activation act);

// From dy = dL/dy of the output y: adds into dx (may be null), dw and db (null
// without bias). Reads x, w, y and, when activation_reads_input(act), pre.
// Sums run in a fixed order: results are identical for any thread count.
void depthwise_conv2d_backward(float* dx, float* dw, float* db, const float* dy, const float* x,
                               const float* w, const float* y, const DepthwiseGeom& g,
                               Activation act, float* scratch, const float* pre = nullptr);

// Inference: the kernel with a following batchnorm folded in (w·scale per
// output channel, then the shift (b − mean)·scale + beta), as conv2d_prepare.
constexpr int64_t depthwise_conv2d_prepared_floats(int64_t kh, int64_t kw, int64_t outputs) {
  return (kh * kw + 1) * outputs;
}
void depthwise_conv2d_prepare(float* prepared, const float* w, const float* b,
                              const DepthwiseGeom& g);
void depthwise_conv2d_prepare(float* prepared, const float* w, const float* b,
                              const BatchnormFold& bn, const DepthwiseGeom& g);
// y = act(depthwise(x) · scale + shift + residual); residual may be null, must not alias y.
void depthwise_conv2d_forward_prepared(float* y, const float* x, const float* prepared,
                                       const float* residual, const DepthwiseGeom& g,
                                       Activation act);

}  // namespace modelc
