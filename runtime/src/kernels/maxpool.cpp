// maxpool over the real cells of each window; backward sends dy to the first
// cell (row-major window order) equal to the forward output y.
#include "modelc/maxpool.hpp"

#include <algorithm>
#include <cstdint>
#include <cstring>

#include "kernels/pool_window.hpp"

namespace modelc {

void maxpool_forward(float* y, const float* x, const Window2d& g) {
  const int64_t c = g.c, nrows = g.n * g.oh;
#pragma omp parallel for schedule(static) if (nrows * g.ow * g.kh * g.kw * c >= \
                                              detail::kParallelMinFloats)
  for (int64_t nr = 0; nr < nrows; ++nr) {
    const int64_t n = nr / g.oh;
    const auto sy = detail::window_span(nr % g.oh, g.sh, g.pad_top, g.kh, g.h);
    for (int64_t ox = 0; ox < g.ow; ++ox) {
      const auto sx = detail::window_span(ox, g.sw, g.pad_left, g.kw, g.w);
      float* out = y + (nr * g.ow + ox) * c;
      bool first = true;
      for (int64_t ky = sy.lo; ky < sy.hi; ++ky) {
        const float* row = x + ((n * g.h + sy.first + ky) * g.w + sx.first) * c;
        for (int64_t kx = sx.lo; kx < sx.hi; ++kx) {
          const float* in = row + kx * c;
          if (first) {
            std::memcpy(out, in, static_cast<size_t>(c) * sizeof(float));
            first = false;
          } else {
            for (int64_t ci = 0; ci < c; ++ci) out[ci] = std::max(out[ci], in[ci]);
          }
        }
      }
      if (first) std::fill_n(out, c, 0.0f);  // a window of padding only (never for valid/same)
    }
  }
}

void maxpool_backward(float* dx, const float* dy, const float* x, const float* y,
                      const Window2d& g) {
  constexpr int64_t kChunk = 64;  // channels per pass; `done` lives on the stack
  detail::for_rows_in_disjoint_phases(g, [&](int64_t n, int64_t oy) {
    const int64_t c = g.c;
    const auto sy = detail::window_span(oy, g.sh, g.pad_top, g.kh, g.h);
    for (int64_t ox = 0; ox < g.ow; ++ox) {
      const auto sx = detail::window_span(ox, g.sw, g.pad_left, g.kw, g.w);
      const int64_t o = ((n * g.oh + oy) * g.ow + ox) * c;
      for (int64_t c0 = 0; c0 < c; c0 += kChunk) {
        const int64_t nc = std::min(kChunk, c - c0);
        const float* ymax = y + o + c0;
        const float* grad = dy + o + c0;
        int32_t done[kChunk] = {};  // int32, not bool: keeps the loop below vectorisable
        for (int64_t ky = sy.lo; ky < sy.hi; ++ky) {
          const int64_t row = ((n * g.h + sy.first + ky) * g.w + sx.first) * c + c0;
          for (int64_t kx = sx.lo; kx < sx.hi; ++kx) {
            const float* in = x + row + kx * c;
            float* d = dx + row + kx * c;
            // Branch-free so it vectorises over channels (adding 0 leaves d unchanged).
            for (int64_t ci = 0; ci < nc; ++ci) {
              const int32_t hit =
                  static_cast<int32_t>(done[ci] == 0) & static_cast<int32_t>(in[ci] == ymax[ci]);
              d[ci] += hit != 0 ? grad[ci] : 0.0f;
              done[ci] |= hit;
            }
          }
        }
      }
    }
  });
}

}  // namespace modelc
