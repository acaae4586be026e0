// Dispatch of the fused/standalone activations to their kernels; linear is a
// copy forward and dx += dy backward.
#include "modelc/activation.hpp"

#include <algorithm>

#include "modelc/error.hpp"
#include "modelc/relu.hpp"
#include "modelc/sigmoid.hpp"
#include "modelc/softmax.hpp"
#include "modelc/tanh.hpp"

namespace modelc {

void activation_forward(float* y, const float* x, int64_t rows, int64_t cols, Activation act) {
  const int64_t n = rows * cols;
  switch (act) {
    case Activation::linear:
      if (y != x) std::copy(x, x + n, y);
      return;
    case Activation::relu: relu_forward(y, x, n); return;
    case Activation::sigmoid: sigmoid_forward(y, x, n); return;
    case Activation::tanh: tanh_forward(y, x, n); return;
    case Activation::softmax: softmax_forward(y, x, rows, cols); return;
  }
  throw Error("activation_forward: unknown activation " + std::to_string(static_cast<int>(act)));
}

void activation_backward(float* dx, const float* dy, const float* y, int64_t rows, int64_t cols,
                         Activation act) {
  const int64_t n = rows * cols;
  switch (act) {
    case Activation::linear:
      for (int64_t i = 0; i < n; ++i) dx[i] += dy[i];
      return;
    case Activation::relu: relu_backward(dx, dy, y, n); return;
    case Activation::sigmoid: sigmoid_backward(dx, dy, y, n); return;
    case Activation::tanh: tanh_backward(dx, dy, y, n); return;
    case Activation::softmax: softmax_backward(dx, dy, y, rows, cols); return;
  }
  throw Error("activation_backward: unknown activation " + std::to_string(static_cast<int>(act)));
}

}  // namespace modelc
