// Dispatch of the standalone activations (activation_forward/backward) over the
// rows of modelc/activation.def: elementwise ones run their act_formulas.hpp
// formulas, softmax its row-wise kernel; the backward hands each formula x or y
// as its row's `reads` column says. Adding a row needs no change here.
#include "modelc/activation.hpp"

#include <string>

#include "kernels/act_formulas.hpp"
#include "modelc/error.hpp"
#include "modelc/softmax.hpp"

namespace modelc {
namespace {

template <class A>
void forward_as(float* y, const float* x, int64_t rows, int64_t cols) {
  if constexpr (detail::act::kElementwise<A>) {
    detail::act::map_forward<A>(y, x, rows * cols);
  } else {
    softmax_forward(y, x, rows, cols);
  }
}

template <class A>
void backward_as(float* dx, const float* dy, const float* x, const float* y, int64_t rows,
                 int64_t cols) {
  if constexpr (detail::act::kElementwise<A>) {
    detail::act::map_backward_add<A>(dx, dy, A::kReadsInput ? x : y, rows * cols);
  } else {
    softmax_backward(dx, dy, y, rows, cols);
  }
}

// The table's `reads` column and the formulas' kReadsInput must agree.
#define MODELC_ACTIVATION(name, reads)                                                      \
  static_assert(detail::act::name::kReadsInput == activation_reads_input(Activation::name), \
                #name ": kReadsInput differs from its activation.def row");
#include "modelc/activation.def"
#undef MODELC_ACTIVATION

}  // namespace

void activation_forward(float* y, const float* x, int64_t rows, int64_t cols, Activation act) {
  switch (act) {
#define MODELC_ACTIVATION(name, reads) \
  case Activation::name:               \
    return forward_as<detail::act::name>(y, x, rows, cols);
#include "modelc/activation.def"
#undef MODELC_ACTIVATION
  }
  throw Error("activation_forward: unknown activation " + std::to_string(static_cast<int>(act)));
}

void activation_backward(float* dx, const float* dy, const float* x, const float* y, int64_t rows,
                         int64_t cols, Activation act) {
  if (activation_reads_input(act) ? x == nullptr : y == nullptr)
    throw Error("activation_backward: " + std::string(kActivationNames[static_cast<size_t>(act)]) +
                " needs its " + (activation_reads_input(act) ? "input x" : "output y"));
  switch (act) {
#define MODELC_ACTIVATION(name, reads) \
  case Activation::name:               \
    return backward_as<detail::act::name>(dx, dy, x, y, rows, cols);
#include "modelc/activation.def"
#undef MODELC_ACTIVATION
  }
  throw Error("activation_backward: unknown activation " + std::to_string(static_cast<int>(act)));
}

}  // namespace modelc
