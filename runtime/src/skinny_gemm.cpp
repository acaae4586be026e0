// skinny_gemm (skinny_gemm.hpp): rows in groups of up to 8, columns in blocks
// of 16 * NV, each block's weights read once per row group, straight from the
// row-major matrix (no packing), with a prefetch a few rows ahead.
#include "skinny_gemm.hpp"

#include <algorithm>

#if defined(__AVX512F__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <immintrin.h>
#pragma GCC diagnostic pop
#endif

#include "threading.hpp"

namespace modelc::detail {

#if defined(__AVX512F__)
namespace {

constexpr int64_t kAhead = 8;  // rows of w prefetched ahead

// y[MR rows][cols j0 .. j0 + 16 NV) for rows r0 .. r0 + MR; mask on the last vector.
template <int MR, int NV>
void block(float* y, const float* x, const float* w, int64_t k, int64_t n, int64_t j0,
           __mmask16 last) {
  __m512 acc[MR][NV];
  for (int i = 0; i < MR; ++i)
    for (int v = 0; v < NV; ++v) acc[i][v] = _mm512_setzero_ps();
  const float* wp = w + j0;
  for (int64_t kk = 0; kk < k; ++kk, wp += n) {
    if (kk + kAhead < k) {
      for (int v = 0; v < NV; ++v)
        _mm_prefetch(reinterpret_cast<const char*>(wp + kAhead * n + 16 * v), _MM_HINT_T0);
    }
    __m512 b[NV];
    for (int v = 0; v < NV; ++v)
      b[v] = _mm512_maskz_loadu_ps(v == NV - 1 ? last : __mmask16(0xFFFF), wp + 16 * v);
    for (int i = 0; i < MR; ++i) {
      const __m512 a = _mm512_set1_ps(x[i * k + kk]);
      for (int v = 0; v < NV; ++v) acc[i][v] = _mm512_fmadd_ps(a, b[v], acc[i][v]);
    }
  }
  for (int i = 0; i < MR; ++i)
    for (int v = 0; v < NV; ++v)
      _mm512_mask_storeu_ps(y + i * n + j0 + 16 * v, v == NV - 1 ? last : __mmask16(0xFFFF),
                            acc[i][v]);
}

using BlockFn = void (*)(float*, const float*, const float*, int64_t, int64_t, int64_t,
                         __mmask16);

// NV = 4 vectors per row for up to 4 rows, 2 for up to 8 (<= 16 accumulators).
template <int NV>
BlockFn block_for(int64_t rows) {
  switch (rows) {
    case 1: return block<1, NV>;
    case 2: return block<2, NV>;
    case 3: return block<3, NV>;
    case 4: return block<4, NV>;
    case 5: return block<5, NV>;
    case 6: return block<6, NV>;
    case 7: return block<7, NV>;
    default: return block<8, NV>;
  }
}

}  // namespace

void skinny_gemm(float* y, const float* x, const float* w, int64_t m, int64_t k, int64_t n) {
  for (int64_t r0 = 0; r0 < m; r0 += 8) {
    const int64_t rows = std::min<int64_t>(8, m - r0);
    const int64_t width = rows <= 4 ? 64 : 32;
    const BlockFn fn = rows <= 4 ? block_for<4>(rows) : block_for<2>(rows);
    const int64_t blocks = (n + width - 1) / width;
    const bool parallel = k * n >= 4 * kParallelMinFloats && blocks > 1;
#pragma omp parallel for schedule(dynamic) if (parallel)
    for (int64_t b = 0; b < blocks; ++b) {
      const int64_t j0 = b * width, cols = std::min(width, n - j0);
      // The last block may be narrower: pad with masked (zero) lanes.
      const int64_t rem = cols % 16;
      const __mmask16 last = rem == 0 ? __mmask16(0xFFFF) : __mmask16((1u << rem) - 1);
      if (cols == width) {
        fn(y + r0 * n, x + r0 * k, w, k, n, j0, __mmask16(0xFFFF));
      } else {
        // Fewer vectors: run full-width blocks of 16 one at a time.
        for (int64_t j = j0; j < j0 + cols; j += 16) {
          const __mmask16 m16 = j + 16 <= j0 + cols ? __mmask16(0xFFFF) : last;
          block_for<1>(rows)(y + r0 * n, x + r0 * k, w, k, n, j, m16);
        }
      }
    }
  }
}

#else

void skinny_gemm(float*, const float*, const float*, int64_t, int64_t, int64_t) {}

#endif

}  // namespace modelc::detail
