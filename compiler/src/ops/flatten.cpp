// flatten: [H, W, C] -> [H·W·C] in H, then W, then C order (Keras), any rank;
// a view for the runtime (no copy, no weights).
// {op: flatten}: [6, 6, 256] -> [9216]
#include "ops/op.hpp"

namespace modelc {

namespace {

bool shape(ShapeCtx& ctx) {
  if (!ctx.require_min_rank(1)) return false;
  ctx.node.shape = {product_sat(ctx.in())};
  return true;
}

}  // namespace

const OpInfo ops::op_flatten = {
    .kind = OpKind::flatten,
    .name = "flatten",
    .summary = "reshape to a vector in H, W, C order (a view)",
    .shape = shape,
    .view = ViewRule::always,
};

}  // namespace modelc
