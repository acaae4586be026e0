// concat: [H, W, C1], [H, W, C2], ... -> [H, W, C1 + C2 + ...], joined on the last
// axis (channels) in `inputs` order; all other dims must agree. Any rank.
// {op: concat, inputs: [b1, b2, b3, b4]}: four [28, 28, c] -> [28, 28, 256]
#include "emit/emit.hpp"
#include <fmt/format.h>

#include "ops/op.hpp"

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

void geometry(const EmitCtx& c, CodeWriter& w) {
  std::vector<int64_t> cs;
  for (size_t i = 0; i < c.node().inputs.size(); ++i) cs.push_back(c.input_node(i).shape.back());
  w.line("constexpr int64_t {}[] = {{{}}};  // channels of each input", c.geom(),
         fmt::join(cs, ", "));
}

void forward(const EmitCtx& c, CodeWriter& w) {
  w.open("");
  w.line("const float* in[] = {{{}}};", c.xs());
  w.line("modelc::concat_forward({}, in, {}, n * {});", c.y(), c.geom(), c.rows());
  w.close();
}

void backward(const EmitCtx& c, CodeWriter& w) {
  w.open("");
  w.line("float* d[] = {{{}}};", c.dxs());
  w.line("modelc::concat_backward(d, {}, {}, n * {});", c.dy(), c.geom(), c.rows());
  w.close();
}

}  // namespace

const OpInfo ops::op_concat = {
    .kind = OpKind::concat,
    .name = "concat",
    .summary = "join two or more inputs on the last axis (channels)",
    .min_inputs = 2,
    .max_inputs = -1,
    .shape = shape,
    .emit_geometry = geometry,
    .emit_forward = forward,
    .emit_backward = backward,
};

}  // namespace modelc
