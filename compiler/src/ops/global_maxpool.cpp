// global_maxpool: [H, W, C] -> [C], y_c = max over all H·W positions of x_c;
// `keepdims: true` gives [1, 1, C]. Backward shares the gradient equally among
// tied maxima (SPEC_FORMAT.md), reading the input and the output.
// {op: global_maxpool}: [7, 7, 512] -> [512]
#include <fmt/format.h>

#include "emit/emit.hpp"
#include "ops/global_pool_common.hpp"

namespace modelc {

namespace {

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
    .attrs = global_pool::kAttrs,
    .print_attrs = global_pool::print_attrs,
    .shape = global_pool::shape,
    .emit_forward = forward,
    .emit_backward = backward,
};

}  // namespace modelc
