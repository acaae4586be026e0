// im2col: col[(n,oy,ox), (ky,kx,c)] = x[n, oy*sh+ky-pt, ox*sw+kx-pl, c], 0 in the
// padding; a row-major [n*oh*ow, kh*kw*c] matrix whose columns follow the Keras
// kernel layout [kh, kw, cin, cout], so conv2d is col * w. col2im is its adjoint.
#pragma once

#include "modelc/geometry.hpp"

namespace modelc::detail {

void im2col(float* col, const float* x, const Window2d& g);
// Rows [r0, r1) of the same matrix (r over (n, oy, ox)), into col[0 .. (r1 - r0) * k).
void im2col_rows(float* col, const float* x, const Window2d& g, int64_t r0, int64_t r1);

// dx[n,iy,ix,c] += every dcol entry that im2col copied from x[n,iy,ix,c].
void col2im_add(float* dx, const float* dcol, const Window2d& g);

}  // namespace modelc::detail

namespace modelc::detail {

// Group-major im2col for grouped and dilated convs: `groups` matrices one after
// the other, each [n*oh*ow, kh*kw*cg] (cg = c / groups), with
// col[grp][(n,oy,ox)][(ky,kx,ci)] = x[n, oy*sh+ky*dh-pt, ox*sw+kx*dw-pl, grp*cg+ci],
// 0 in the padding. With groups 1 and dilation 1 it is im2col's matrix.
void im2col_grouped(float* col, const float* x, const Window2d& g, int64_t groups);

// Its adjoint: dx[n,iy,ix,c] += every entry of dcol copied from there (a gather
// by input rows, in a fixed order, as col2im_add).
void col2im_grouped_add(float* dx, const float* dcol, const Window2d& g, int64_t groups);

}  // namespace modelc::detail
