// relu6: same shape, y = min(max(x, 0), 6); no attributes, no weights.
// The derivative at the kinks takes the right-hand value: 1 at 0, 0 at 6.
// Also available as `activation: relu6` on conv2d and dense. {op: relu6}
//
// Backward reads the input x, as the formula table's row says
// (modelc/activation.def: `reads: input`).
#include "emit/emit.hpp"
#include "ops/op.hpp"

namespace modelc {

namespace {

void forward(const EmitCtx& c, CodeWriter& w) {
  w.line("modelc::relu6_forward({}, {}, n * {});", c.y(), c.x(), c.size());
}

void backward(const EmitCtx& c, CodeWriter& w) {
  w.line("modelc::relu6_backward({}, {}, {}, n * {});", c.dx(), c.dy(), c.x(), c.size());
}

}  // namespace

const OpInfo ops::op_relu6 = {
    .kind = OpKind::relu6,
    .name = "relu6",
    .summary = "relu capped at 6, element-wise",
    .shape = identity_shape,
    .fusion = FusionRole::activation,
    .emit_forward = forward,
    .emit_backward = backward,
    .fusable_activation = [](const Attrs&) { return Activation::relu6; },
};

}  // namespace modelc
