// Indirect GEMM for convolution (and dense): Y[rows, n] = A[rows, K] * W[K, n],
// where row r of A is never materialised: it is kh*kw runs of c contiguous
// floats of the NHWC input (one run per kernel tap, a run of zeros in the
// padding), found by pointer (the "indirection" of XNNPACK's convolutions).
// W is the Keras kernel [kh, kw, c, n] read as [K, n] and packed once into
// panels of 64 columns. An output pass (scale, shift, residual, relu) is
// applied to each tile as it is stored. AVX-512 only (kHaveIgemm); callers
// fall back to im2col + Eigen elsewhere.
#pragma once

#include <cstddef>
#include <cstdint>

#include "conv/avx512.hpp"
#include "modelc/geometry.hpp"

namespace modelc::detail {

#if defined(__AVX512F__)
inline constexpr bool kHaveIgemm = true;
#else
inline constexpr bool kHaveIgemm = false;
#endif

// Applied when a tile is stored: y = max?(acc * scale[o] + shift[o] + residual[r, o], 0).
struct OutputPass {
  const float* scale = nullptr;     // per output column; null: 1
  const float* shift = nullptr;     // per output column (bias, folded batchnorm); null: 0
  const float* residual = nullptr;  // [rows, ld_residual]; null: none
  int64_t ld_residual = 0;
  bool relu = false;
  bool accumulate = false;  // y += result (no scale, shift, residual or relu then)
};

// The largest input channel count a padded (kh*kw > 1) conv may have.
inline constexpr int64_t kIgemmMaxChannels = 4096;

// Floats of the packed weights for a [k, n] kernel (n rounded up to 16 per panel).
size_t igemm_packed_floats(int64_t k, int64_t n);
// Packs w [k, n] (row-major) into panels of 64 columns, each [k][panel width].
void igemm_pack(float* packed, const float* w, int64_t k, int64_t n);

// The kernel of the input gradient of a stride-1 conv, which is itself a conv
// of dz with the taps flipped and in/out channels swapped:
// packed'[(kh-1-ky, kw-1-kx, o), c] = w[ky, kx, c, o]; k = kh*kw*oc, n = c.
void igemm_pack_flipped(float* packed, const float* w, int64_t kh, int64_t kw, int64_t c,
                        int64_t oc);

// y[r, o] (row stride ldy) for the conv window g (g.c input channels, n outputs),
// r over (image, oy, ox). `packed` from igemm_pack with k = kh*kw*c.
void igemm_conv(float* y, int64_t ldy, const float* x, const Window2d& g, const float* packed,
                int64_t n, const OutputPass& out);

// On the calling thread only: y[rows, columns of panels [p0, p1)] = a[rows, k]
// (row stride lda) * the igemm_pack'ed [k, n] matrix; y points at column
// p0 * kIgemmPanel, row stride ldy. No output pass.
void igemm_gemm_serial(float* y, int64_t ldy, const float* a, int64_t lda, int64_t rows, int64_t k,
                       const float* packed, int64_t n, int64_t p0, int64_t p1);

// dw[(tap, ci), o] += sum over output rows r of x_tap[r, ci] * dz[r, o]: the
// weight gradient of the conv window g (dw in Keras layout [kh, kw, c, oc]).
// Summation order is fixed, whatever the thread count (igemm_wgrad.cpp).
void igemm_weight_grad(float* dw, const float* x, const Window2d& g, const float* dz, int64_t oc);

// The geometry that makes igemm_conv a plain product of a row-major [rows, k] matrix.
constexpr Window2d matrix_window(int64_t rows, int64_t k) {
  return Window2d{1, rows, 1, k, 1, 1, 1, 1, 0, 0, rows, 1};
}

}  // namespace modelc::detail
