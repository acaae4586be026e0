// slice: a strided row copy; backward adds each dy row into its window of dx.
#include "modelc/slice.hpp"

#include <algorithm>

#include "threading.hpp"

namespace modelc {

void slice_forward(float* y, const float* x, int64_t rows, int64_t c, int64_t begin, int64_t size) {
#pragma omp parallel for schedule(static) if (rows * size >= detail::kParallelMinFloats)
  for (int64_t r = 0; r < rows; ++r) {
    const float* src = x + r * c + begin;
    std::copy(src, src + size, y + r * size);
  }
}

void slice_backward(float* dx, const float* dy, int64_t rows, int64_t c, int64_t begin,
                    int64_t size) {
#pragma omp parallel for schedule(static) if (rows * size >= detail::kParallelMinFloats)
  for (int64_t r = 0; r < rows; ++r) {
    float* dst = dx + r * c + begin;
    const float* src = dy + r * size;
#pragma omp simd
    for (int64_t j = 0; j < size; ++j) dst[j] += src[j];
  }
}

}  // namespace modelc
