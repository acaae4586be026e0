// tanh: the formulas are act::tanh in kernels/act_formulas.hpp (shared with the
// fused conv2d/dense output pass).
#include "modelc/tanh.hpp"

#include "kernels/act_formulas.hpp"

namespace modelc {

void tanh_forward(float* y, const float* x, int64_t n) {
  detail::act::map_forward<detail::act::tanh>(y, x, n);
}

void tanh_backward(float* dx, const float* dy, const float* y, int64_t n) {
  detail::act::map_backward_add<detail::act::tanh>(dx, dy, y, n);
}

}  // namespace modelc
