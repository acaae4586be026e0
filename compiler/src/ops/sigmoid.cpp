// sigmoid: same shape, y = 1 / (1 + exp(−x)); no attributes, no weights.
// Also available as `activation: sigmoid` on conv2d and dense. {op: sigmoid}
#include "emit/emit.hpp"
#include "ops/op.hpp"

namespace modelc {

namespace {

void forward(const EmitCtx& c, CodeWriter& w) {
  w.line("modelc::sigmoid_forward({}, {}, n * {});", c.y(), c.x(), c.size());
}

void backward(const EmitCtx& c, CodeWriter& w) {
  w.line("modelc::sigmoid_backward({}, {}, {}, n * {});", c.dx(), c.dy(), c.y(), c.size());
}

}  // namespace

const OpInfo ops::op_sigmoid = {
    .kind = OpKind::sigmoid,
    .name = "sigmoid",
    .summary = "logistic sigmoid, element-wise",
    .shape = identity_shape,
    .head_activation =
        [](const Node&) {
          return HeadActivation{Activation::sigmoid, true};
        },
    .emit_forward = forward,
    .emit_backward = backward,
};

}  // namespace modelc
