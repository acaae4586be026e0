// channel_shuffle: per row, y[i·g + j] = x[j·(c/g) + i]; backward scatters dy
// back through the same index map, adding. Rows split over threads.
#include "modelc/channel_shuffle.hpp"

#include "threading.hpp"

namespace modelc {

void channel_shuffle_forward(float* y, const float* x, int64_t rows, int64_t c, int64_t groups) {
  const int64_t per = c / groups;
#pragma omp parallel for schedule(static) if (rows * c >= detail::kParallelMinFloats)
  for (int64_t r = 0; r < rows; ++r) {
    const float* src = x + r * c;
    float* dst = y + r * c;
    // Writes are contiguous: the inner loop reads with stride c/g.
    for (int64_t i = 0; i < per; ++i)
      for (int64_t j = 0; j < groups; ++j) dst[i * groups + j] = src[j * per + i];
  }
}

void channel_shuffle_backward(float* dx, const float* dy, int64_t rows, int64_t c, int64_t groups) {
  const int64_t per = c / groups;
#pragma omp parallel for schedule(static) if (rows * c >= detail::kParallelMinFloats)
  for (int64_t r = 0; r < rows; ++r) {
    const float* src = dy + r * c;
    float* dst = dx + r * c;
    for (int64_t i = 0; i < per; ++i)
      for (int64_t j = 0; j < groups; ++j) dst[j * per + i] += src[i * groups + j];
  }
}

}  // namespace modelc
