// elu: same shape, y = x for x >= 0, else alpha·(exp(x) − 1); alpha 1.0 by default
// (Keras and PyTorch agree), >= 0. No weights. The derivative at 0 takes the
// right-hand value, 1. Also available as `activation: elu` on conv2d and dense,
// with alpha 1.0. {op: elu, alpha: 0.5}
//
// Backward reads the input x, as the formula table's row says
// (modelc/activation.def: `reads: input`): with alpha != 1 the derivative at 0
// from the output would be alpha, not 1.
#include <fmt/format.h>

#include "emit/emit.hpp"
#include "ops/op.hpp"

namespace modelc {

namespace {

const AttrSpec kAttrs[] = {
    {"alpha", AttrType::real, /*required=*/false,
     [](Attrs& a, const AttrValue& v) { a.alpha = v.real; }, 0.0, 1e30},
};

// Attrs.alpha is shared with leaky_relu (default 0 there, where it is required).
void finish(Attrs& a, std::span<const std::string_view> given) {
  for (std::string_view k : given)
    if (k == "alpha") return;
  a.alpha = 1.0;
}

void forward(const EmitCtx& c, CodeWriter& w) {
  w.line("modelc::elu_forward({}, {}, n * {}, {});", c.y(), c.x(), c.size(),
         float_literal(c.node().attrs.alpha));
}

void backward(const EmitCtx& c, CodeWriter& w) {
  w.line("modelc::elu_backward({}, {}, {}, n * {}, {});", c.dx(), c.dy(), c.x(), c.size(),
         float_literal(c.node().attrs.alpha));
}

}  // namespace

const OpInfo ops::op_elu = {
    .kind = OpKind::elu,
    .name = "elu",
    .summary = "x for x >= 0, else alpha * (exp(x) - 1), element-wise",
    .attrs = kAttrs,
    .finish = finish,
    .print_attrs = [](const Attrs& a) { return fmt::format(" alpha={}", a.alpha); },
    .shape = identity_shape,
    .fusion = FusionRole::activation,
    .emit_forward = forward,
    .emit_backward = backward,
    // The output pass's elu is alpha 1.
    .fusable_activation =
        [](const Attrs& a) { return a.alpha == 1.0 ? Activation::elu : Activation::linear; },
};

}  // namespace modelc
