// Grouped and dilated conv2d: group-major im2col (conv/im2col.hpp), then one
// GEMM per group on the Keras kernel [kh, kw, cg, oc] read as a row-major
// [kh*kw*cg, oc] matrix, group grp's columns [grp*og, (grp+1)*og) (og = oc/groups).
// conv2d.cpp calls these when conv2d_grouped(g); bias, activation and batchnorm
// folding stay there.
#pragma once

#include <cstddef>

#include "modelc/conv2d.hpp"

namespace modelc::detail {

// Floats of the im2col matrices: n*oh*ow * kh*kw*c (the same for any groups).
size_t grouped_col_floats(const Conv2dGeom& g);

// y[n*oh*ow, oc] = conv(x, w), no bias; col holds grouped_col_floats(g) floats.
void grouped_conv(float* y, const float* x, const float* w, const Conv2dGeom& g, float* col);

// From dz = dL/dz of the pre-activation: dw += the kernel gradient and, when dx
// is not null, dx += the input gradient. col holds grouped_col_floats(g) floats.
void grouped_conv_backward(float* dx, float* dw, const float* dz, const float* x, const float* w,
                           const Conv2dGeom& g, float* col);

}  // namespace modelc::detail
