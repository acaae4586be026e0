// tanh: same shape, y = tanh(x); no attributes, no weights.
// Also available as `activation: tanh` on conv2d and dense. {op: tanh}
#include "emit/emit.hpp"
#include "ops/op.hpp"

namespace modelc {

namespace {

void forward(const EmitCtx& c, CodeWriter& w) {
  w.line("modelc::tanh_forward({}, {}, n * {});", c.y(), c.x(), c.size());
}

void backward(const EmitCtx& c, CodeWriter& w) {
  w.line("modelc::tanh_backward({}, {}, {}, n * {});", c.dx(), c.dy(), c.y(), c.size());
}

}  // namespace

const OpInfo ops::op_tanh = {
    .kind = OpKind::tanh,
    .name = "tanh",
    .summary = "hyperbolic tangent, element-wise",
    .shape = identity_shape,
    .emit_forward = forward,
    .emit_backward = backward,
};

}  // namespace modelc
