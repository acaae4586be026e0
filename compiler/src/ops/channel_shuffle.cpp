// channel_shuffle: same shape; the last axis's C channels viewed as [g, C/g]
// and transposed to [C/g, g] (ShuffleNet), so output channel i·g + j is input
// channel j·(C/g) + i. Any rank; `groups` must divide C. No weights.
// {op: channel_shuffle, groups: 2}: [28, 28, 116] -> [28, 28, 116]
#include <fmt/format.h>

#include "emit/emit.hpp"
#include "ops/op.hpp"

namespace modelc {

namespace {

const AttrSpec kAttrs[] = {
    {"groups", AttrType::positive_int, /*required=*/true,
     [](Attrs& a, const AttrValue& v) { a.groups = v.ints[0]; }},
};

bool shape(ShapeCtx& ctx) {
  if (!ctx.require_min_rank(1)) return false;
  const int64_t c = ctx.in().back(), g = ctx.node.attrs.groups;
  if (c % g != 0)
    return ctx.fail(fmt::format("groups {} does not divide the {} channels of {} from '{}'", g, c,
                                shape_str(ctx.in()), ctx.inputs[0]->name));
  ctx.node.shape = ctx.in();
  return true;
}

void forward(const EmitCtx& c, CodeWriter& w) {
  w.line("modelc::channel_shuffle_forward({}, {}, n * {}, {}, {});", c.y(), c.x(), c.rows(),
         c.node().shape.back(), c.node().attrs.groups);
}

void backward(const EmitCtx& c, CodeWriter& w) {
  w.line("modelc::channel_shuffle_backward({}, {}, n * {}, {}, {});", c.dx(), c.dy(), c.rows(),
         c.node().shape.back(), c.node().attrs.groups);
}

}  // namespace

const OpInfo ops::op_channel_shuffle = {
    .kind = OpKind::channel_shuffle,
    .name = "channel_shuffle",
    .summary = "permute channels: [g, C/g] transposed to [C/g, g] (ShuffleNet)",
    .attrs = kAttrs,
    .print_attrs = [](const Attrs& a) { return fmt::format(" groups={}", a.groups); },
    .shape = shape,
    .emit_forward = forward,
    .emit_backward = backward,
};

}  // namespace modelc
