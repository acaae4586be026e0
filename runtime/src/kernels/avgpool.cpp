// avgpool: the sum of each window's real cells over their count, or over the
// window clipped to the padded input (count_padding).
#include "modelc/avgpool.hpp"

#include <algorithm>

#include "kernels/pool_window.hpp"

namespace modelc {

namespace {

// The divisor of the window at (oy, ox) whose real cells are sy x sx.
int64_t divisor(const AvgpoolGeom& p, const detail::WindowSpan& sy, const detail::WindowSpan& sx) {
  if (!p.count_padding) return (sy.hi - sy.lo) * (sx.hi - sx.lo);
  const Window2d& g = p.win;
  const auto clipped = [](int64_t first, int64_t k, int64_t before, int64_t end) {
    return std::min(first + k, end) - std::max(first, -before);
  };
  return clipped(sy.first, g.kh, g.pad_top, g.h + p.pad_bottom) *
         clipped(sx.first, g.kw, g.pad_left, g.w + p.pad_right);
}

}  // namespace

void avgpool_forward(float* y, const float* x, const AvgpoolGeom& p) {
  const Window2d& g = p.win;
  const int64_t c = g.c, nrows = g.n * g.oh;
#pragma omp parallel for schedule(static) if (nrows * g.ow * g.kh * g.kw * c >= \
                                              detail::kParallelMinFloats)
  for (int64_t nr = 0; nr < nrows; ++nr) {
    const int64_t n = nr / g.oh;
    const auto sy = detail::window_span(nr % g.oh, g.sh, g.pad_top, g.kh, g.h);
    for (int64_t ox = 0; ox < g.ow; ++ox) {
      const auto sx = detail::window_span(ox, g.sw, g.pad_left, g.kw, g.w);
      float* out = y + (nr * g.ow + ox) * c;
      for (int64_t ci = 0; ci < c; ++ci) out[ci] = 0.0f;
      for (int64_t ky = sy.lo; ky < sy.hi; ++ky) {
        const float* row = x + ((n * g.h + sy.first + ky) * g.w + sx.first) * c;
        for (int64_t kx = sx.lo; kx < sx.hi; ++kx) {
          for (int64_t ci = 0; ci < c; ++ci) out[ci] += row[kx * c + ci];
        }
      }
      const int64_t count = divisor(p, sy, sx);
      if (count > 0) {
        const float real = static_cast<float>(count);
        for (int64_t ci = 0; ci < c; ++ci) out[ci] /= real;
      }
    }
  }
}

void avgpool_backward(float* dx, const float* dy, const AvgpoolGeom& p) {
  const Window2d& g = p.win;
  detail::for_rows_in_disjoint_phases(g, [&](int64_t n, int64_t oy) {
    const int64_t c = g.c;
    const auto sy = detail::window_span(oy, g.sh, g.pad_top, g.kh, g.h);
    for (int64_t ox = 0; ox < g.ow; ++ox) {
      const auto sx = detail::window_span(ox, g.sw, g.pad_left, g.kw, g.w);
      const int64_t count = divisor(p, sy, sx);
      if (count <= 0) continue;
      const float inv = 1.0f / static_cast<float>(count);
      const float* d = dy + ((n * g.oh + oy) * g.ow + ox) * c;
      for (int64_t ky = sy.lo; ky < sy.hi; ++ky) {
        float* row = dx + ((n * g.h + sy.first + ky) * g.w + sx.first) * c;
        for (int64_t kx = sx.lo; kx < sx.hi; ++kx) {
          for (int64_t ci = 0; ci < c; ++ci) row[kx * c + ci] += d[ci] * inv;
        }
      }
    }
  });
}

}  // namespace modelc
