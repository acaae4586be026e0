// add: y = x1 + x2 + ... element-wise; all inputs must have exactly the same shape
// (no broadcasting). The residual join: {op: add, inputs: [c_bn, shortcut_bn]}
#include "emit/emit.hpp"
#include <fmt/format.h>

#include "ops/op.hpp"

namespace modelc {

namespace {

bool shape(ShapeCtx& ctx) {
  const Shape& first = ctx.in(0);
  for (size_t i = 1; i < ctx.inputs.size(); ++i) {
    if (ctx.in(i) == first) continue;
    const Node& a = *ctx.inputs[0];
    const Node& b = *ctx.inputs[i];
    ctx.fail(fmt::format("inputs disagree: {} from '{}' vs {} from '{}'", shape_str(first), a.name,
                         shape_str(b.shape), b.name));
    ctx.error.note(a.loc, fmt::format("'{}' ({}) gives {}", a.name, op_name(a.op), shape_str(a.shape)));
    ctx.error.note(b.loc, fmt::format("'{}' ({}) gives {}", b.name, op_name(b.op), shape_str(b.shape)));
    // One path downsampled by an integer factor more than the other: say so.
    const Node& big = first.size() == 3 && b.shape.size() == 3 && first[0] > b.shape[0] ? a : b;
    const Node& small = &big == &a ? b : a;
    if (big.shape.size() == 3 && small.shape.size() == 3 && small.shape[0] < big.shape[0] &&
        small.shape[1] > 0 && big.shape[0] % small.shape[0] == 0 &&
        big.shape[0] / small.shape[0] == big.shape[1] / small.shape[1])
      ctx.error.note(fmt::format("'{}' is downsampled {}x more than '{}': a strided layer on one "
                                 "path only? (e.g. a shortcut taken from the main path instead "
                                 "of the block input)",
                                 small.name, big.shape[0] / small.shape[0], big.name));
    return false;
  }
  ctx.node.shape = first;
  return true;
}

void forward(const EmitCtx& c, CodeWriter& w) {
  w.open("");
  w.line("const float* in[] = {{{}}};", c.xs());
  w.line("modelc::add_forward({}, in, n * {});", c.y(), c.size());
  w.close();
}

void backward(const EmitCtx& c, CodeWriter& w) {
  w.open("");
  w.line("float* d[] = {{{}}};", c.dxs());
  w.line("modelc::add_backward(d, {}, n * {});", c.dy(), c.size());
  w.close();
}

}  // namespace

const OpInfo ops::op_add = {
    .kind = OpKind::add,
    .name = "add",
    .summary = "element-wise sum of two or more inputs of equal shape",
    .min_inputs = 2,
    .max_inputs = -1,
    .shape = shape,
    .fusion = FusionRole::residual_add,
    .emit_forward = forward,
    .emit_backward = backward,
};

}  // namespace modelc
