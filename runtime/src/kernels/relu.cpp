// relu: the formulas are act::relu in kernels/act_formulas.hpp (shared with the
// fused conv2d/dense output pass). Elementwise, split statically over threads.
#include "modelc/relu.hpp"

#include "kernels/act_formulas.hpp"

namespace modelc {

void relu_forward(float* y, const float* x, int64_t n) {
  detail::act::map_forward<detail::act::relu>(y, x, n);
}

void relu_backward(float* dx, const float* dy, const float* y, int64_t n) {
  detail::act::map_backward_add<detail::act::relu>(dx, dy, y, n);
}

}  // namespace modelc
