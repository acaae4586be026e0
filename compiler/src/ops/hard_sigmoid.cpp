// hard_sigmoid: same shape, y = relu6(x + 3) / 6 (Keras 3 and PyTorch; not ONNX's 0.2x + 0.5);
// no attributes, no weights.
// The derivative at the kinks takes the right-hand value: 1/6 at -3, 0 at 3.
// Also available as `activation: hard_sigmoid` on conv2d and dense. {op: hard_sigmoid}
//
// Backward reads the input x, as the formula table's row says
// (modelc/activation.def: `reads: input`).
#include "emit/emit.hpp"
#include "ops/op.hpp"

namespace modelc {

namespace {

void forward(const EmitCtx& c, CodeWriter& w) {
  w.line("modelc::hard_sigmoid_forward({}, {}, n * {});", c.y(), c.x(), c.size());
}

void backward(const EmitCtx& c, CodeWriter& w) {
  w.line("modelc::hard_sigmoid_backward({}, {}, {}, n * {});", c.dx(), c.dy(), c.x(), c.size());
}

}  // namespace

const OpInfo ops::op_hard_sigmoid = {
    .kind = OpKind::hard_sigmoid,
    .name = "hard_sigmoid",
    .summary = "relu6(x + 3) / 6, element-wise",
    .shape = identity_shape,
    .fusion = FusionRole::activation,
    .emit_forward = forward,
    .emit_backward = backward,
    .fusable_activation = [](const Attrs&) { return Activation::hard_sigmoid; },
};

}  // namespace modelc
