// conv2d_transpose as the input gradient of its adjoint conv2d (window g.win):
// forward dcol[n*oh*ow, kh*kw*f] = x[n*oh*ow, cin] * W^T, W in Keras layout
// [kh, kw, f, cin] read as a row-major [kh*kw*f, cin] matrix (that conv2d's
// kernel), then y = col2im(dcol). Backward is that conv2d's forward and weight
// gradient: col = im2col(dz), dx += col * W, dW += col^T * x.
#include "modelc/conv2d_transpose.hpp"

#include <algorithm>

#include "conv/fused_act.hpp"
#include "conv/gemm.hpp"
#include "conv/im2col.hpp"

namespace modelc {
namespace {

int64_t in_rows(const Window2d& g) { return g.n * g.oh * g.ow; }  // rows of x (and of col)
int64_t out_rows(const Window2d& g) { return g.n * g.h * g.w; }   // rows of y
int64_t col_width(const Window2d& g) { return g.kh * g.kw * g.c; }

size_t col_floats(const Window2d& g) { return static_cast<size_t>(in_rows(g) * col_width(g)); }

}  // namespace

size_t conv2d_transpose_forward_scratch(const Conv2dTransposeGeom& g) { return col_floats(g.win); }

size_t conv2d_transpose_backward_scratch(const Conv2dTransposeGeom& g, Activation act) {
  const size_t dz = act == Activation::linear ? 0 : static_cast<size_t>(out_rows(g.win) * g.win.c);
  return col_floats(g.win) + dz;
}

void conv2d_transpose_forward(float* y, const float* x, const float* w, const float* b,
                              const Conv2dTransposeGeom& g, Activation act, float* scratch,
                              float* pre) {
  const Window2d& win = g.win;
  float* z = pre != nullptr ? pre : y;  // keep z = conv_transpose + b for the backward
  float* dcol = scratch;
  detail::gemm_nt(dcol, x, w, in_rows(win), g.cin, col_width(win), /*add=*/false);
  std::fill_n(z, out_rows(win) * win.c, 0.0f);
  detail::col2im_add(z, dcol, win);
  if (pre == nullptr) return detail::bias_act_forward(y, b, out_rows(win), win.c, act);
  detail::bias_act_forward(pre, b, out_rows(win), win.c, Activation::linear);
  detail::act_forward(y, pre, out_rows(win), win.c, act);
}

void conv2d_transpose_backward(float* dx, float* dw, float* db, const float* dy, const float* x,
                               const float* w, const float* y, const Conv2dTransposeGeom& g,
                               Activation act, float* scratch, const float* pre) {
  const Window2d& win = g.win;
  const int64_t rows = in_rows(win), kdim = col_width(win);
  float* col = scratch;
  const float* dz = dy;
  if (act != Activation::linear) {
    float* buf = scratch + col_floats(win);
    detail::act_dz(buf, dy, y, pre, out_rows(win), win.c, act);
    dz = buf;
  }
  if (db != nullptr) detail::bias_grad_add(db, dz, out_rows(win), win.c);
  detail::im2col(col, dz, win);
  detail::gemm_tn_add(dw, col, x, kdim, rows, g.cin);
  if (dx != nullptr) detail::gemm_nn_add(dx, col, w, rows, kdim, g.cin);
}

}  // namespace modelc
