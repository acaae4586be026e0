// skinny_gemm (skinny_gemm.hpp): rows in groups of up to 8; threads take
// chunks of columns; within a chunk w is read 8 rows at a time, each row's
// segment sequentially (page- and prefetcher-friendly), y accumulating in cache.
#include "conv/skinny_gemm.hpp"

#include <omp.h>

#include <algorithm>
#include <array>
#include <utility>

#include "conv/avx512.hpp"

#include "threading.hpp"

namespace modelc::detail {

#if defined(__AVX512F__)
namespace {

constexpr int64_t kRowsAtOnce = 16;  // rows of w per pass over a column chunk
constexpr int64_t kMinChunk = 512;   // columns per work item, at least

// y[0..MR)[j0, j1) = x[0..MR) * w[:, j0:j1): w streams row after row (8 rows,
// each read sequentially), y stays in L1/L2 between the passes.
template <int MR>
void chunk(float* y, const float* x, const float* w, int64_t k, int64_t n, int64_t j0, int64_t j1) {
  for (int64_t k0 = 0; k0 < k; k0 += kRowsAtOnce) {
    const int64_t kr = std::min(kRowsAtOnce, k - k0);
    for (int64_t j = j0; j < j1; j += 16) {
      const int64_t left = j1 - j;
      const __mmask16 m = left >= 16 ? __mmask16(0xFFFF) : __mmask16((1u << left) - 1);
      __m512 acc[MR];
      for (int i = 0; i < MR; ++i)
        acc[i] = k0 == 0 ? _mm512_setzero_ps() : _mm512_maskz_loadu_ps(m, y + i * n + j);
      const float* wp = w + k0 * n + j;
      for (int64_t r = 0; r < kr; ++r, wp += n) {
        const __m512 b = _mm512_maskz_loadu_ps(m, wp);
        for (int i = 0; i < MR; ++i)
          acc[i] = _mm512_fmadd_ps(_mm512_set1_ps(x[i * k + k0 + r]), b, acc[i]);
      }
      for (int i = 0; i < MR; ++i) _mm512_mask_storeu_ps(y + i * n + j, m, acc[i]);
    }
  }
}

using ChunkFn = void (*)(float*, const float*, const float*, int64_t, int64_t, int64_t, int64_t);

ChunkFn chunk_for(int64_t rows) {
  switch (rows) {
    case 1: return chunk<1>;
    case 2: return chunk<2>;
    case 3: return chunk<3>;
    case 4: return chunk<4>;
    case 5: return chunk<5>;
    case 6: return chunk<6>;
    case 7: return chunk<7>;
    default: return chunk<8>;
  }
}

}  // namespace

void skinny_gemm(float* y, const float* x, const float* w, int64_t m, int64_t k, int64_t n) {
  // One chunk per thread: long sequential runs of each row of w (the hardware
  // prefetcher ramps up within a page; short runs per page stream at half speed).
  const int64_t threads = omp_get_max_threads();
  const int64_t kChunk = std::max(kMinChunk, ((n + threads - 1) / threads + 15) / 16 * 16);
  const int64_t chunks = (n + kChunk - 1) / kChunk;
  const bool parallel = k * n >= 4 * kParallelMinFloats && chunks > 1;
  for (int64_t r0 = 0; r0 < m; r0 += 8) {
    const int64_t rows = std::min<int64_t>(8, m - r0);
    const ChunkFn fn = chunk_for(rows);
#pragma omp parallel for schedule(dynamic) if (parallel)
    for (int64_t c = 0; c < chunks; ++c)
      fn(y + r0 * n, x + r0 * k, w, k, n, c * kChunk, std::min(n, (c + 1) * kChunk));
  }
}

namespace {

// Row i of w, rows [r0, r0 + MR) of the batch: dw[i, :] += sum_r x[r, i] dz[r, :]
// and (with_dx) dx[r, i] += dz[r, :] . w[i, :].
template <int MR>
void backward_row(float* dwi, float* dx, const float* x, const float* dz, const float* wi,
                  int64_t i, int64_t k, int64_t n, bool with_dx) {
  __m512 xs[MR], acc[MR];
  for (int r = 0; r < MR; ++r) {
    xs[r] = _mm512_set1_ps(x[r * k + i]);
    acc[r] = _mm512_setzero_ps();
  }
  for (int64_t j = 0; j < n; j += 16) {
    const int64_t left = n - j;
    const __mmask16 m = left >= 16 ? __mmask16(0xFFFF) : __mmask16((1u << left) - 1);
    __m512 d = _mm512_maskz_loadu_ps(m, dwi + j);
    const __m512 wv = _mm512_maskz_loadu_ps(m, wi + j);
    for (int r = 0; r < MR; ++r) {
      const __m512 g = _mm512_maskz_loadu_ps(m, dz + r * n + j);
      d = _mm512_fmadd_ps(xs[r], g, d);
      if (with_dx) acc[r] = _mm512_fmadd_ps(g, wv, acc[r]);
    }
    _mm512_mask_storeu_ps(dwi + j, m, d);
  }
  if (with_dx)
    for (int r = 0; r < MR; ++r) dx[r * k + i] += _mm512_reduce_add_ps(acc[r]);
}

using RowFn = void (*)(float*, float*, const float*, const float*, const float*, int64_t, int64_t,
                       int64_t, bool);

template <size_t... I>
constexpr std::array<RowFn, sizeof...(I)> row_fns(std::index_sequence<I...>) {
  return {backward_row<static_cast<int>(I) + 1>...};
}
constexpr auto kRowFns = row_fns(std::make_index_sequence<8>());

}  // namespace

void skinny_gemm_backward(float* dw, float* dx, const float* x, const float* dz, const float* w,
                          int64_t m, int64_t k, int64_t n) {
  const bool parallel = k * n >= 4 * kParallelMinFloats;
#pragma omp parallel for schedule(static) if (parallel)
  for (int64_t i = 0; i < k; ++i) {
    // Up to 8 batch rows per pass (registers); a second pass finds w's row in L1.
    for (int64_t r0 = 0; r0 < m; r0 += 8) {
      const int64_t rows = std::min<int64_t>(8, m - r0);
      kRowFns[static_cast<size_t>(rows - 1)](dw + i * n, dx != nullptr ? dx + r0 * k : nullptr,
                                             x + r0 * k, dz + r0 * n, w + i * n, i, k, n,
                                             dx != nullptr);
    }
  }
}

#else

void skinny_gemm(float*, const float*, const float*, int64_t, int64_t, int64_t) {}
void skinny_gemm_backward(float*, float*, const float*, const float*, const float*, int64_t,
                          int64_t, int64_t) {}

#endif

}  // namespace modelc::detail
