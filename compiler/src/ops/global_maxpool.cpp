// global_maxpool: [H, W, C] -> [C], y_c = max over all H·W positions of x_c;
// `keepdims: true` gives [1, 1, C]. Backward shares the gradient equally among
// tied maxima (SPEC_FORMAT.md), reading the input and the output.
// {op: global_maxpool}: [7, 7, 512] -> [512]
#include <fmt/format.h>

#include "emit/emit.hpp"
#include "ops/op.hpp"

namespace modelc {

namespace {

const AttrSpec kAttrs[] = {
    {"keepdims", AttrType::boolean, false,
     [](Attrs& a, const AttrValue& v) { a.keepdims = v.boolean; }},
};

bool shape(ShapeCtx& ctx) {
  if (!ctx.require_rank(3, "[H, W, C]")) return false;
  const int64_t c = ctx.in()[2];
  ctx.node.shape = ctx.node.attrs.keepdims ? Shape{1, 1, c} : Shape{c};
  return true;
}

void forward(const EmitCtx& c, CodeWriter& w) {
  const Shape& in = c.input_node().shape;
  w.line("modelc::global_maxpool_forward({}, {}, n, {}, {});", c.y(), c.x(), in[0] * in[1], in[2]);
}

void backward(const EmitCtx& c, CodeWriter& w) {
  const Shape& in = c.input_node().shape;
  w.line("modelc::global_maxpool_backward({}, {}, {}, {}, n, {}, {});", c.dx(), c.dy(), c.x(),
         c.y(), in[0] * in[1], in[2]);
}

}  // namespace

const OpInfo ops::op_global_maxpool = {
    .kind = OpKind::global_maxpool,
    .name = "global_maxpool",
    .summary = "max over H and W, per channel",
    .attrs = kAttrs,
    .print_attrs = [](const Attrs& a) { return fmt::format(" keepdims={}", a.keepdims); },
    .shape = shape,
    .emit_forward = forward,
    .emit_backward = backward,
};

}  // namespace modelc
