// Window arithmetic the pools share: which input cells of a window are real
// (not padding), and a race-free parallel loop for backward's scatter-add.
#pragma once

#include <algorithm>
#include <cstdint>

#include "modelc/geometry.hpp"
#include "threading.hpp"

namespace modelc::detail {

// Along one axis, output o's window starts at input index `first`; window
// offsets k in [lo, hi) fall on real input cells.
struct WindowSpan {
  int64_t first, lo, hi;
};

inline WindowSpan window_span(int64_t o, int64_t stride, int64_t pad, int64_t k, int64_t in) {
  const int64_t first = o * stride - pad;
  const int64_t lo = std::clamp<int64_t>(-first, 0, k);
  return {first, lo, std::clamp<int64_t>(in - first, lo, k)};
}

// f(n, oy) for every output row. Rows oy and oy + p (p = ceil(kh / sh)) read
// disjoint input rows, so rows run in p phases (oy mod p), each in parallel:
// backward may scatter-add into dx without races, and every dx element sums its
// contributions in the same order for any thread count.
template <class F>
void for_rows_in_disjoint_phases(const Window2d& g, F f) {
  const int64_t phases = std::min(g.oh, (g.kh + g.sh - 1) / g.sh);
  const bool parallel = g.n * g.oh * g.ow * g.kh * g.kw * g.c >= kParallelMinFloats;
  for (int64_t p = 0; p < phases; ++p) {
    const int64_t per_image = (g.oh - p + phases - 1) / phases;
#pragma omp parallel for collapse(2) schedule(static) if (parallel)
    for (int64_t n = 0; n < g.n; ++n) {
      for (int64_t j = 0; j < per_image; ++j) f(n, p + j * phases);
    }
  }
}

}  // namespace modelc::detail
