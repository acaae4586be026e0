// multiply: the broadcasting loops of broadcast.hpp with a product; the
// gradient of input i multiplies dy by the other inputs directly (no division,
// so zeros are fine).
#include "modelc/multiply.hpp"

#include <algorithm>

#include "broadcast.hpp"

namespace modelc {

void multiply_forward(float* y, std::span<const float* const> xs, std::span<const bool> bcast,
                      int64_t n, int64_t rows, int64_t c) {
  detail::broadcast_forward(y, xs, bcast, n, rows, c, [](float& a, float x) { a *= x; });
}

void multiply_backward(std::span<float* const> dxs, const float* dy,
                       std::span<const float* const> xs, std::span<const bool> bcast, int64_t n,
                       int64_t rows, int64_t c) {
  const auto grad = [&](size_t i, int64_t r, int64_t c0, int64_t len, float* g) {
    const float* d = dy + r * c + c0;
    std::copy(d, d + len, g);
    for (size_t k = 0; k < xs.size(); ++k) {
      if (k == i) continue;
      const float* x = detail::broadcast_row(xs, bcast, k, r, rows, c) + c0;
      for (int64_t j = 0; j < len; ++j) g[j] *= x[j];
    }
  };
  detail::broadcast_backward(dxs, bcast, n, rows, c, grad);
}

}  // namespace modelc
