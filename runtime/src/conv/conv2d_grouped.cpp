// Per-group GEMMs on strided views of the kernel and of y / dz (Eigen maps with
// an outer stride of oc), so no group's slice is ever copied out.
#include "conv/conv2d_grouped.hpp"

#include "conv/gemm.hpp"
#include "conv/im2col.hpp"

namespace modelc::detail {
namespace {

using Stride = Eigen::OuterStride<>;
using StridedMap = Eigen::Map<RowMatrix, 0, Stride>;
using ConstStridedMap = Eigen::Map<const RowMatrix, 0, Stride>;

struct Sizes {
  int64_t rows, kg, og;  // GEMM rows, one group's kernel rows and output columns
};

Sizes sizes(const Conv2dGeom& g) {
  const Window2d& w = g.win;
  return {w.n * w.oh * w.ow, w.kh * w.kw * (w.c / g.groups), g.oc / g.groups};
}

}  // namespace

size_t grouped_col_floats(const Conv2dGeom& g) {
  const Window2d& w = g.win;
  return static_cast<size_t>(w.n * w.oh * w.ow * w.kh * w.kw * w.c);
}

void grouped_conv(float* y, const float* x, const float* w, const Conv2dGeom& g, float* col) {
  const Sizes s = sizes(g);
  im2col_grouped(col, x, g.win, g.groups);
  for (int64_t grp = 0; grp < g.groups; ++grp) {
    StridedMap(y + grp * s.og, s.rows, s.og, Stride(g.oc)).noalias() =
        ConstMatrixMap(col + grp * s.rows * s.kg, s.rows, s.kg) *
        ConstStridedMap(w + grp * s.og, s.kg, s.og, Stride(g.oc));
  }
}

void grouped_conv_backward(float* dx, float* dw, const float* dz, const float* x, const float* w,
                           const Conv2dGeom& g, float* col) {
  const Sizes s = sizes(g);
  im2col_grouped(col, x, g.win, g.groups);
  for (int64_t grp = 0; grp < g.groups; ++grp) {
    StridedMap(dw + grp * s.og, s.kg, s.og, Stride(g.oc)).noalias() +=
        ConstMatrixMap(col + grp * s.rows * s.kg, s.rows, s.kg).transpose() *
        ConstStridedMap(dz + grp * s.og, s.rows, s.og, Stride(g.oc));
  }
  if (dx == nullptr) return;
  // dcol = dz_grp * w_grp^T over the im2col matrices, then their adjoint into dx.
  for (int64_t grp = 0; grp < g.groups; ++grp) {
    MatrixMap(col + grp * s.rows * s.kg, s.rows, s.kg).noalias() =
        ConstStridedMap(dz + grp * s.og, s.rows, s.og, Stride(g.oc)) *
        ConstStridedMap(w + grp * s.og, s.kg, s.og, Stride(g.oc)).transpose();
  }
  col2im_grouped_add(dx, col, g.win, g.groups);
}

}  // namespace modelc::detail
