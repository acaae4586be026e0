// silu: same shape, y = x·sigmoid(x) (Keras swish); no attributes, no weights.
// Also available as `activation: silu` on conv2d and dense. {op: silu}
//
// Backward reads the input x, as the formula table's row says
// (modelc/activation.def: `reads: input`).
#include "emit/emit.hpp"
#include "ops/op.hpp"

namespace modelc {

namespace {

void forward(const EmitCtx& c, CodeWriter& w) {
  w.line("modelc::silu_forward({}, {}, n * {});", c.y(), c.x(), c.size());
}

void backward(const EmitCtx& c, CodeWriter& w) {
  w.line("modelc::silu_backward({}, {}, {}, n * {});", c.dx(), c.dy(), c.x(), c.size());
}

}  // namespace

const OpInfo ops::op_silu = {
    .kind = OpKind::silu,
    .name = "silu",
    .summary = "x * sigmoid(x) (swish), element-wise",
    .shape = identity_shape,
    .fusion = FusionRole::activation,
    .emit_forward = forward,
    .emit_backward = backward,
    .fusable_activation = [](const Attrs&) { return Activation::silu; },
};

}  // namespace modelc
