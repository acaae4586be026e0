// Winograd F(4x4, 3x3) (winograd.hpp). Work items are (block of tiles, range
// of output panels). Per item, on one thread: transform the block's inputs
// into V [36][tiles][c], 36 products into M [36][tiles][range] on the packed
// U, then transform M into the outputs with the output pass. V and M live in
// a per-thread buffer (up to 96 tiles per block); the tiles of a block run over
// images and positions alike, so batch 1 and batch 8 share one code path.
#include "conv/winograd.hpp"

#include <omp.h>

#include <algorithm>
#include <vector>

#include "conv/avx512.hpp"

#include "threading.hpp"

namespace modelc::detail {
namespace {

constexpr int64_t kPoints = 36;  // 6 x 6 transformed points per tile
constexpr int64_t kOut = 4;      // outputs per tile side
constexpr int64_t kIn = 6;       // inputs per tile side

int64_t round16(int64_t v) { return (v + 15) / 16 * 16; }

}  // namespace

size_t winograd_packed_floats(int64_t c, int64_t n) {
  return static_cast<size_t>(kPoints) * igemm_packed_floats(c, n);
}

namespace {

// Writes U = G g G^T for every (input channel a, output channel b) into the
// packed panels (igemm_pack's layout, one [c, n] matrix per point); tap(ky,
// kx, a, b) reads the 3x3 kernel. Work items are 8 rows a by one 64-column
// panel, transformed in a local buffer (vectorised over b, in double) and
// then stored as 36 contiguous runs: storing point by point per (a, b) puts
// 36 writes 1 MB apart for each pair (512 x 512; likely a TLB miss each) and
// made a batch-8 training forward of that layer 8x slower (measured).
template <class Tap>
void pack_transformed(float* packed, int64_t c, int64_t n, Tap tap) {
  // G (6 x 3) for the points 0, 1, -1, 2, -2 and infinity.
  static constexpr double G[6][3] = {{1.0 / 4, 0, 0},
                                     {-1.0 / 6, -1.0 / 6, -1.0 / 6},
                                     {-1.0 / 6, 1.0 / 6, -1.0 / 6},
                                     {1.0 / 24, 1.0 / 12, 1.0 / 6},
                                     {1.0 / 24, -1.0 / 12, 1.0 / 6},
                                     {0, 0, 1}};
  constexpr int64_t kRows = 8;
  const size_t per_point = igemm_packed_floats(c, n);
  const int64_t row_blocks = (c + kRows - 1) / kRows;
  const int64_t panels = (n + kIgemmPanel - 1) / kIgemmPanel;
#pragma omp parallel for schedule(static) if (c * n >= kParallelMinFloats / 16)
  for (int64_t item = 0; item < row_blocks * panels; ++item) {
    const int64_t a0 = item / panels * kRows, a1 = std::min(c, a0 + kRows);
    const int64_t n0 = item % panels * kIgemmPanel, valid = std::min(kIgemmPanel, n - n0);
    const int64_t width = round16(valid);
    alignas(64) float u[kPoints][kRows][kIgemmPanel];
    for (int64_t a = a0; a < a1; ++a) {
      alignas(64) double g[9][kIgemmPanel], t[6][3][kIgemmPanel];
      for (int k = 0; k < 9; ++k)
        for (int64_t b = 0; b < valid; ++b) g[k][b] = tap(k / 3, k % 3, a, n0 + b);
      for (int i = 0; i < 6; ++i)
        for (int kx = 0; kx < 3; ++kx)
          for (int64_t b = 0; b < valid; ++b)
            t[i][kx][b] = G[i][0] * g[kx][b] + G[i][1] * g[3 + kx][b] + G[i][2] * g[6 + kx][b];
      for (int i = 0; i < 6; ++i)
        for (int j = 0; j < 6; ++j)
          for (int64_t b = 0; b < valid; ++b)
            u[i * 6 + j][a - a0][b] = static_cast<float>(
                t[i][0][b] * G[j][0] + t[i][1][b] * G[j][1] + t[i][2][b] * G[j][2]);
    }
    for (int64_t p = 0; p < kPoints; ++p) {
      float* dst = packed + static_cast<size_t>(p) * per_point + n0 * c + a0 * width;
      for (int64_t a = a0; a < a1; ++a, dst += width) {
        std::copy(u[p][a - a0], u[p][a - a0] + valid, dst);
        std::fill(dst + valid, dst + width, 0.0f);
      }
    }
  }
}

}  // namespace

void winograd_pack(float* packed, const float* w, int64_t c, int64_t n) {
  pack_transformed(packed, c, n, [&](int ky, int kx, int64_t a, int64_t b) {
    return static_cast<double>(w[((ky * 3 + kx) * c + a) * n + b]);
  });
}

void winograd_pack_flipped(float* packed, const float* w, int64_t c, int64_t oc) {
  // The input gradient's kernel: taps flipped, oc inputs, c outputs.
  pack_transformed(packed, oc, c, [&](int ky, int kx, int64_t a, int64_t b) {
    return static_cast<double>(w[(((2 - ky) * 3 + (2 - kx)) * c + b) * oc + a]);
  });
}

#if defined(__AVX512F__)
namespace {

// B^T d for one column of 6 vectors (rows of the 6x6 input block).
inline void input_1d(const __m512* d, __m512* r) {
  const __m512 four = _mm512_set1_ps(4.0f), five = _mm512_set1_ps(5.0f), two = _mm512_set1_ps(2.0f);
  r[0] = _mm512_fmadd_ps(four, d[0], _mm512_fnmadd_ps(five, d[2], d[4]));
  const __m512 a = _mm512_fnmadd_ps(four, d[2], d[4]);  // d4 - 4 d2
  const __m512 b = _mm512_fnmadd_ps(four, d[1], d[3]);  // d3 - 4 d1
  r[1] = _mm512_add_ps(a, b);
  r[2] = _mm512_sub_ps(a, b);
  const __m512 e = _mm512_sub_ps(d[4], d[2]);                      // d4 - d2
  const __m512 f = _mm512_mul_ps(two, _mm512_sub_ps(d[3], d[1]));  // 2 (d3 - d1)
  r[3] = _mm512_add_ps(e, f);
  r[4] = _mm512_sub_ps(e, f);
  r[5] = _mm512_fmadd_ps(four, d[1], _mm512_fnmadd_ps(five, d[3], d[5]));
}

// A^T m for one column of 6 vectors.
inline void output_1d(const __m512* m, __m512* o) {
  const __m512 two = _mm512_set1_ps(2.0f), four = _mm512_set1_ps(4.0f),
               eight = _mm512_set1_ps(8.0f);
  const __m512 s12 = _mm512_add_ps(m[1], m[2]), d12 = _mm512_sub_ps(m[1], m[2]);
  const __m512 s34 = _mm512_add_ps(m[3], m[4]), d34 = _mm512_sub_ps(m[3], m[4]);
  o[0] = _mm512_add_ps(_mm512_add_ps(m[0], s12), s34);
  o[1] = _mm512_fmadd_ps(two, d34, d12);
  o[2] = _mm512_fmadd_ps(four, s34, s12);
  o[3] = _mm512_add_ps(_mm512_fmadd_ps(eight, d34, d12), m[5]);
}

struct Tiles {
  int64_t per_row, per_image;  // tiles across, tiles per image
};

// Tile t's input origin (may be outside the image: padding).
struct TilePos {
  int64_t img, oy0, ox0;
};

inline TilePos tile_pos(const Tiles& tl, int64_t t) {
  const int64_t img = t / tl.per_image, in = t % tl.per_image;
  return {img, in / tl.per_row * kOut, in % tl.per_row * kOut};
}

// V[p][i][0:cp] for tiles [t0, t0 + nt), row stride cp (channels past c are zero).
void transform_inputs(float* v, int64_t cp, int64_t nt, const float* x, const Window2d& g,
                      const Tiles& tl, int64_t t0) {
  const __m512 zero = _mm512_setzero_ps();
  for (int64_t i = 0; i < nt; ++i) {
    const TilePos tp = tile_pos(tl, t0 + i);
    const int64_t iy0 = tp.oy0 - g.pad_top, ix0 = tp.ox0 - g.pad_left;
    const float* row[kIn];
    bool col_ok[kIn];
    for (int r = 0; r < kIn; ++r) {
      const int64_t iy = iy0 + r;
      row[r] = iy >= 0 && iy < g.h ? x + (tp.img * g.h + iy) * g.w * g.c : nullptr;
      const int64_t ix = ix0 + r;
      col_ok[r] = ix >= 0 && ix < g.w;
    }
    for (int64_t c0 = 0; c0 < cp; c0 += 16) {
      const int64_t rem = g.c - c0;
      const __mmask16 m = static_cast<__mmask16>(rem >= 16 ? 0xFFFF : (1u << rem) - 1);
      __m512 t[kIn][kIn];  // t[i][col] = (B^T d)[i][col]
      for (int col = 0; col < kIn; ++col) {
        __m512 d[kIn];
        for (int r = 0; r < kIn; ++r)
          d[r] = row[r] != nullptr && col_ok[col]
                     ? _mm512_maskz_loadu_ps(m, row[r] + (ix0 + col) * g.c + c0)
                     : zero;
        __m512 r6[kIn];
        input_1d(d, r6);
        for (int r = 0; r < kIn; ++r) t[r][col] = r6[r];
      }
      for (int r = 0; r < kIn; ++r) {
        __m512 o6[kIn];
        input_1d(t[r], o6);
        for (int j = 0; j < kIn; ++j)
          _mm512_store_ps(v + ((r * kIn + j) * nt + i) * cp + c0, o6[j]);
      }
    }
  }
}

// y for tiles [t0, t0 + nt) and output columns [n0, n0 + width) from M[p][i][0:ldm].
void transform_outputs(float* y, int64_t ldy, const float* mm, int64_t ldm, int64_t nt,
                       const Window2d& g, const Tiles& tl, int64_t t0, int64_t n0, int64_t width,
                       const OutputPass& out) {
  const __m512 zero = _mm512_setzero_ps();
  for (int64_t i = 0; i < nt; ++i) {
    const TilePos tp = tile_pos(tl, t0 + i);
    const int64_t rows_ok = std::min(kOut, g.oh - tp.oy0), cols_ok = std::min(kOut, g.ow - tp.ox0);
    for (int64_t k0 = 0; k0 < width; k0 += 16) {
      const int64_t rem = width - k0, o = n0 + k0;
      const __mmask16 m = static_cast<__mmask16>(rem >= 16 ? 0xFFFF : (1u << rem) - 1);
      __m512 s[kOut][kIn];  // (A^T M)[r][j]
      for (int j = 0; j < kIn; ++j) {
        __m512 col[kIn], o4[kOut];
        for (int r = 0; r < kIn; ++r)
          col[r] = _mm512_load_ps(mm + ((r * kIn + j) * nt + i) * ldm + k0);
        output_1d(col, o4);
        for (int r = 0; r < kOut; ++r) s[r][j] = o4[r];
      }
      const __m512 scale = out.scale ? _mm512_maskz_loadu_ps(m, out.scale + o) : zero;
      const __m512 shift = out.shift ? _mm512_maskz_loadu_ps(m, out.shift + o) : zero;
      for (int r = 0; r < rows_ok; ++r) {
        __m512 o4[kOut];
        output_1d(s[r], o4);
        const int64_t row0 = (tp.img * g.oh + tp.oy0 + r) * g.ow + tp.ox0;
        for (int cc = 0; cc < cols_ok; ++cc) {
          __m512 z = o4[cc];
          if (out.accumulate) {
            float* dst = y + (row0 + cc) * ldy + o;
            _mm512_mask_storeu_ps(dst, m, _mm512_add_ps(z, _mm512_maskz_loadu_ps(m, dst)));
            continue;
          }
          if (out.scale) z = _mm512_mul_ps(z, scale);
          z = _mm512_add_ps(z, shift);
          if (out.residual)
            z = _mm512_add_ps(
                z, _mm512_maskz_loadu_ps(m, out.residual + (row0 + cc) * out.ld_residual + o));
          if (out.relu) z = _mm512_max_ps(z, zero);
          _mm512_mask_storeu_ps(y + (row0 + cc) * ldy + o, m, z);
        }
      }
    }
  }
}

}  // namespace

void winograd_conv(float* y, int64_t ldy, const float* x, const Window2d& g, const float* packed,
                   int64_t n, const OutputPass& out) {
  const Tiles tl{(g.ow + kOut - 1) / kOut, ((g.oh + kOut - 1) / kOut) * ((g.ow + kOut - 1) / kOut)};
  const int64_t tiles = g.n * tl.per_image;
  if (tiles <= 0 || n <= 0) return;
  const int64_t cp = round16(g.c);
  // Tiles per block: at most 96, as even as possible, a multiple of 12 (the
  // GEMM's 6 and 12-row tiles). Every block streams all of U (36 x c x n
  // floats: 38 MB for 512 x 512, assumed larger than the caches: this VM
  // does not report them), so blocks stay large even when V [36, tiles, c]
  // outgrows L2 (measured: 24-tile blocks made VGG16's 512-channel layers
  // 1.4-1.5x slower on one thread than 96); few tiles (deep layers at
  // batch 1) are one block, its output panels split between the threads.
  constexpr int64_t kMaxTiles = 96;
  const int64_t blocks = (tiles + kMaxTiles - 1) / kMaxTiles;
  const int64_t nt = std::min(tiles, ((tiles + blocks - 1) / blocks + 11) / 12 * 12);
  const int64_t panels = (n + kIgemmPanel - 1) / kIgemmPanel;
  const int threads = std::max(1, omp_get_max_threads());
  // Split the output panels when there are too few blocks to share out.
  const int64_t parts = std::clamp<int64_t>((2 * threads + blocks - 1) / blocks, 1, panels);
  const int64_t panels_per_part = (panels + parts - 1) / parts;
  const int64_t items = blocks * parts;
  const size_t per_point = igemm_packed_floats(g.c, n);
  const int64_t ldm = panels_per_part * kIgemmPanel;
  const size_t v_floats = static_cast<size_t>(kPoints * nt * cp);
  const size_t m_floats = static_cast<size_t>(kPoints * nt * ldm);
  const bool parallel = items > 1 && tiles * g.c * n >= kParallelMinFloats;

#pragma omp parallel for schedule(dynamic) if (parallel)
  for (int64_t item = 0; item < items; ++item) {
    const int64_t b = item / parts, part = item % parts;
    const int64_t t0 = b * nt, count = std::min(nt, tiles - t0);
    const int64_t p0 = part * panels_per_part, p1 = std::min(panels, p0 + panels_per_part);
    if (p0 >= p1) continue;
    float* v = thread_scratch(v_floats + m_floats);
    float* mm = v + v_floats;
    transform_inputs(v, cp, count, x, g, tl, t0);
    for (int64_t p = 0; p < kPoints; ++p)
      igemm_gemm_serial(mm + p * count * ldm, ldm, v + p * count * cp, cp, count, g.c,
                        packed + static_cast<size_t>(p) * per_point, n, p0, p1);
    const int64_t n0 = p0 * kIgemmPanel, width = std::min(n, p1 * kIgemmPanel) - n0;
    transform_outputs(y, ldy, mm, ldm, count, g, tl, t0, n0, width, out);
  }
}

#else

void winograd_conv(float*, int64_t, const float*, const Window2d&, const float*, int64_t,
                   const OutputPass&) {}

#endif

}  // namespace modelc::detail
