// concat on channels: y[r, off_i + j] = x_i[r, j], off_i = c_0 + ... + c_{i-1};
// backward adds channel slice i of dy into dx_i.
#include "modelc/concat.hpp"

#include <algorithm>
#include <string>

#include "modelc/error.hpp"

namespace modelc {
namespace {

int64_t total_channels(size_t inputs, std::span<const int64_t> cs, const char* who) {
  if (inputs != cs.size()) {
    throw Error(std::string(who) + ": " + std::to_string(inputs) + " inputs but " +
                std::to_string(cs.size()) + " channel counts");
  }
  int64_t total = 0;
  for (int64_t c : cs) total += c;
  return total;
}

}  // namespace

void concat_forward(float* y, std::span<const float* const> xs, std::span<const int64_t> cs,
                    int64_t rows) {
  const int64_t ct = total_channels(xs.size(), cs, "concat_forward");
#pragma omp parallel for if (rows * ct > (int64_t{1} << 16)) schedule(static)
  for (int64_t r = 0; r < rows; ++r) {
    float* yr = y + r * ct;
    for (size_t i = 0; i < xs.size(); ++i) {
      const float* xr = xs[i] + r * cs[i];
      yr = std::copy(xr, xr + cs[i], yr);
    }
  }
}

void concat_backward(std::span<float* const> dxs, const float* dy, std::span<const int64_t> cs,
                     int64_t rows) {
  const int64_t ct = total_channels(dxs.size(), cs, "concat_backward");
#pragma omp parallel for if (rows * ct > (int64_t{1} << 16)) schedule(static)
  for (int64_t r = 0; r < rows; ++r) {
    const float* dyr = dy + r * ct;
    for (size_t i = 0; i < dxs.size(); ++i) {
      if (dxs[i] != nullptr) {
        float* dxr = dxs[i] + r * cs[i];
        for (int64_t j = 0; j < cs[i]; ++j) dxr[j] += dyr[j];
      }
      dyr += cs[i];
    }
  }
}

}  // namespace modelc
