// scale: y = x·gamma on the last axis (C), any rank: a learned per-channel
// factor, ConvNeXt's layer scale. `init` (1.0) is gamma's initial value
// (ConvNeXt: 1e-6). Not regularised by l2.
// {op: scale, init: 1e-6}: gamma [C]
#include <fmt/format.h>

#include "emit/emit.hpp"
#include "ops/op.hpp"

namespace modelc {

namespace {

// Any finite value: a negative or zero start is odd but well defined.
const AttrSpec kAttrs[] = {
    {"init", AttrType::real, false, [](Attrs& a, const AttrValue& v) { a.scale_init = v.real; },
     -1e30, 1e30},
};

bool shape(ShapeCtx& ctx) {
  if (!ctx.require_min_rank(1)) return false;
  return identity_shape(ctx);
}

void params(const Node& n, const Shape& in, std::vector<Param>& out) {
  out.push_back(
      {.name = "gamma", .shape = {in.back()}, .init = Init::constant, .value = n.attrs.scale_init});
}

// Backward reads the input x: the output cannot give it back when gamma is 0.
void forward(const EmitCtx& c, CodeWriter& w) {
  w.line("modelc::scale_forward({}, {}, {}, n * {}, {});", c.y(), c.x(), c.w("gamma"), c.rows(),
         c.node().shape.back());
}

void backward(const EmitCtx& c, CodeWriter& w) {
  w.line("modelc::scale_backward({}, {}, {}, {}, {}, n * {}, {});", c.dx(), c.dw("gamma"), c.dy(),
         c.x(), c.w("gamma"), c.rows(), c.node().shape.back());
}

}  // namespace

const OpInfo ops::op_scale = {
    .kind = OpKind::scale,
    .name = "scale",
    .summary = "a learned per-channel factor on the last axis (layer scale)",
    .attrs = kAttrs,
    .print_attrs = [](const Attrs& a) { return fmt::format(" init={}", a.scale_init); },
    .shape = shape,
    .params = params,
    .emit_forward = forward,
    .emit_backward = backward,
};

}  // namespace modelc
