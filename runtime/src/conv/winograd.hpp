// Winograd F(4x4, 3x3) convolution for 3x3 stride-1 windows (Lavin & Gray,
// "Fast Algorithms for Convolutional Neural Networks", 2015). Each 4x4 block
// of outputs comes from a 6x6 block of inputs: V = B^T d B per tile and input
// channel, 36 independent products M[xi] = V[xi] * U[xi] over the channels,
// then y = A^T M A per tile and output channel. 36 multiplications per 16
// outputs instead of 144: 4x fewer FLOPs in the products, for float32
// rounding error about 10x the direct path's (measured in tests/runtime).
// The kernel is transformed once (U = G g G^T, in double) and packed into the
// indirect GEMM's panels, one [c, n] matrix per xi. AVX-512 only (kHaveIgemm).
#pragma once

#include <cstddef>
#include <cstdint>

#include "conv/igemm.hpp"
#include "modelc/geometry.hpp"

namespace modelc::detail {

// Floats of the packed, transformed kernel for c inputs and n outputs.
size_t winograd_packed_floats(int64_t c, int64_t n);
// w is the Keras kernel [3, 3, c, n].
void winograd_pack(float* packed, const float* w, int64_t c, int64_t n);

// The kernel of the input gradient of that conv (a conv of dz with the taps
// flipped, oc inputs and c outputs), packed for winograd_conv with n = c.
void winograd_pack_flipped(float* packed, const float* w, int64_t c, int64_t oc);

// y[r, o] (row stride ldy) for the 3x3 stride-1 window g (any padding) with
// the output pass applied (or added into y: out.accumulate); r over
// (image, oy, ox) as in igemm_conv.
void winograd_conv(float* y, int64_t ldy, const float* x, const Window2d& g, const float* packed,
                   int64_t n, const OutputPass& out);

}  // namespace modelc::detail
