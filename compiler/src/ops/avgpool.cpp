// avgpool: [H, W, C] -> [H', W', C], the mean over each pool window: over the
// cells inside the input (Keras's `same`; PyTorch's count_include_pad=False),
// or with `count_padding: true` over the window clipped to the padded input
// (count_include_pad=True; window parts past the padding, from `ceil`, never count).
// {op: avgpool, pool: 5, stride: 3}: [14, 14, 512] -> [4, 4, 512]
#include "emit/emit.hpp"
#include "ops/pool_common.hpp"

namespace modelc {

namespace {

// The pool attributes, then avgpool's own.
const AttrSpec kAttrs[] = {
    MODELC_POOL_ATTRS,
    {"count_padding", AttrType::boolean, false,
     [](Attrs& a, const AttrValue& v) { a.count_padding = v.boolean; }},
};

// count_padding needs the padding after the input as given (the window's
// implied bottom/right padding can be larger with ceil, and is never counted).
void geometry(const EmitCtx& c, CodeWriter& w) {
  const Attrs& a = c.node().attrs;
  if (!a.count_padding) {
    w.line("constexpr modelc::AvgpoolGeom {}{{.win = {}}};", c.geom(), window2d_literal(c));
    return;
  }
  w.line(
      "constexpr modelc::AvgpoolGeom {}{{.win = {}, .count_padding = true, .pad_bottom = {}, "
      ".pad_right = {}}};",
      c.geom(), window2d_literal(c), a.pad_bottom, a.pad_right);
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
    .attrs = kAttrs,
    .finish = pool::finish,
    .print_attrs = pool::print_attrs,
    .shape = pool::shape,
    .expect_hint = pool::hint,
    .emit_geometry = geometry,
    .emit_forward = forward,
    .emit_backward = backward,
};

}  // namespace modelc
