// Inverted dropout: keep element i iff u_i >= rate, u_i = 53 bits of hash64(seed, i)
// in [0, 1); kept elements are scaled by 1 / (1 - rate). The mask depends only on
// (seed, i), never on the thread count.
#include "modelc/dropout.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include "modelc/error.hpp"
#include "modelc/init.hpp"

namespace modelc {
namespace {

void check_rate(float rate, const char* who) {
  if (!(rate >= 0.0f && rate < 1.0f)) {  // also rejects NaN
    throw Error(std::string(who) + ": rate must be in [0, 1), got " + std::to_string(rate));
  }
}

}  // namespace

void dropout_forward(float* y, uint8_t* mask, const float* x, int64_t n, float rate,
                     uint64_t seed) {
  check_rate(rate, "dropout_forward");
  if (rate == 0.0f) {
    if (y != x) std::copy(x, x + n, y);
    std::fill(mask, mask + n, uint8_t{1});
    return;
  }
  const double r = rate;
  const float scale = 1.0f / (1.0f - rate);
#pragma omp parallel for if (n > (int64_t{1} << 15)) schedule(static)
  for (int64_t i = 0; i < n; ++i) {
    const double u = static_cast<double>(hash64(seed, static_cast<uint64_t>(i)) >> 11) * 0x1.0p-53;
    const bool keep = u >= r;
    mask[i] = keep ? 1 : 0;
    y[i] = keep ? x[i] * scale : 0.0f;
  }
}

void dropout_backward(float* dx, const float* dy, const uint8_t* mask, int64_t n, float rate) {
  check_rate(rate, "dropout_backward");
  const float scale = 1.0f / (1.0f - rate);
#pragma omp parallel for simd if (n > (int64_t{1} << 16)) schedule(static)
  for (int64_t i = 0; i < n; ++i) dx[i] += mask[i] ? dy[i] * scale : 0.0f;
}

}  // namespace modelc
