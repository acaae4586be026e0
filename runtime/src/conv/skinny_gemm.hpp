// Products with few rows, Y[m, n] = X[m, k] * W[k, n] for m <= kSkinnyRows:
// dense layers at small batch, where the weights stream from memory once and
// packing them would cost as much as the product. Threads split the columns.
// AVX-512 only (kHaveSkinnyGemm); callers use Eigen elsewhere.
#pragma once

#include <cstdint>

namespace modelc::detail {

#if defined(__AVX512F__)
inline constexpr bool kHaveSkinnyGemm = true;
#else
inline constexpr bool kHaveSkinnyGemm = false;
#endif

inline constexpr int64_t kSkinnyRows = 16;

// y = x * w (overwrites y); m <= kSkinnyRows.
void skinny_gemm(float* y, const float* x, const float* w, int64_t m, int64_t k, int64_t n);

// The backward of y = x * w for m <= kSkinnyRows, in one pass over w:
// dw[k, n] += x^T * dz and, when dx is not null, dx[m, k] += dz * w^T.
// Each row of w and dw is read once (the layer is bound by that traffic);
// threads split the rows of w, so results do not depend on the thread count.
void skinny_gemm_backward(float* dw, float* dx, const float* x, const float* dz, const float* w,
                          int64_t m, int64_t k, int64_t n);

}  // namespace modelc::detail
