// softmax: same shape, y_i = exp(x_i) / Σ_j exp(x_j) over the last axis (any rank); no attributes,
// no weights. Also available as `activation: softmax` on conv2d and dense. {op: softmax}
#include "emit/emit.hpp"
#include "ops/op.hpp"

namespace modelc {

namespace {

void forward(const EmitCtx& c, CodeWriter& w) {
  w.line("modelc::softmax_forward({}, {}, n * {}, {});", c.y(), c.x(), c.rows(),
         c.node().shape.back());
}

void backward(const EmitCtx& c, CodeWriter& w) {
  w.line("modelc::softmax_backward({}, {}, {}, n * {}, {});", c.dx(), c.dy(), c.y(), c.rows(),
         c.node().shape.back());
}

}  // namespace

const OpInfo ops::op_softmax = {
    .kind = OpKind::softmax,
    .name = "softmax",
    .summary = "softmax over the last axis",
    .shape = identity_shape,
    .head_activation =
        [](const Node&) {
          return HeadActivation{Activation::softmax, true};
        },
    .emit_forward = forward,
    .emit_backward = backward,
};

}  // namespace modelc
