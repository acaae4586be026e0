// The one output-size formula (Keras's arithmetic), shared by the compiler's
// shape rules and the runtime's kernels so the two can never disagree.
//   valid: out = floor((in - k) / s) + 1          (no padding)
//   same:  out = ceil(in / s), extra padding at the bottom/right
//   explicit p: out = floor((in + 2p - k) / s) + 1
#pragma once

#include <cstdint>

namespace modelc {

// One spatial axis of a sliding window: output size and the padding applied
// before and after the input. `out <= 0` means the window does not fit.
struct Window1d {
  int64_t out = 0;
  int64_t pad_before = 0;
  int64_t pad_after = 0;
};

// Sizes must be positive and small enough that in + pads + k cannot overflow
// (the compiler limits every dimension far below 2^40 before calling these).
constexpr Window1d window_valid(int64_t in, int64_t k, int64_t s) {
  if (in < k) return {0, 0, 0};
  return {(in - k) / s + 1, 0, 0};
}

constexpr Window1d window_same(int64_t in, int64_t k, int64_t s) {
  const int64_t out = (in + s - 1) / s;
  int64_t total = (out - 1) * s + k - in;
  if (total < 0) total = 0;
  return {out, total / 2, total - total / 2};
}

constexpr Window1d window_explicit(int64_t in, int64_t k, int64_t s, int64_t before,
                                   int64_t after) {
  const int64_t padded = in + before + after;
  if (padded < k) return {0, before, after};
  return {(padded - k) / s + 1, before, after};
}

// PyTorch's ceil_mode: out = ceil((in + pads - k) / s) + 1, minus one when
// the last window would start at or past in + before (wholly in the padding).
constexpr Window1d window_ceil(int64_t in, int64_t k, int64_t s, int64_t before, int64_t after) {
  const int64_t padded = in + before + after;
  if (padded < k) return {0, before, after};
  int64_t out = (padded - k + s - 1) / s + 1;
  if ((out - 1) * s >= in + before) --out;
  return {out, before, after};
}

// Geometry of a 2-D sliding window over an NHWC tensor (conv2d and pools).
// Padding at the bottom/right is implied: pad_bottom = (oh-1)*sh + (kh-1)*dh + 1 - h - pad_top
// (it may be negative for `valid`, meaning trailing rows are never read).
// Tap (ky, kx) of output (oy, ox) reads input (oy*sh + ky*dh - pad_top, ox*sw + kx*dw - pad_left).
struct Window2d {
  int64_t n = 0, h = 0, w = 0, c = 0;  // input
  int64_t kh = 0, kw = 0;              // window
  int64_t sh = 1, sw = 1;              // stride
  int64_t pad_top = 0, pad_left = 0;   // padding before
  int64_t oh = 0, ow = 0;              // output spatial size
  int64_t dh = 1, dw = 1;              // dilation (conv2d; pools: 1)
};

// Batch n (generated code states the geometry once per image, as constexpr,
// and calls kernels with at(g, n)).
constexpr Window2d at(Window2d g, int64_t n) {
  g.n = n;
  return g;
}

}  // namespace modelc
