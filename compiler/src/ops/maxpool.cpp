// maxpool: [H, W, C] -> [H', W', C], the maximum over each pool window (padding
// never wins: padded cells count as -inf). Sizes as conv2d (geometry.hpp).
// {op: maxpool, pool: 3, stride: 2}: [55, 55, 96] -> [27, 27, 96]
#include "emit/emit.hpp"
#include "ops/pool_common.hpp"

namespace modelc {

namespace {

void geometry(const EmitCtx& c, CodeWriter& w) {
  w.line("constexpr modelc::Window2d {}{};", c.geom(), window2d_literal(c));
}

void forward(const EmitCtx& c, CodeWriter& w) {
  w.line("modelc::maxpool_forward({}, {}, modelc::at({}, n));", c.y(), c.x(), c.geom());
}

void backward(const EmitCtx& c, CodeWriter& w) {
  w.line("modelc::maxpool_backward({}, {}, {}, {}, modelc::at({}, n));", c.dx(), c.dy(), c.x(),
         c.y(), c.geom());
}

}  // namespace

const OpInfo ops::op_maxpool = {
    .kind = OpKind::maxpool,
    .name = "maxpool",
    .summary = "maximum over a sliding window, per channel",
    .attrs = pool::kAttrs,
    .finish = pool::finish,
    .print_attrs = pool::print_attrs,
    .shape = pool::shape,
    .expect_hint = pool::hint,
    .emit_geometry = geometry,
    .emit_forward = forward,
    .emit_backward = backward,
};

}  // namespace modelc
