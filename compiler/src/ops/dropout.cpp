// dropout: same shape; in training zeroes each element with probability `rate`
// and scales the rest by 1/(1 − rate); identity at inference (forward()).
// {op: dropout, rate: 0.5}
#include "emit/emit.hpp"
#include "ops/op.hpp"

#include <fmt/format.h>

namespace modelc {

namespace {

const AttrSpec kAttrs[] = {
    {"rate", AttrType::real, true, [](Attrs& a, const AttrValue& v) { a.rate = v.real; }, 0.0, 1.0,
     /*lo_open=*/false, /*hi_open=*/true},
};

void forward(const EmitCtx& c, CodeWriter& w) {  // training only: a view at inference
  w.line("modelc::dropout_forward({}, {}, {}, n * {}, dropout_on() ? {} : 0.0f, dropout_seed({}));",
         c.y(), c.mask(), c.x(), c.size(), float_literal(c.node().attrs.rate), c.index);
}

void backward(const EmitCtx& c, CodeWriter& w) {
  w.line("modelc::dropout_backward({}, {}, {}, n * {}, dropout_on() ? {} : 0.0f);", c.dx(), c.dy(),
         c.mask(), c.size(), float_literal(c.node().attrs.rate));
}

}  // namespace

const OpInfo ops::op_dropout = {
    .kind = OpKind::dropout,
    .name = "dropout",
    .summary = "random zeroing in training, identity at inference",
    .attrs = kAttrs,
    .print_attrs = [](const Attrs& a) { return fmt::format(" rate={}", a.rate); },
    .shape = identity_shape,
    .view = ViewRule::at_inference,
    .saves_mask = true,
    .emit_forward = forward,
    .emit_backward = backward,
};

}  // namespace modelc
