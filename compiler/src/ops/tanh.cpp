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
    OpKind::tanh, "tanh", "hyperbolic tangent, element-wise",
    1, 1, {}, identity_shape, nullptr, nullptr, nullptr, nullptr,
    nullptr, forward, backward,
};

}  // namespace modelc
