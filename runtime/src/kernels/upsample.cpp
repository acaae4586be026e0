// upsample, NHWC, integer factors sh, sw; output oh = h·sh, ow = w·sw.
// Nearest: y[i, j] = x[i / sh, j / sw]. Bilinear: output row i reads source
// s = clamp((i + 0.5) / sh − 0.5, 0, h − 1), rows floor(s) and the next one
// (clamped) with weights 1 − frac(s), frac(s); columns alike. Each pass works a
// whole row at a time (w·c or ow·c contiguous floats) so the inner loops
// vectorise for any c. The backward kernels gather per input row instead of
// scattering per output row, so that rows can go to threads without atomics
// and the sums are the same for any thread count.
#include "modelc/upsample.hpp"

#include <algorithm>
#include <cstring>
#include <vector>

#include "threading.hpp"

namespace modelc {
namespace {

constexpr int64_t kParallelMin = int64_t{1} << 16;  // floats of output

// Output index i on an axis of n inputs scaled by s: the two source indices
// and the weight of the second.
struct Tap {
  int64_t i0, i1;
  float w1;
};

Tap tap(int64_t i, int64_t s, int64_t n) {
  double src = (static_cast<double>(i) + 0.5) / static_cast<double>(s) - 0.5;
  src = std::clamp(src, 0.0, static_cast<double>(n - 1));
  const auto i0 = static_cast<int64_t>(src);
  return {i0, std::min(i0 + 1, n - 1), static_cast<float>(src - static_cast<double>(i0))};
}

// The weight output index i gives source index r (0 when it does not read it).
float weight_of(const Tap& t, int64_t r) {
  return (t.i0 == r ? 1.0f - t.w1 : 0.0f) + (t.i1 == r ? t.w1 : 0.0f);
}

// The column taps, computed once per call and read by every thread (a row
// recomputing them would divide once per output pixel: most of the work when
// c is small). Grow-only per calling thread: no allocation after the largest.
const Tap* column_taps(int64_t ow, int64_t s, int64_t w) {
  thread_local std::vector<Tap> taps;
  if (taps.size() < static_cast<size_t>(ow)) taps.resize(static_cast<size_t>(ow));
  for (int64_t j = 0; j < ow; ++j) taps[static_cast<size_t>(j)] = tap(j, s, w);
  return taps.data();
}

}  // namespace

void upsample_nearest_forward(float* y, const float* x, const UpsampleGeom& g) {
  const int64_t ow = g.w * g.sw, c = g.c, in_row = g.w * c, out_row = ow * c;
  // One output row per input row is built; its sh − 1 copies follow.
#pragma omp parallel for collapse(2) if (g.n * g.h * g.sh * out_row > kParallelMin) schedule(static)
  for (int64_t b = 0; b < g.n; ++b) {
    for (int64_t i = 0; i < g.h; ++i) {
      const float* xr = x + (b * g.h + i) * in_row;
      float* yr = y + (b * g.h + i) * g.sh * out_row;
      for (int64_t q = 0; q < g.w; ++q) {
        for (int64_t dj = 0; dj < g.sw; ++dj) {
          float* yp = yr + (q * g.sw + dj) * c;
#pragma omp simd
          for (int64_t ch = 0; ch < c; ++ch) yp[ch] = xr[q * c + ch];
        }
      }
      for (int64_t di = 1; di < g.sh; ++di)
        std::memcpy(yr + di * out_row, yr, static_cast<size_t>(out_row) * sizeof(float));
    }
  }
}

void upsample_nearest_backward(float* dx, const float* dy, const UpsampleGeom& g) {
  const int64_t ow = g.w * g.sw, c = g.c, in_row = g.w * c, out_row = ow * c;
#pragma omp parallel for collapse(2) if (g.n * g.h * g.sh * out_row > kParallelMin) schedule(static)
  for (int64_t b = 0; b < g.n; ++b) {
    for (int64_t i = 0; i < g.h; ++i) {
      // The block's sh output rows summed first, over the whole contiguous row.
      float* t = detail::thread_scratch(static_cast<size_t>(out_row));
      const float* dyr = dy + (b * g.h + i) * g.sh * out_row;
      std::memcpy(t, dyr, static_cast<size_t>(out_row) * sizeof(float));
      for (int64_t di = 1; di < g.sh; ++di) {
        const float* d = dyr + di * out_row;
#pragma omp simd
        for (int64_t k = 0; k < out_row; ++k) t[k] += d[k];
      }
      float* dxr = dx + (b * g.h + i) * in_row;
      for (int64_t q = 0; q < g.w; ++q) {
        for (int64_t dj = 0; dj < g.sw; ++dj) {
          const float* tp = t + (q * g.sw + dj) * c;
#pragma omp simd
          for (int64_t ch = 0; ch < c; ++ch) dxr[q * c + ch] += tp[ch];
        }
      }
    }
  }
}

void upsample_bilinear_forward(float* y, const float* x, const UpsampleGeom& g) {
  const int64_t oh = g.h * g.sh, ow = g.w * g.sw, c = g.c, in_row = g.w * c, out_row = ow * c;
  const Tap* cols = column_taps(ow, g.sw, g.w);
#pragma omp parallel for collapse(2) if (g.n * oh * out_row > kParallelMin) schedule(static)
  for (int64_t b = 0; b < g.n; ++b) {
    for (int64_t i = 0; i < oh; ++i) {
      // Rows first: t is the source row at height s, w·c floats.
      const Tap r = tap(i, g.sh, g.h);
      const float* x0 = x + (b * g.h + r.i0) * in_row;
      const float* x1 = x + (b * g.h + r.i1) * in_row;
      float* t = detail::thread_scratch(static_cast<size_t>(in_row));
      const float a0 = 1.0f - r.w1, a1 = r.w1;
#pragma omp simd
      for (int64_t k = 0; k < in_row; ++k) t[k] = a0 * x0[k] + a1 * x1[k];
      float* yr = y + (b * oh + i) * out_row;
      for (int64_t j = 0; j < ow; ++j) {
        const Tap& s = cols[j];
        const float b0 = 1.0f - s.w1, b1 = s.w1;
        const float* t0 = t + s.i0 * c;
        const float* t1 = t + s.i1 * c;
#pragma omp simd
        for (int64_t ch = 0; ch < c; ++ch) yr[j * c + ch] = b0 * t0[ch] + b1 * t1[ch];
      }
    }
  }
}

void upsample_bilinear_backward(float* dx, const float* dy, const UpsampleGeom& g) {
  const int64_t oh = g.h * g.sh, ow = g.w * g.sw, c = g.c, in_row = g.w * c, out_row = ow * c;
  const Tap* cols = column_taps(ow, g.sw, g.w);
#pragma omp parallel for collapse(2) if (g.n * oh * out_row > kParallelMin) schedule(static)
  for (int64_t b = 0; b < g.n; ++b) {
    for (int64_t r = 0; r < g.h; ++r) {
      // Output rows reading source row r lie within [(r − 1)·sh, (r + 2)·sh): the
      // source of row i is within 1 of (i + 0.5)/sh − 0.5 before the clamp,
      // and the clamp moves only rows past the ends onto rows 0 and h − 1.
      float* t = detail::thread_scratch(static_cast<size_t>(out_row));
      std::fill(t, t + out_row, 0.0f);
      const int64_t i_end = std::min(oh, (r + 2) * g.sh);
      for (int64_t i = std::max<int64_t>(0, (r - 1) * g.sh); i < i_end; ++i) {
        const float a = weight_of(tap(i, g.sh, g.h), r);
        if (a == 0.0f) continue;
        const float* d = dy + (b * oh + i) * out_row;
#pragma omp simd
        for (int64_t k = 0; k < out_row; ++k) t[k] += a * d[k];
      }
      float* dxr = dx + (b * g.h + r) * in_row;
      for (int64_t q = 0; q < g.w; ++q) {
        const int64_t j_end = std::min(ow, (q + 2) * g.sw);
        for (int64_t j = std::max<int64_t>(0, (q - 1) * g.sw); j < j_end; ++j) {
          const float a = weight_of(cols[j], q);
          if (a == 0.0f) continue;
          const float* tp = t + j * c;
#pragma omp simd
          for (int64_t ch = 0; ch < c; ++ch) dxr[q * c + ch] += a * tp[ch];
        }
      }
    }
  }
}

}  // namespace modelc
