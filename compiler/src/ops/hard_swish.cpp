// hard_swish: same shape, y = x·hard_sigmoid(x); no attributes, no weights.
// The derivative at the kinks takes the right-hand value: -1/2 at -3, 1 at 3.
// Also available as `activation: hard_swish` on conv2d and dense. {op: hard_swish}
//
// Backward reads the input x, as the formula table's row says
// (modelc/activation.def: `reads: input`).
#include "emit/emit.hpp"
#include "ops/op.hpp"

namespace modelc {

namespace {

void forward(const EmitCtx& c, CodeWriter& w) {
  w.line("modelc::hard_swish_forward({}, {}, n * {});", c.y(), c.x(), c.size());
}

void backward(const EmitCtx& c, CodeWriter& w) {
  w.line("modelc::hard_swish_backward({}, {}, {}, n * {});", c.dx(), c.dy(), c.x(), c.size());
}

}  // namespace

const OpInfo ops::op_hard_swish = {
    .kind = OpKind::hard_swish,
    .name = "hard_swish",
    .summary = "x * relu6(x + 3) / 6, element-wise",
    .shape = identity_shape,
    .fusion = FusionRole::activation,
    .emit_forward = forward,
    .emit_backward = backward,
    .fusable_activation = [](const Attrs&) { return Activation::hard_swish; },
};

}  // namespace modelc
