// zeropad, NHWC: y[n, top + i, left + j, :] = x[n, i, j, :], zeros elsewhere;
// backward crops: dx[n, i, j, :] += dy[n, top + i, left + j, :].
#include "modelc/zeropad.hpp"

#include <algorithm>

namespace modelc {

void zeropad_forward(float* y, const float* x, const ZeropadGeom& g) {
  const int64_t oh = g.top + g.h + g.bottom, ow = g.left + g.w + g.right;
  const int64_t out_row = ow * g.c, in_row = g.w * g.c;
#pragma omp parallel for collapse(2) if (g.n * oh * out_row > (int64_t{1} << 16)) schedule(static)
  for (int64_t b = 0; b < g.n; ++b) {
    for (int64_t i = 0; i < oh; ++i) {
      float* yr = y + (b * oh + i) * out_row;
      const int64_t src = i - g.top;
      if (src < 0 || src >= g.h) {
        std::fill(yr, yr + out_row, 0.0f);
        continue;
      }
      const float* xr = x + (b * g.h + src) * in_row;
      yr = std::fill_n(yr, g.left * g.c, 0.0f);
      yr = std::copy(xr, xr + in_row, yr);
      std::fill_n(yr, g.right * g.c, 0.0f);
    }
  }
}

void zeropad_backward(float* dx, const float* dy, const ZeropadGeom& g) {
  const int64_t oh = g.top + g.h + g.bottom, ow = g.left + g.w + g.right;
  const int64_t out_row = ow * g.c, in_row = g.w * g.c;
#pragma omp parallel for collapse(2) if (g.n * g.h * in_row > (int64_t{1} << 16)) schedule(static)
  for (int64_t b = 0; b < g.n; ++b) {
    for (int64_t i = 0; i < g.h; ++i) {
      const float* dyr = dy + (b * oh + i + g.top) * out_row + g.left * g.c;
      float* dxr = dx + (b * g.h + i) * in_row;
      for (int64_t j = 0; j < in_row; ++j) dxr[j] += dyr[j];
    }
  }
}

}  // namespace modelc
