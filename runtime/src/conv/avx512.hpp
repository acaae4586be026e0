// What the AVX-512 kernels share (igemm, its weight gradient, the skinny GEMM,
// Winograd): the intrinsics header, only when the build targets AVX-512
// (MODELC_NATIVE on such a CPU), and the 64-column output panels the packed
// kernels are cut into. g++ 12 warns about uninitialised values inside
// <immintrin.h>'s own _mm512_undefined_* helpers; that is silenced for the
// header alone.
#pragma once

#include <algorithm>
#include <cstdint>

#if defined(__AVX512F__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <immintrin.h>
#pragma GCC diagnostic pop
#endif

namespace modelc::detail {

inline constexpr int64_t kIgemmPanel = 64;  // output columns per packed panel

// Rows of a register tile for nv vectors of 16 columns: 24 accumulators, 12 rows at most.
constexpr int tile_rows(int nv) { return nv == 4 ? 6 : nv == 3 ? 8 : 12; }

#if defined(__AVX512F__)
// Output panel p of n columns: its first column, width, vectors per row and
// the lanes of its last vector.
struct Panel {
  int64_t n0, width;
  int nv;
  __mmask16 last;
};

inline Panel panel_of(int64_t p, int64_t n) {
  const int64_t n0 = p * kIgemmPanel, width = std::min(kIgemmPanel, n - n0);
  const int nv = static_cast<int>((width + 15) / 16);
  const int64_t rem = width - 16 * (nv - 1);
  return {n0, width, nv, static_cast<__mmask16>(rem >= 16 ? 0xFFFF : (1u << rem) - 1)};
}
#endif

}  // namespace modelc::detail
