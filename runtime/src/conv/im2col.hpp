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
