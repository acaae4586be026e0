// gelu: same shape, y = x·Φ(x) with the exact normal CDF (erf, not the tanh approximation);
// no attributes, no weights.
// Also available as `activation: gelu` on conv2d and dense. {op: gelu}
//
// Backward reads the input x, as the formula table's row says
// (modelc/activation.def: `reads: input`).
#include "emit/emit.hpp"
#include "ops/op.hpp"

namespace modelc {

namespace {

void forward(const EmitCtx& c, CodeWriter& w) {
  w.line("modelc::gelu_forward({}, {}, n * {});", c.y(), c.x(), c.size());
}

void backward(const EmitCtx& c, CodeWriter& w) {
  w.line("modelc::gelu_backward({}, {}, {}, n * {});", c.dx(), c.dy(), c.x(), c.size());
}

}  // namespace

const OpInfo ops::op_gelu = {
    .kind = OpKind::gelu,
    .name = "gelu",
    .summary = "Gaussian error linear unit x * Phi(x) (exact erf), element-wise",
    .shape = identity_shape,
    .fusion = FusionRole::activation,
    .emit_forward = forward,
    .emit_backward = backward,
    .fusable_activation = [](const Attrs&) { return Activation::gelu; },
};

}  // namespace modelc
