// Weight gradient of a conv on the indirect scheme (igemm.hpp):
//   dw[(tap, ci), o] += sum_r x_tap[r, ci] * dz[r, o],
// x_tap[r] the input pixel tap `tap` of output row r reads (skipped in the
// padding, where it is zero). A tile is MR input channels x 16 NV outputs in
// zmm accumulators; per row it loads NV vectors of dz and broadcasts MR floats
// of x. Rows go in blocks; a work item is (output panel, tap, run of channel
// tiles) and walks every row block, so each dw element is summed in the same
// order for any thread count.
#include <omp.h>

#include <algorithm>
#include <vector>

#include "conv/igemm.hpp"
#include "threading.hpp"

#include "conv/avx512.hpp"

namespace modelc::detail {

#if defined(__AVX512F__)
namespace {

constexpr int64_t kRowBlock = 256;

// dw tile rows [c0, c0 + MR) (valid: mr), columns [o0, o0 + 16 NV) (last: mask).
template <int MR, int NV>
void wgrad_tile(float* dw, int64_t ldw, int mr, __mmask16 last, const float* const* xp,
                const int32_t* rl, int64_t count, const float* dz, int64_t ldz, int64_t c0,
                int64_t c) {
  // Fully unrolled so the accumulators stay in registers (a runtime-indexed
  // loop over them made g++ 12 keep them on the stack: 2-2.5x slower).
  __m512 acc[MR][NV];
  int64_t idx[MR];
#pragma GCC unroll 16
  for (int i = 0; i < MR; ++i) idx[i] = std::min(c0 + i, c - 1);  // rows past c: harmless reads
#pragma GCC unroll 16
  for (int i = 0; i < MR; ++i)
#pragma GCC unroll 4
    for (int v = 0; v < NV; ++v) acc[i][v] = _mm512_setzero_ps();
  for (int64_t j = 0; j < count; ++j) {
    const float* p = xp[j];
    const float* d = dz + rl[j] * ldz;
    __m512 b[NV];
#pragma GCC unroll 4
    for (int v = 0; v < NV; ++v)
      b[v] = _mm512_maskz_loadu_ps(v == NV - 1 ? last : __mmask16(0xFFFF), d + 16 * v);
#pragma GCC unroll 16
    for (int i = 0; i < MR; ++i) {
      const __m512 a = _mm512_set1_ps(p[idx[i]]);
#pragma GCC unroll 4
      for (int v = 0; v < NV; ++v) acc[i][v] = _mm512_fmadd_ps(a, b[v], acc[i][v]);
    }
  }
#pragma GCC unroll 16
  for (int i = 0; i < MR; ++i) {
    if (i >= mr) continue;
    float* row = dw + i * ldw;
#pragma GCC unroll 4
    for (int v = 0; v < NV; ++v) {
      const __mmask16 m = v == NV - 1 ? last : __mmask16(0xFFFF);
      _mm512_mask_storeu_ps(row + 16 * v, m,
                            _mm512_add_ps(acc[i][v], _mm512_maskz_loadu_ps(m, row + 16 * v)));
    }
  }
}

using TileFn = void (*)(float*, int64_t, int, __mmask16, const float* const*, const int32_t*,
                        int64_t, const float*, int64_t, int64_t, int64_t);

TileFn tile_for(int nv) {
  switch (nv) {
    case 4: return wgrad_tile<6, 4>;
    case 3: return wgrad_tile<8, 3>;
    case 2: return wgrad_tile<12, 2>;
    default: return wgrad_tile<12, 1>;
  }
}

}  // namespace

void igemm_weight_grad(float* dw, const float* x, const Window2d& g, const float* dz, int64_t oc) {
  const int64_t rows = g.n * g.oh * g.ow, taps = g.kh * g.kw, c = g.c;
  if (rows <= 0 || oc <= 0) return;
  const int64_t panels = (oc + kIgemmPanel - 1) / kIgemmPanel;
  // Channel tiles per item: enough items for the threads, at least 2 tiles each when possible.
  const int64_t min_tiles = (c + 11) / 12;
  const int64_t want = 8 * std::max(1, omp_get_max_threads());
  const int64_t groups = std::clamp<int64_t>((want + panels * taps - 1) / (panels * taps), 1,
                                             std::max<int64_t>(1, min_tiles / 2));
  const int64_t items = panels * taps * groups;
  const bool parallel = rows * oc * c * taps >= 64 * kParallelMinFloats && items > 1;

#pragma omp parallel if (parallel)
  {
    std::vector<const float*> xp(static_cast<size_t>(kRowBlock));
    std::vector<int32_t> rl(static_cast<size_t>(kRowBlock));
#pragma omp for schedule(dynamic)
    for (int64_t item = 0; item < items; ++item) {
      const int64_t p = item / (taps * groups), t = (item / groups) % taps, grp = item % groups;
      const auto [o0, width, nv, last] = panel_of(p, oc);
      const int mr = tile_rows(nv);
      const TileFn tile = tile_for(nv);
      // This item's channel range: a run of whole tiles.
      const int64_t tiles = (c + mr - 1) / mr;
      const int64_t per = (tiles + groups - 1) / groups;
      const int64_t ca = std::min(c, grp * per * mr), cb = std::min(c, (grp + 1) * per * mr);
      if (ca >= cb) continue;
      const int64_t ky = t / g.kw, kx = t % g.kw;
      for (int64_t r0 = 0; r0 < rows; r0 += kRowBlock) {
        const int64_t r1 = std::min(rows, r0 + kRowBlock);
        int64_t count = 0;
        // (image, oy, ox) of row r0, then stepped row by row (no division per row).
        int64_t img = r0 / (g.oh * g.ow), oy = r0 % (g.oh * g.ow) / g.ow, ox = r0 % g.ow;
        for (int64_t r = r0; r < r1; ++r) {
          const int64_t iy = oy * g.sh + ky - g.pad_top, ix = ox * g.sw + kx - g.pad_left;
          if (iy >= 0 && iy < g.h && ix >= 0 && ix < g.w) {
            xp[static_cast<size_t>(count)] = x + ((img * g.h + iy) * g.w + ix) * c;
            rl[static_cast<size_t>(count)] = static_cast<int32_t>(r - r0);
            ++count;
          }
          if (++ox == g.ow) {
            ox = 0;
            if (++oy == g.oh) oy = 0, ++img;
          }
        }
        const float* dzb = dz + r0 * oc + o0;
        for (int64_t c0 = ca; c0 < cb; c0 += mr) {
          tile(dw + (t * c + c0) * oc + o0, oc, static_cast<int>(std::min<int64_t>(mr, cb - c0)),
               last, xp.data(), rl.data(), count, dzb, oc, c0, c);
        }
      }
    }
  }
}

#else

void igemm_weight_grad(float*, const float*, const Window2d&, const float*, int64_t) {}

#endif

}  // namespace modelc::detail
