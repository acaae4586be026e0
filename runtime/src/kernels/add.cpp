// add: y = sum of the inputs (n floats each), in input order; dx_i += dy.
// Works in chunks through a small buffer, so y may alias any input. The
// equal-shape pair stays separate from the broadcasting one (broadcast.hpp):
// it is the residual join of the big models, one flat loop.
#include "modelc/add.hpp"

#include <algorithm>

#include "broadcast.hpp"

namespace modelc {

void add_forward(float* y, std::span<const float* const> xs, int64_t n) {
  if (xs.empty()) {
    std::fill(y, y + n, 0.0f);
    return;
  }
  constexpr int64_t chunk = 1024;
  const int64_t chunks = (n + chunk - 1) / chunk;
#pragma omp parallel for if (n > (int64_t{1} << 16)) schedule(static)
  for (int64_t k = 0; k < chunks; ++k) {
    const int64_t begin = k * chunk, len = std::min(chunk, n - begin);
    float acc[chunk];
    std::copy(xs[0] + begin, xs[0] + begin + len, acc);
    for (size_t i = 1; i < xs.size(); ++i) {
      const float* x = xs[i] + begin;
      for (int64_t j = 0; j < len; ++j) acc[j] += x[j];
    }
    std::copy(acc, acc + len, y + begin);
  }
}

void add_backward(std::span<float* const> dxs, const float* dy, int64_t n) {
  for (float* dx : dxs) {
    if (dx == nullptr) continue;
#pragma omp parallel for simd if (n > (int64_t{1} << 16)) schedule(static)
    for (int64_t j = 0; j < n; ++j) dx[j] += dy[j];
  }
}

void add_broadcast_forward(float* y, std::span<const float* const> xs, std::span<const bool> bcast,
                           int64_t n, int64_t rows, int64_t c) {
  detail::broadcast_forward(y, xs, bcast, n, rows, c, [](float& a, float x) { a += x; });
}

void add_broadcast_backward(std::span<float* const> dxs, const float* dy,
                            std::span<const bool> bcast, int64_t n, int64_t rows, int64_t c) {
  detail::broadcast_backward(dxs, bcast, n, rows, c,
                             [&](size_t, int64_t r, int64_t c0, int64_t len, float* g) {
                               std::copy(dy + r * c + c0, dy + r * c + c0 + len, g);
                             });
}

}  // namespace modelc
