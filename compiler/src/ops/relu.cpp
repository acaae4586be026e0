// relu: same shape, y = max(x, 0); no attributes, no weights.
// Also available as `activation: relu` on conv2d and dense. {op: relu}
#include "emit/emit.hpp"
#include "ops/op.hpp"

namespace modelc {

namespace {

void forward(const EmitCtx& c, CodeWriter& w) {
  w.line("modelc::relu_forward({}, {}, n * {});", c.y(), c.x(), c.size());
}

void backward(const EmitCtx& c, CodeWriter& w) {
  w.line("modelc::relu_backward({}, {}, {}, n * {});", c.dx(), c.dy(), c.y(), c.size());
}

}  // namespace

const OpInfo ops::op_relu = {
    .kind = OpKind::relu,
    .name = "relu",
    .summary = "rectified linear unit, element-wise",
    .shape = identity_shape,
    .fusion = FusionRole::activation,
    .emit_forward = forward,
    .emit_backward = backward,
    .fusable_activation = [](const Attrs&) { return Activation::relu; },
};

}  // namespace modelc
