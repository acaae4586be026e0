// How conv2d_prepare lays out a conv's prepared weights: shared by the
// runtime and the compiler (which sizes the prepared buffer when it generates
// a model), so the two cannot disagree. No dependencies.
#pragma once

#include <cstdint>

namespace modelc {

// Whether inference runs a conv as Winograd F(4x4, 3x3) (runtime/src/conv/winograd.hpp):
// 3x3 windows of stride 1, with 16..4096 input and output channels. Its
// prepared kernel is 36 transformed points per weight pair instead of 9 taps,
// so it holds 4x the kernel's floats. Depends on the per-image shape only, so
// the compiler sizes the prepared weights with the same rule.
constexpr bool conv2d_winograd(int64_t kh, int64_t kw, int64_t sh, int64_t sw, int64_t c,
                               int64_t oc) {
  return kh == 3 && kw == 3 && sh == 1 && sw == 1 && c >= 16 && oc >= 16 && c <= 4096 && oc <= 4096;
}
// Whether the indirect GEMM reads x in place (runtime/src/conv/igemm.hpp):
// 1x1 windows, or at least 8 and at most `max_channels` input channels with up
// to 64 taps. Otherwise (few channels, a first layer's RGB: taps too short)
// im2col materialises the matrix first.
constexpr int64_t kConv2dIgemmMaxChannels = 4096;
constexpr bool conv2d_igemm_reads_input(int64_t kh, int64_t kw, int64_t c) {
  const int64_t taps = kh * kw;
  return taps == 1 || (c >= 8 && c <= kConv2dIgemmMaxChannels && taps <= 64);
}

// Grouped convs (groups > 1) and dilated ones run group-major im2col and one
// GEMM per group (runtime/src/conv/conv2d_grouped.cpp), never the two kernels above.
constexpr bool conv2d_grouped(int64_t groups, int64_t dh, int64_t dw) {
  return groups != 1 || dh != 1 || dw != 1;
}

// A grouped conv with one input channel per group (groups = c: PyTorch's and
// ONNX's depthwise conv) has depthwise_conv2d's kernel layout and runs its
// direct kernel (modelc/depthwise_conv2d.hpp).
constexpr bool conv2d_depthwise(int64_t c, int64_t groups) { return groups > 1 && groups == c; }

// The forward kernel conv2d runs on AVX-512 builds, by the two rules above
// (generated code names it in each conv's comment). Builds without AVX-512
// run im2col and Eigen's GEMM for every conv.
constexpr const char* conv2d_kernel_name(int64_t kh, int64_t kw, int64_t sh, int64_t sw, int64_t c,
                                         int64_t oc, int64_t groups = 1, int64_t dh = 1,
                                         int64_t dw = 1) {
  if (conv2d_depthwise(c, groups)) return "direct depthwise";
  if (conv2d_grouped(groups, dh, dw))
    return groups != 1 ? "grouped im2col + GEMM" : "im2col + GEMM";
  if (conv2d_winograd(kh, kw, sh, sw, c, oc)) return "Winograd F(4x4, 3x3)";
  if (conv2d_igemm_reads_input(kh, kw, c)) return "indirect GEMM";
  return "im2col + GEMM";
}

// Floats conv2d_prepare writes (the same with and without AVX-512): scale and
// shift (oc rounded up to 16 each), then the kernel (as it is, [kh, kw, c/groups, oc],
// for a grouped or dilated conv).
constexpr int64_t conv2d_prepared_floats(int64_t kh, int64_t kw, int64_t sh, int64_t sw, int64_t c,
                                         int64_t oc, int64_t groups = 1, int64_t dh = 1,
                                         int64_t dw = 1) {
  const int64_t n16 = (oc + 15) / 16 * 16;
  if (conv2d_grouped(groups, dh, dw)) return 2 * n16 + kh * kw * (c / groups) * oc;
  return 2 * n16 + (conv2d_winograd(kh, kw, sh, sw, c, oc) ? 36 : kh * kw) * c * n16;
}

}  // namespace modelc
