// concat: [H, W, C1], [H, W, C2], ... -> [H, W, C1 + C2 + ...], joined on the last
// axis (channels) in `inputs` order; all other dims must agree. Any rank.
// {op: concat, inputs: [b1, b2, b3, b4]}: four [28, 28, c] -> [28, 28, 256]
#include <fmt/format.h>

#include "op.hpp"

namespace modelc {

namespace {

bool shape(ShapeCtx& ctx) {
  const Shape& first = ctx.in(0);
  if (!ctx.require_min_rank(1)) return false;
  Shape out = first;
  for (size_t i = 1; i < ctx.inputs.size(); ++i) {
    const Shape& x = ctx.in(i);
    const bool same_rank = x.size() == first.size();
    if (!same_rank || !std::equal(x.begin(), x.end() - 1, first.begin())) {
      ctx.fail(fmt::format("inputs disagree {}: {} from '{}' vs {} from '{}'",
                           same_rank ? "outside the last axis" : "in rank", shape_str(first),
                           ctx.inputs[0]->name, shape_str(x), ctx.inputs[i]->name));
      ctx.error.note(ctx.inputs[0]->loc, fmt::format("'{}' is defined here", ctx.inputs[0]->name));
      ctx.error.note(ctx.inputs[i]->loc, fmt::format("'{}' is defined here", ctx.inputs[i]->name));
      ctx.error.note("concat joins on the last axis (channels); all other dims must be equal");
      return false;
    }
    out.back() = add_sat(out.back(), x.back());
  }
  ctx.node.shape = std::move(out);
  return true;
}

}  // namespace

const OpInfo ops::op_concat = {
    OpKind::concat, "concat", "join two or more inputs on the last axis (channels)",
    2, -1, {}, shape, nullptr, nullptr, nullptr, nullptr,
};

}  // namespace modelc
