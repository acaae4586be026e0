// The standalone kernels of the v2 activations relu6, elu, gelu, silu,
// hard_sigmoid, hard_swish (one header each, modelc/<op>.hpp). Each is the map
// loop of kernels/act_formulas.hpp over its formula struct, which the fused
// conv2d/dense output pass also evaluates, so one source holds them all rather
// than six files of the same two lines. elu takes its alpha here; the table's
// row (`activation: elu`) is alpha 1.
#include "kernels/act_formulas.hpp"
#include "modelc/elu.hpp"
#include "modelc/gelu.hpp"
#include "modelc/hard_sigmoid.hpp"
#include "modelc/hard_swish.hpp"
#include "modelc/relu6.hpp"
#include "modelc/silu.hpp"

namespace modelc {

#define MODELC_TABLE_KERNELS(name)                                               \
  static_assert(detail::act::name::kReadsInput, #name ": the backward reads x"); \
  void name##_forward(float* y, const float* x, int64_t n) {                     \
    detail::act::map_forward<detail::act::name>(y, x, n);                        \
  }                                                                              \
  void name##_backward(float* dx, const float* dy, const float* x, int64_t n) {  \
    detail::act::map_backward_add<detail::act::name>(dx, dy, x, n);              \
  }

MODELC_TABLE_KERNELS(relu6)
MODELC_TABLE_KERNELS(gelu)
MODELC_TABLE_KERNELS(silu)
MODELC_TABLE_KERNELS(hard_sigmoid)
MODELC_TABLE_KERNELS(hard_swish)
#undef MODELC_TABLE_KERNELS

// The loops of map_forward/map_backward_add with alpha passed through.
void elu_forward(float* y, const float* x, int64_t n, float alpha) {
#pragma omp parallel for simd if (n > detail::act::kForwardParallelMin) schedule(static)
  for (int64_t i = 0; i < n; ++i) y[i] = detail::act::elu::forward(x[i], alpha);
}

void elu_backward(float* dx, const float* dy, const float* x, int64_t n, float alpha) {
#pragma omp parallel for simd if (n > detail::act::kBackwardParallelMin) schedule(static)
  for (int64_t i = 0; i < n; ++i) dx[i] += detail::act::elu::backward(dy[i], x[i], alpha);
}

}  // namespace modelc
