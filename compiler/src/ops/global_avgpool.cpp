// global_avgpool: [H, W, C] -> [C], y_c = mean over all H·W positions of x_c.
// {op: global_avgpool}: [7, 7, 2048] -> [2048]
#include "emit/emit.hpp"
#include "ops/op.hpp"

namespace modelc {

namespace {

bool shape(ShapeCtx& ctx) {
  if (!ctx.require_rank(3, "[H, W, C]")) return false;
  ctx.node.shape = {ctx.in()[2]};
  return true;
}

void forward(const EmitCtx& c, CodeWriter& w) {
  const Shape& in = c.input_node().shape;
  w.line("modelc::global_avgpool_forward({}, {}, n, {}, {});", c.y(), c.x(), in[0] * in[1], in[2]);
}

void backward(const EmitCtx& c, CodeWriter& w) {
  const Shape& in = c.input_node().shape;
  w.line("modelc::global_avgpool_backward({}, {}, n, {}, {});", c.dx(), c.dy(), in[0] * in[1], in[2]);
}

}  // namespace

const OpInfo ops::op_global_avgpool = {
    OpKind::global_avgpool, "global_avgpool", "mean over H and W, per channel",
    1, 1, {}, shape, nullptr, nullptr, nullptr, nullptr,
    nullptr, forward, backward,
};

}  // namespace modelc
