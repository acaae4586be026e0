// sigmoid: the formulas are act::sigmoid in kernels/act_formulas.hpp (shared with
// the fused conv2d/dense output pass).
#include "modelc/sigmoid.hpp"

#include "kernels/act_formulas.hpp"

namespace modelc {

void sigmoid_forward(float* y, const float* x, int64_t n) {
  detail::act::map_forward<detail::act::sigmoid>(y, x, n);
}

void sigmoid_backward(float* dx, const float* dy, const float* y, int64_t n) {
  detail::act::map_backward_add<detail::act::sigmoid>(dx, dy, y, n);
}

}  // namespace modelc
