// conv2d as one GEMM over the whole batch: Y[n*oh*ow, oc] = col(x)[n*oh*ow, kh*kw*c] * W,
// with W in Keras layout [kh, kw, c, oc] read as a row-major [kh*kw*c, oc] matrix.
#include "modelc/conv2d.hpp"

#include <algorithm>
#include <cmath>

#include "conv/conv2d_grouped.hpp"
#include "conv/depthwise.hpp"
#include "conv/fused_act.hpp"
#include "conv/gemm.hpp"
#include "conv/igemm.hpp"
#include "conv/im2col.hpp"
#include "conv/winograd.hpp"

namespace modelc {
namespace {

// A 1x1 stride-1 unpadded conv reads x itself as the im2col matrix.
bool is_pointwise(const Window2d& g) {
  return g.kh == 1 && g.kw == 1 && g.sh == 1 && g.sw == 1 && g.pad_top == 0 && g.pad_left == 0 &&
         g.oh == g.h && g.ow == g.w;
}

int64_t out_rows(const Window2d& g) { return g.n * g.oh * g.ow; }

// groups = c: the depthwise kernel, on the same kernel layout.
bool as_depthwise(const Conv2dGeom& g) { return conv2d_depthwise(g.win.c, g.groups); }
DepthwiseGeom depthwise_of(const Conv2dGeom& g) { return {g.win, g.oc / g.win.c}; }
int64_t col_width(const Window2d& g) { return g.kh * g.kw * g.c; }

size_t col_floats(const Window2d& g) {
  return is_pointwise(g) ? 0 : static_cast<size_t>(out_rows(g) * col_width(g));
}

// Forward on the indirect GEMM: reads x in place, except for few input
// channels (a first layer's RGB), where taps are too short and im2col pays.
// (The rule is modelc/conv2d_layout.hpp's, which the compiler also reads.)
bool igemm_reads_input(const Window2d& g) { return conv2d_igemm_reads_input(g.kh, g.kw, g.c); }
static_assert(kConv2dIgemmMaxChannels == detail::kIgemmMaxChannels);

}  // namespace

// Rows of im2col the indirect path materialises at a time (few-channel inputs).
constexpr int64_t kIm2colRows = 4096;

size_t conv2d_inference_scratch(const Conv2dGeom& g) {
  if (as_depthwise(g)) return 0;
  if (conv2d_grouped(g)) return detail::grouped_col_floats(g);
  if (!detail::kHaveIgemm) return col_floats(g.win);
  if (igemm_reads_input(g.win)) return 0;
  return static_cast<size_t>(std::min(out_rows(g.win), kIm2colRows) * col_width(g.win));
}

size_t conv2d_forward_scratch(const Conv2dGeom& g) {
  const Window2d& win = g.win;
  if (as_depthwise(g)) return 0;
  if (conv2d_grouped(g)) return detail::grouped_col_floats(g);
  if (!detail::kHaveIgemm) return col_floats(win);
  if (conv2d_winograd(g)) return detail::winograd_packed_floats(win.c, g.oc);
  return detail::igemm_packed_floats(col_width(win), g.oc) +
         (igemm_reads_input(win) ? 0 : col_floats(win));
}

namespace {

// y = act(conv(x, w) + b) on the indirect GEMM; w packed into scratch first.
void conv2d_forward_igemm(float* y, const float* x, const float* w, const float* b,
                          const Conv2dGeom& g, Activation act, float* scratch) {
  const Window2d& win = g.win;
  float* packed = scratch;
  detail::OutputPass out;
  out.shift = b;
  out.relu = act == Activation::relu;
  if (conv2d_winograd(g)) {
    detail::winograd_pack(packed, w, win.c, g.oc);
    detail::winograd_conv(y, g.oc, x, win, packed, g.oc, out);
  } else if (igemm_reads_input(win)) {
    detail::igemm_pack(packed, w, col_width(win), g.oc);
    detail::igemm_conv(y, g.oc, x, win, packed, g.oc, out);
  } else {
    detail::igemm_pack(packed, w, col_width(win), g.oc);
    float* col = scratch + detail::igemm_packed_floats(col_width(win), g.oc);
    detail::im2col(col, x, win);
    detail::igemm_conv(y, g.oc, col, detail::matrix_window(out_rows(win), col_width(win)), packed,
                       g.oc, out);
  }
  if (act != Activation::linear && act != Activation::relu)
    detail::bias_act_forward(y, nullptr, out_rows(win), g.oc, act);
}

}  // namespace

namespace {

// The input gradient of a stride-1 conv as a conv of dz with flipped weights
// (on the indirect GEMM), when the window fits its limits.
bool dx_by_igemm(const Window2d& g, int64_t oc) {
  return detail::kHaveIgemm && g.sh == 1 && g.sw == 1 && g.kh * g.kw <= 64 &&
         (g.kh * g.kw == 1 || oc <= detail::kIgemmMaxChannels);
}

// dz's window for that conv: dz [n, oh, ow, oc] -> dx [n, h, w, c].
Window2d dx_window(const Window2d& g, int64_t oc) {
  return Window2d{
      g.n, g.oh, g.ow, oc, g.kh, g.kw, 1, 1, g.kh - 1 - g.pad_top, g.kw - 1 - g.pad_left, g.h, g.w};
}

// Backward scratch: im2col(x) (where the weight gradient needs it) or dcol (an
// input gradient through col2im), later the flipped packed weights; then dz.
size_t backward_region(const Conv2dGeom& g) {
  if (conv2d_grouped(g)) return detail::grouped_col_floats(g);  // im2col, then dcol
  const bool dx_fast = dx_by_igemm(g.win, g.oc);
  const bool col = !detail::kHaveIgemm || !igemm_reads_input(g.win) || !dx_fast;
  const size_t flipped = !dx_fast ? 0
                         : conv2d_winograd(g)
                             ? detail::winograd_packed_floats(g.oc, g.win.c)
                             : detail::igemm_packed_floats(g.win.kh * g.win.kw * g.oc, g.win.c);
  // Strided: dcol = dz * W^T on the GEMM too, its packed W^T after dcol.
  const size_t transposed =
      detail::kHaveIgemm && !dx_fast
          ? col_floats(g.win) + detail::igemm_packed_floats(g.oc, col_width(g.win))
          : 0;
  return std::max({col ? col_floats(g.win) : 0, flipped, transposed});
}

// dx += conv(dz, flipped w) for a stride-1 conv; packed: backward_region scratch.
void dx_igemm(float* dx, const float* dz, const float* w, const Conv2dGeom& g, float* packed) {
  const Window2d& win = g.win;
  detail::OutputPass acc;
  acc.accumulate = true;
  if (conv2d_winograd(g)) {  // 3x3: the flipped conv as Winograd too
    detail::winograd_pack_flipped(packed, w, win.c, g.oc);
    return detail::winograd_conv(dx, win.c, dz, dx_window(win, g.oc), packed, win.c, acc);
  }
  detail::igemm_pack_flipped(packed, w, win.kh, win.kw, win.c, g.oc);
  detail::igemm_conv(dx, win.c, dz, dx_window(win, g.oc), packed, win.c, acc);
}

}  // namespace

void conv2d_forward(float* y, const float* x, const float* w, const float* b, const Conv2dGeom& g,
                    Activation act, float* scratch, float* pre) {
  if (as_depthwise(g)) return depthwise_conv2d_forward(y, x, w, b, depthwise_of(g), act, pre);
  if (pre != nullptr) {  // keep z = conv + b for the backward, then y = act(z)
    conv2d_forward(pre, x, w, b, g, Activation::linear, scratch);
    return detail::act_forward(y, pre, out_rows(g.win), g.oc, act);
  }
  if (conv2d_grouped(g)) {
    detail::grouped_conv(y, x, w, g, scratch);
    return detail::bias_act_forward(y, b, out_rows(g.win), g.oc, act);
  }
  if (detail::kHaveIgemm) return conv2d_forward_igemm(y, x, w, b, g, act, scratch);
  const Window2d& win = g.win;
  const float* col = x;
  if (!is_pointwise(win)) {
    detail::im2col(scratch, x, win);
    col = scratch;
  }
  detail::gemm_nn(y, col, w, out_rows(win), col_width(win), g.oc);
  detail::bias_act_forward(y, b, out_rows(win), g.oc, act);
}

namespace {

void prepare(float* prepared, const float* w, const float* b, const BatchnormFold* bn,
             const Conv2dGeom& g) {
  const int64_t n16 = (g.oc + 15) / 16 * 16;
  float* scale = prepared;
  float* shift = prepared + n16;
  for (int64_t o = 0; o < g.oc; ++o) {
    const float bias = b != nullptr ? b[o] : 0.0f;
    if (bn == nullptr) {
      scale[o] = 1.0f;
      shift[o] = bias;
    } else {
      const double s =
          bn->gamma[o] / std::sqrt(static_cast<double>(bn->moving_var[o]) + bn->epsilon);
      scale[o] = static_cast<float>(s);
      shift[o] =
          static_cast<float>((bias - static_cast<double>(bn->moving_mean[o])) * s + bn->beta[o]);
    }
  }
  float* kernel = prepared + 2 * n16;
  if (as_depthwise(g)) {  // the scale folded into the kernel, as depthwise_conv2d_prepare
    const int64_t taps = g.win.kh * g.win.kw;
    for (int64_t t = 0; t < taps; ++t)
      for (int64_t o = 0; o < g.oc; ++o) kernel[t * g.oc + o] = w[t * g.oc + o] * scale[o];
  } else if (conv2d_grouped(g)) {
    std::copy(w, w + g.win.kh * g.win.kw * (g.win.c / g.groups) * g.oc, kernel);
  } else if (detail::kHaveIgemm && conv2d_winograd(g)) {
    detail::winograd_pack(kernel, w, g.win.c, g.oc);
  } else if (detail::kHaveIgemm) {
    detail::igemm_pack(kernel, w, col_width(g.win), g.oc);
  } else {
    std::copy(w, w + col_width(g.win) * g.oc, kernel);
  }
}

}  // namespace

void conv2d_prepare(float* prepared, const float* w, const float* b, const Conv2dGeom& g) {
  prepare(prepared, w, b, nullptr, g);
}

void conv2d_prepare(float* prepared, const float* w, const float* b, const BatchnormFold& bn,
                    const Conv2dGeom& g) {
  prepare(prepared, w, b, &bn, g);
}

void conv2d_forward_prepared(float* y, const float* x, const float* prepared, const float* residual,
                             const Conv2dGeom& g, Activation act, float* scratch) {
  const Window2d& win = g.win;
  const int64_t n16 = (g.oc + 15) / 16 * 16, rows = out_rows(win);
  const float* kernel = prepared + 2 * n16;
  if (as_depthwise(g))
    return detail::depthwise_run(y, x, kernel, prepared + n16, residual, depthwise_of(g), act,
                                 nullptr);
  if (conv2d_grouped(g)) {
    detail::grouped_conv(y, x, kernel, g, scratch);
    return detail::output_pass(y, prepared, prepared + n16, residual, rows, g.oc, act);
  }
  detail::OutputPass out{prepared, prepared + n16, residual, g.oc, act == Activation::relu};
  if (detail::kHaveIgemm) {
    if (conv2d_winograd(g)) {
      detail::winograd_conv(y, g.oc, x, win, kernel, g.oc, out);
    } else if (igemm_reads_input(win)) {
      detail::igemm_conv(y, g.oc, x, win, kernel, g.oc, out);
    } else {
      // im2col block by block: kIm2colRows rows of the matrix at a time.
      for (int64_t r0 = 0; r0 < rows; r0 += kIm2colRows) {
        const int64_t r1 = std::min(rows, r0 + kIm2colRows);
        detail::im2col_rows(scratch, x, win, r0, r1);
        detail::OutputPass part = out;
        if (residual != nullptr) part.residual = residual + r0 * g.oc;
        detail::igemm_conv(y + r0 * g.oc, g.oc, scratch,
                           detail::matrix_window(r1 - r0, col_width(win)), kernel, g.oc, part);
      }
    }
    if (act != Activation::linear && act != Activation::relu)
      detail::bias_act_forward(y, nullptr, rows, g.oc, act);
    return;
  }
  const float* col = x;
  if (!is_pointwise(win)) {
    detail::im2col(scratch, x, win);
    col = scratch;
  }
  detail::gemm_nn(y, col, kernel, rows, col_width(win), g.oc);
  detail::output_pass(y, out.scale, out.shift, residual, rows, g.oc, act);
}

size_t conv2d_backward_scratch(const Conv2dGeom& g, Activation act) {
  if (as_depthwise(g)) return depthwise_conv2d_backward_scratch(depthwise_of(g), act);
  const size_t dz = act == Activation::linear ? 0 : static_cast<size_t>(out_rows(g.win) * g.oc);
  return backward_region(g) + dz;
}

void conv2d_backward(float* dx, float* dw, float* db, const float* dy, const float* x,
                     const float* w, const float* y, const Conv2dGeom& g, Activation act,
                     float* scratch, const float* pre) {
  if (as_depthwise(g))
    return depthwise_conv2d_backward(dx, dw, db, dy, x, w, y, depthwise_of(g), act, scratch, pre);
  const Window2d& win = g.win;
  const int64_t rows = out_rows(win), kdim = col_width(win);
  float* col = scratch;  // im2col(x) or dcol, or the flipped packed weights
  const float* dz = dy;
  if (act != Activation::linear) {
    float* buf = scratch + backward_region(g);
    detail::act_dz(buf, dy, y, pre, rows, g.oc, act);
    dz = buf;
  }
  if (db != nullptr) detail::bias_grad_add(db, dz, rows, g.oc);
  if (conv2d_grouped(g)) return detail::grouped_conv_backward(dx, dw, dz, x, w, g, col);
  if (detail::kHaveIgemm) {
    if (igemm_reads_input(win)) {
      detail::igemm_weight_grad(dw, x, win, dz, g.oc);
    } else {
      detail::im2col(col, x, win);
      detail::igemm_weight_grad(dw, col, detail::matrix_window(rows, kdim), dz, g.oc);
    }
  } else if (is_pointwise(win)) {
    detail::gemm_tn_add(dw, x, dz, kdim, rows, g.oc);
  } else {
    detail::im2col(col, x, win);
    detail::gemm_tn_add(dw, col, dz, kdim, rows, g.oc);
  }
  if (dx == nullptr) return;
  if (dx_by_igemm(win, g.oc)) return dx_igemm(dx, dz, w, g, col);
  if (is_pointwise(win)) return detail::gemm_nt(dx, dz, w, rows, g.oc, kdim, /*add=*/true);
  if (detail::kHaveIgemm) {
    // dcol = dz * W^T (W^T packed after dcol), then col2im.
    float* packed = col + col_floats(win);
    detail::igemm_pack_flipped(packed, w, 1, 1, kdim, g.oc);  // a 1x1 "flip" is the transpose
    detail::igemm_conv(col, kdim, dz, detail::matrix_window(rows, g.oc), packed, kdim, {});
  } else {
    detail::gemm_nt(col, dz, w, rows, g.oc, kdim, /*add=*/false);
  }
  detail::col2im_add(dx, col, win);
}

}  // namespace modelc
