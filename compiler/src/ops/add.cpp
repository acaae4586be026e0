// add: y = x1 + x2 + ... element-wise; inputs of equal shapes, or [C] / [1, 1, C]
// inputs broadcast over the H and W of [H, W, C] ones (ops/broadcast.hpp, as
// multiply). The residual join: {op: add, inputs: [c_bn, shortcut_bn]}. Only
// the equal-shape add fuses into a conv2d (plan.cpp) and keeps its flat kernel.
#include "emit/emit.hpp"
#include <fmt/format.h>

#include "ops/broadcast.hpp"
#include "ops/op.hpp"

namespace modelc {

namespace {

// Equal shapes emit no geometry: the code of v1 specs stays as it was.
void geometry(const EmitCtx& c, CodeWriter& w) {
  if (broadcast::any(c)) broadcast::geometry(c, w);
}

void forward(const EmitCtx& c, CodeWriter& w) {
  w.open("");
  w.line("const float* in[] = {{{}}};", c.xs());
  if (broadcast::any(c))
    w.line("modelc::add_broadcast_forward({}, in, {}, n, {}, {});", c.y(), c.geom(), c.rows(),
           c.node().shape.back());
  else
    w.line("modelc::add_forward({}, in, n * {});", c.y(), c.size());
  w.close();
}

void backward(const EmitCtx& c, CodeWriter& w) {
  w.open("");
  w.line("float* d[] = {{{}}};", c.dxs());
  if (broadcast::any(c))
    w.line("modelc::add_broadcast_backward(d, {}, {}, n, {}, {});", c.dy(), c.geom(), c.rows(),
           c.node().shape.back());
  else
    w.line("modelc::add_backward(d, {}, n * {});", c.dy(), c.size());
  w.close();
}

}  // namespace

const OpInfo ops::op_add = {
    .kind = OpKind::add,
    .name = "add",
    .summary = "element-wise sum of two or more inputs, equal or [C] broadcast over H, W",
    .min_inputs = 2,
    .max_inputs = -1,
    .shape = broadcast::shape,
    .fusion = FusionRole::residual_add,
    .emit_geometry = geometry,
    .emit_forward = forward,
    .emit_backward = backward,
};

}  // namespace modelc
