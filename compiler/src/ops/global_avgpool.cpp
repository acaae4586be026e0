// global_avgpool: [H, W, C] -> [C], y_c = mean over all H·W positions of x_c;
// `keepdims: true` gives [1, 1, C] (the same floats), as squeeze-and-excitation
// wants before its 1x1 convs.
// {op: global_avgpool}: [7, 7, 2048] -> [2048]
#include <fmt/format.h>

#include "emit/emit.hpp"
#include "ops/global_pool_common.hpp"

namespace modelc {

namespace {

void forward(const EmitCtx& c, CodeWriter& w) {
  const Shape& in = c.input_node().shape;
  w.line("modelc::global_avgpool_forward({}, {}, n, {}, {});", c.y(), c.x(), in[0] * in[1], in[2]);
}

void backward(const EmitCtx& c, CodeWriter& w) {
  const Shape& in = c.input_node().shape;
  w.line("modelc::global_avgpool_backward({}, {}, n, {}, {});", c.dx(), c.dy(), in[0] * in[1],
         in[2]);
}

}  // namespace

const OpInfo ops::op_global_avgpool = {
    .kind = OpKind::global_avgpool,
    .name = "global_avgpool",
    .summary = "mean over H and W, per channel",
    .attrs = global_pool::kAttrs,
    .print_attrs = global_pool::print_attrs,
    .shape = global_pool::shape,
    .emit_forward = forward,
    .emit_backward = backward,
};

}  // namespace modelc
