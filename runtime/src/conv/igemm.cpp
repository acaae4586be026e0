// Indirect GEMM (igemm.hpp). A tile is MR output rows x (16 * NV) output
// columns held in zmm accumulators; per k it loads NV vectors of the packed
// panel and broadcasts one float of each row. K is walked in blocks of about
// kKBlock (whole taps, or channel ranges of one tap) so a panel's slice stays
// in L2; partial sums go through y between blocks, the output pass runs on
// the last. Work items are (panel, run of row tiles), handed out dynamically
// so a core taken by another process delays the layer less.
#include "conv/igemm.hpp"

#include <omp.h>

#include <algorithm>
#include <cstring>
#include <vector>

#include "conv/avx512.hpp"

#include "threading.hpp"

namespace modelc::detail {
namespace {

constexpr int64_t kPanel = kIgemmPanel;  // columns per packed panel
constexpr int64_t kKBlock = 512;         // target k per block
constexpr int kMaxTaps = 64;             // taps per k block held as pointers
// Largest packed kernel (floats) for the rows-outer order: 640 KB, within an
// assumed 1 MB L2 per core (Zen 4/5; this VM does not report its caches).
constexpr int64_t kRowsOuterMaxFloats = 160 * 1024;

int64_t round16(int64_t v) { return (v + 15) / 16 * 16; }

}  // namespace

size_t igemm_packed_floats(int64_t k, int64_t n) { return static_cast<size_t>(k * round16(n)); }

void igemm_pack(float* packed, const float* w, int64_t k, int64_t n) {
  const int64_t panels = (n + kPanel - 1) / kPanel;
#pragma omp parallel for schedule(static) if (k * n >= kParallelMinFloats)
  for (int64_t kk = 0; kk < k; ++kk) {
    for (int64_t p = 0; p < panels; ++p) {
      const int64_t n0 = p * kPanel, width = round16(std::min(kPanel, n - n0));
      float* dst = packed + n0 * k + kk * width;
      const int64_t valid = std::min(width, n - n0);
      std::memcpy(dst, w + kk * n + n0, static_cast<size_t>(valid) * sizeof(float));
      std::fill(dst + valid, dst + width, 0.0f);
    }
  }
}

void igemm_pack_flipped(float* packed, const float* w, int64_t kh, int64_t kw, int64_t c,
                        int64_t oc) {
  const int64_t k = kh * kw * oc, panels = (c + kPanel - 1) / kPanel;
#pragma omp parallel for schedule(static) if (k * c >= kParallelMinFloats)
  for (int64_t kk = 0; kk < k; ++kk) {
    const int64_t tap = kk / oc, o = kk % oc;
    const int64_t ky = kh - 1 - tap / kw, kx = kw - 1 - tap % kw;
    const float* src = w + (ky * kw + kx) * c * oc + o;  // w[ky, kx, :, o], stride oc
    for (int64_t p = 0; p < panels; ++p) {
      const int64_t n0 = p * kPanel, width = round16(std::min(kPanel, c - n0));
      float* dst = packed + n0 * k + kk * width;
      const int64_t valid = std::min(width, c - n0);
      for (int64_t j = 0; j < valid; ++j) dst[j] = src[(n0 + j) * oc];
      std::fill(dst + valid, dst + width, 0.0f);
    }
  }
}

#if defined(__AVX512F__)
namespace {

alignas(64) const float kZeros[kIgemmMaxChannels] = {};

struct Tile {
  float* y;
  int64_t ldy;
  int64_t rows;    // valid rows (<= MR)
  int64_t r0;      // first row (residual indexing)
  __mmask16 last;  // valid lanes of the last vector
};

// acc[MR][NV] += A(rows' taps [t0, t1), channels [c0, c1)) * B, then store or
// accumulate into y; `final` applies the output pass.
template <int MR, int NV>
void tile_kernel(const Tile& t, const float* const* ptrs, int ntaps, int64_t c0, int64_t c1,
                 const float* b, bool accumulate, bool final, const OutputPass& out, int64_t col0) {
  __m512 acc[MR][NV];
#pragma GCC unroll 16
  for (int i = 0; i < MR; ++i)
#pragma GCC unroll 4
    for (int v = 0; v < NV; ++v) acc[i][v] = _mm512_setzero_ps();
  for (int s = 0; s < ntaps; ++s) {
    const float* a[MR];
#pragma GCC unroll 16
    for (int i = 0; i < MR; ++i) a[i] = ptrs[s * MR + i];
    for (int64_t c = c0; c < c1; ++c) {
      __m512 bv[NV];
#pragma GCC unroll 4
      for (int v = 0; v < NV; ++v) bv[v] = _mm512_loadu_ps(b + 16 * v);
      b += 16 * NV;
#pragma GCC unroll 16
      for (int i = 0; i < MR; ++i) {
        const __m512 av = _mm512_set1_ps(a[i][c]);
#pragma GCC unroll 4
        for (int v = 0; v < NV; ++v) acc[i][v] = _mm512_fmadd_ps(av, bv[v], acc[i][v]);
      }
    }
  }
  for (int i = 0; i < MR; ++i) {
    if (i >= t.rows) break;
    float* yr = t.y + i * t.ldy;
#pragma GCC unroll 4
    for (int v = 0; v < NV; ++v) {
      const __mmask16 m = v == NV - 1 ? t.last : __mmask16(0xFFFF);
      __m512 z = acc[i][v];
      if (accumulate) z = _mm512_add_ps(z, _mm512_maskz_loadu_ps(m, yr + 16 * v));
      if (final) {
        const int64_t o = col0 + 16 * v;
        if (out.scale) z = _mm512_mul_ps(z, _mm512_maskz_loadu_ps(m, out.scale + o));
        if (out.shift) z = _mm512_add_ps(z, _mm512_maskz_loadu_ps(m, out.shift + o));
        if (out.residual)
          z = _mm512_add_ps(
              z, _mm512_maskz_loadu_ps(m, out.residual + (t.r0 + i) * out.ld_residual + o));
        if (out.relu) z = _mm512_max_ps(z, _mm512_setzero_ps());
      }
      _mm512_mask_storeu_ps(yr + 16 * v, m, z);
    }
  }
}

using KernelFn = void (*)(const Tile&, const float* const*, int, int64_t, int64_t, const float*,
                          bool, bool, const OutputPass&, int64_t);

KernelFn kernel_for(int nv) {
  switch (nv) {
    case 4: return tile_kernel<6, 4>;
    case 3: return tile_kernel<8, 3>;
    case 2: return tile_kernel<12, 2>;
    default: return tile_kernel<12, 1>;
  }
}

// 6 rows whatever the panel width (the rows-outer order shares the pointers).
KernelFn six_row_kernel_for(int nv) {
  switch (nv) {
    case 4: return tile_kernel<6, 4>;
    case 3: return tile_kernel<6, 3>;
    case 2: return tile_kernel<6, 2>;
    default: return tile_kernel<6, 1>;
  }
}

// Pointers to the tap runs of rows [r0, r0 + mr) for taps [t0, t1), tap-major.
void row_pointers(const float** ptrs, const float* x, const Window2d& g, int64_t rows, int64_t r0,
                  int mr, int64_t t0, int64_t t1) {
  const int64_t per_image = g.oh * g.ow;
  // (image, oy, ox) of row r0, then stepped row by row (no division per row).
  int64_t img = r0 / per_image, oy = r0 % per_image / g.ow, ox = r0 % g.ow;
  for (int i = 0; i < mr; ++i) {
    const int64_t r = r0 + i;
    if (r >= rows) {  // past the last row: any c readable floats (not stored)
      for (int64_t t = t0; t < t1; ++t) ptrs[(t - t0) * mr + i] = x;
      continue;
    }
    if (i > 0 && ++ox == g.ow) {
      ox = 0;
      if (++oy == g.oh) oy = 0, ++img;
    }
    const int64_t iy0 = oy * g.sh - g.pad_top, ix0 = ox * g.sw - g.pad_left;
    for (int64_t t = t0, ky = t0 / g.kw, kx = t0 % g.kw; t < t1; ++t) {
      const int64_t iy = iy0 + ky, ix = ix0 + kx;
      ptrs[(t - t0) * mr + i] = (iy < 0 || iy >= g.h || ix < 0 || ix >= g.w)
                                    ? kZeros
                                    : x + ((img * g.h + iy) * g.w + ix) * g.c;
      if (++kx == g.kw) kx = 0, ++ky;
    }
  }
}

}  // namespace

void igemm_conv(float* y, int64_t ldy, const float* x, const Window2d& g, const float* packed,
                int64_t n, const OutputPass& out) {
  const int64_t rows = g.n * g.oh * g.ow, taps = g.kh * g.kw, c = g.c, k = taps * c;
  if (rows <= 0 || n <= 0) return;
  // k blocks: whole taps (tap_step of them) or channel ranges of one tap.
  const int64_t tap_step = c >= kKBlock ? 1 : std::clamp<int64_t>(kKBlock / c, 1, kMaxTaps);
  const int64_t c_step = c >= kKBlock ? kKBlock : c;
  struct KBlock {
    int64_t t0, t1, c0, c1;
  };
  std::vector<KBlock> kblocks;  // a few entries; the layer's cost dwarfs this
  for (int64_t t = 0; t < taps; t += tap_step)
    for (int64_t c0 = 0; c0 < c; c0 += c_step)
      kblocks.push_back({t, std::min(taps, t + tap_step), c0, std::min(c, c0 + c_step)});

  const int64_t panels = (n + kPanel - 1) / kPanel;
  if (kblocks.size() == 1 && panels > 1 && k * round16(n) <= kRowsOuterMaxFloats) {
    // One k block and all of the kernel fits in L2 (1x1 convs on <= 512
    // channels, small 3x3): rows outer. Each 6-row tile finds its pointers
    // once and runs every panel while its inputs sit in L1, so the input is
    // read once instead of once per panel.
    constexpr int kMr = 6;
    const int64_t tiles = (rows + kMr - 1) / kMr;
    const int64_t chunks = std::clamp<int64_t>(16 * std::max(1, omp_get_max_threads()), 1, tiles);
    const int64_t per_chunk = (tiles + chunks - 1) / chunks;
    const bool par = rows * n * k >= 64 * kParallelMinFloats && chunks > 1;
#pragma omp parallel for schedule(dynamic) if (par)
    for (int64_t ch = 0; ch < chunks; ++ch) {
      const float* ptrs[kMaxTaps * kMr];
      for (int64_t tile = ch * per_chunk; tile < std::min(tiles, (ch + 1) * per_chunk); ++tile) {
        const int64_t r0 = tile * kMr;
        row_pointers(ptrs, x, g, rows, r0, kMr, 0, taps);
        for (int64_t p = 0; p < panels; ++p) {
          const Panel pn = panel_of(p, n);
          const Tile t{y + r0 * ldy + pn.n0, ldy, std::min<int64_t>(kMr, rows - r0), r0, pn.last};
          six_row_kernel_for(pn.nv)(t, ptrs, static_cast<int>(taps), 0, c, packed + pn.n0 * k,
                                    out.accumulate, !out.accumulate, out, pn.n0);
        }
      }
    }
    return;
  }
  // Row chunks per panel: enough work items to balance two threads.
  const int64_t min_mr = 6;
  const int64_t want_items = 16 * std::max(1, omp_get_max_threads());
  const int64_t chunks =
      std::clamp<int64_t>((want_items + panels - 1) / panels, 1, (rows + min_mr - 1) / min_mr);
  const int64_t chunk_rows = (rows + chunks - 1) / chunks;
  const int64_t items = panels * chunks;
  const bool parallel = rows * n * k >= 64 * kParallelMinFloats && items > 1;

#pragma omp parallel for schedule(dynamic) if (parallel)
  for (int64_t item = 0; item < items; ++item) {
    const int64_t ch = item % chunks;
    const auto [n0, width, nv, last] = panel_of(item / chunks, n);
    const int mr = tile_rows(nv);
    const KernelFn kernel = kernel_for(nv);
    const float* panel = packed + n0 * k;
    const int64_t pw = 16 * nv;
    // Tiles start at multiples of mr within the chunk.
    const int64_t ra = ch * chunk_rows, rb = std::min(rows, ra + chunk_rows);
    const float* ptrs[kMaxTaps * 12];
    for (size_t kb = 0; kb < kblocks.size(); ++kb) {
      const KBlock& blk = kblocks[kb];
      const float* b = panel + (blk.t0 * c + blk.c0) * pw;
      for (int64_t r0 = ra; r0 < rb; r0 += mr) {
        row_pointers(ptrs, x, g, rb, r0, mr, blk.t0, blk.t1);
        const Tile t{y + r0 * ldy + n0, ldy, std::min<int64_t>(mr, rb - r0), r0, last};
        kernel(t, ptrs, static_cast<int>(blk.t1 - blk.t0), blk.c0, blk.c1, b,
               kb > 0 || out.accumulate, kb + 1 == kblocks.size() && !out.accumulate, out, n0);
      }
    }
  }
}

void igemm_gemm_serial(float* y, int64_t ldy, const float* a, int64_t lda, int64_t rows, int64_t k,
                       const float* packed, int64_t n, int64_t p0, int64_t p1) {
  const float* ptrs[12];
  for (int64_t p = p0; p < p1; ++p) {
    const auto [n0, width, nv, last] = panel_of(p, n);
    const int mr = tile_rows(nv);
    const KernelFn kernel = kernel_for(nv);
    const float* panel = packed + n0 * k;
    const int64_t pw = 16 * nv;
    float* yp = y + (n0 - p0 * kPanel);
    for (int64_t c0 = 0; c0 < k; c0 += kKBlock) {
      const int64_t c1 = std::min(k, c0 + kKBlock);
      for (int64_t r0 = 0; r0 < rows; r0 += mr) {
        for (int i = 0; i < mr; ++i) ptrs[i] = a + std::min(r0 + i, rows - 1) * lda;
        const Tile t{yp + r0 * ldy, ldy, std::min<int64_t>(mr, rows - r0), r0, last};
        kernel(t, ptrs, 1, c0, c1, panel + c0 * pw, c0 > 0, c1 == k, OutputPass{}, n0);
      }
    }
  }
}

#else

void igemm_conv(float*, int64_t, const float*, const Window2d&, const float*, int64_t,
                const OutputPass&) {}
void igemm_gemm_serial(float*, int64_t, const float*, int64_t, int64_t, int64_t, const float*,
                       int64_t, int64_t, int64_t) {}

#endif

}  // namespace modelc::detail
