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

namespace modelc::detail {

void im2col_grouped(float* col, const float* x, const Window2d& g, int64_t groups) {
  const int64_t cg = g.c / groups, kg = g.kh * g.kw * cg, rows = g.n * g.oh * g.ow;
  const int64_t per_image = g.oh * g.ow;
#pragma omp parallel for schedule(static) if (rows * kg * groups >= kParallelMinFloats)
  for (int64_t r = 0; r < rows; ++r) {
    const int64_t n = r / per_image, oy = (r % per_image) / g.ow, ox = r % g.ow;
    for (int64_t ky = 0; ky < g.kh; ++ky) {
      const int64_t iy = oy * g.sh + ky * g.dh - g.pad_top;
      for (int64_t kx = 0; kx < g.kw; ++kx) {
        const int64_t ix = ox * g.sw + kx * g.dw - g.pad_left;
        const bool inside = iy >= 0 && iy < g.h && ix >= 0 && ix < g.w;
        const float* src = inside ? x + ((n * g.h + iy) * g.w + ix) * g.c : nullptr;
        for (int64_t grp = 0; grp < groups; ++grp) {
          float* out = col + (grp * rows + r) * kg + (ky * g.kw + kx) * cg;
          if (inside) {
            std::memcpy(out, src + grp * cg, static_cast<size_t>(cg) * sizeof(float));
          } else {
            std::fill_n(out, cg, 0.0f);
          }
        }
      }
    }
  }
}

void col2im_grouped_add(float* dx, const float* dcol, const Window2d& g, int64_t groups) {
  const int64_t cg = g.c / groups, kg = g.kh * g.kw * cg, rows = g.n * g.oh * g.ow;
  const int64_t nrows = g.n * g.h;
#pragma omp parallel for schedule(static) if (rows * kg * groups >= kParallelMinFloats)
  for (int64_t nr = 0; nr < nrows; ++nr) {
    const int64_t n = nr / g.h, iy = nr % g.h;
    float* dxrow = dx + nr * g.w * g.c;
    for (int64_t ky = 0; ky < g.kh; ++ky) {
      const int64_t ty = iy + g.pad_top - ky * g.dh;  // = oy * sh
      if (ty < 0 || ty % g.sh != 0 || ty / g.sh >= g.oh) continue;
      const int64_t row0 = (n * g.oh + ty / g.sh) * g.ow;
      for (int64_t ix = 0; ix < g.w; ++ix) {
        for (int64_t kx = 0; kx < g.kw; ++kx) {
          const int64_t tx = ix + g.pad_left - kx * g.dw;  // = ox * sw
          if (tx < 0 || tx % g.sw != 0 || tx / g.sw >= g.ow) continue;
          const int64_t r = row0 + tx / g.sw;
          for (int64_t grp = 0; grp < groups; ++grp) {
            const float* s = dcol + (grp * rows + r) * kg + (ky * g.kw + kx) * cg;
            float* d = dxrow + ix * g.c + grp * cg;
            for (int64_t ci = 0; ci < cg; ++ci) d[ci] += s[ci];
          }
        }
      }
    }
  }
}

}  // namespace modelc::detail
