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
    OpKind::sigmoid, "sigmoid", "logistic sigmoid, element-wise",
    1, 1, {}, identity_shape, nullptr, nullptr, nullptr, nullptr,
    nullptr, forward, backward,
};

}  // namespace modelc
