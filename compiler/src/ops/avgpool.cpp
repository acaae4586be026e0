// avgpool: [H, W, C] -> [H', W', C], the mean over each pool window; with
// `same` padding the mean is over the cells inside the input (as Keras).
// {op: avgpool, pool: 5, stride: 3}: [14, 14, 512] -> [4, 4, 512]
#include "emit/emit.hpp"
#include "ops/pool_common.hpp"

namespace modelc {

namespace {

void geometry(const EmitCtx& c, CodeWriter& w) {
  w.line("constexpr modelc::Window2d {}{};", c.geom(), window2d_literal(c));
}

void forward(const EmitCtx& c, CodeWriter& w) {
  w.line("modelc::avgpool_forward({}, {}, modelc::at({}, n));", c.y(), c.x(), c.geom());
}

void backward(const EmitCtx& c, CodeWriter& w) {
  w.line("modelc::avgpool_backward({}, {}, modelc::at({}, n));", c.dx(), c.dy(), c.geom());
}

}  // namespace

const OpInfo ops::op_avgpool = {
    .kind = OpKind::avgpool,
    .name = "avgpool",
    .summary = "mean over a sliding window, per channel (padding excluded)",
    .attrs = pool::kAttrs,
    .finish = pool::finish,
    .print_attrs = window_attrs_text,
    .shape = pool::shape,
    .expect_hint = pool::hint,
    .emit_geometry = geometry,
    .emit_forward = forward,
    .emit_backward = backward,
};

}  // namespace modelc
