// im2col by output rows, col2im by input rows (a gather: each thread owns the dx
// rows it writes, so no two threads touch one element and sums run in a fixed order).
#include "conv/im2col.hpp"

#include <algorithm>
#include <cstring>

#include "threading.hpp"

namespace modelc::detail {

void im2col_rows(float* col, const float* x, const Window2d& g, int64_t r0, int64_t r1) {
  const int64_t c = g.c, kdim = g.kh * g.kw * c, per_image = g.oh * g.ow;
#pragma omp parallel for schedule(static) if ((r1 - r0) * kdim >= kParallelMinFloats)
  for (int64_t r = r0; r < r1; ++r) {
    const int64_t n = r / per_image, oy = (r % per_image) / g.ow, ox = r % g.ow;
    const int64_t ix0 = ox * g.sw - g.pad_left;
    // kx in [kx0, kx1) reads real columns; they are contiguous in x (NHWC).
    const int64_t kx0 = std::clamp<int64_t>(-ix0, 0, g.kw);
    const int64_t kx1 = std::clamp<int64_t>(g.w - ix0, kx0, g.kw);
    float* out = col + (r - r0) * kdim;
    for (int64_t ky = 0; ky < g.kh; ++ky, out += g.kw * c) {
      const int64_t iy = oy * g.sh + ky - g.pad_top;
      if (iy < 0 || iy >= g.h) {
        std::fill_n(out, g.kw * c, 0.0f);
        continue;
      }
      std::fill_n(out, kx0 * c, 0.0f);
      if (kx1 > kx0) {
        const float* src = x + ((n * g.h + iy) * g.w + ix0 + kx0) * c;
        std::memcpy(out + kx0 * c, src, static_cast<size_t>((kx1 - kx0) * c) * sizeof(float));
      }
      std::fill_n(out + kx1 * c, (g.kw - kx1) * c, 0.0f);
    }
  }
}

void im2col(float* col, const float* x, const Window2d& g) {
  im2col_rows(col, x, g, 0, g.n * g.oh * g.ow);
}

void col2im_add(float* dx, const float* dcol, const Window2d& g) {
  const int64_t c = g.c, kdim = g.kh * g.kw * c;
  const int64_t nrows = g.n * g.h;
#pragma omp parallel for schedule(static) if (g.n * g.oh * g.ow * kdim >= kParallelMinFloats)
  for (int64_t nr = 0; nr < nrows; ++nr) {
    const int64_t n = nr / g.h, iy = nr % g.h;
    float* dxrow = dx + nr * g.w * c;
    for (int64_t ky = 0; ky < g.kh; ++ky) {
      const int64_t ty = iy + g.pad_top - ky;  // = oy * sh
      if (ty < 0 || ty % g.sh != 0 || ty / g.sh >= g.oh) continue;
      const float* drow = dcol + (n * g.oh + ty / g.sh) * g.ow * kdim + ky * g.kw * c;
      for (int64_t ix = 0; ix < g.w; ++ix) {
        float* d = dxrow + ix * c;
        for (int64_t kx = 0; kx < g.kw; ++kx) {
          const int64_t tx = ix + g.pad_left - kx;  // = ox * sw
          if (tx < 0 || tx % g.sw != 0 || tx / g.sw >= g.ow) continue;
          const float* s = drow + (tx / g.sw) * kdim + kx * c;
          for (int64_t ci = 0; ci < c; ++ci) d[ci] += s[ci];
        }
      }
    }
  }
}

}  // namespace modelc::detail
