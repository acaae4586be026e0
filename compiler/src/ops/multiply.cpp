// multiply: y = x1 · x2 · ... element-wise; inputs of equal shapes, or [C] /
// [1, 1, C] inputs broadcast over the H and W of [H, W, C] ones
// (ops/broadcast.hpp, as add). Squeeze-and-excitation's gate:
// {op: multiply, inputs: [features, gate]}: [14, 14, 96], [1, 1, 96] -> [14, 14, 96]
#include "emit/emit.hpp"
#include <fmt/format.h>

#include "ops/broadcast.hpp"
#include "ops/op.hpp"

namespace modelc {

namespace {

void forward(const EmitCtx& c, CodeWriter& w) {
  w.open("");
  w.line("const float* in[] = {{{}}};", c.xs());
  w.line("modelc::multiply_forward({}, in, {}, n, {}, {});", c.y(), c.geom(), c.rows(),
         c.node().shape.back());
  w.close();
}

// From the inputs: the gradient of one is dy times the others.
void backward(const EmitCtx& c, CodeWriter& w) {
  w.open("");
  w.line("float* d[] = {{{}}};", c.dxs());
  w.line("const float* in[] = {{{}}};", c.xs());
  w.line("modelc::multiply_backward(d, {}, in, {}, n, {}, {});", c.dy(), c.geom(), c.rows(),
         c.node().shape.back());
  w.close();
}

}  // namespace

const OpInfo ops::op_multiply = {
    .kind = OpKind::multiply,
    .name = "multiply",
    .summary = "element-wise product of two or more inputs, equal or [C] broadcast over H, W",
    .min_inputs = 2,
    .max_inputs = -1,
    .shape = broadcast::shape,
    .emit_geometry = broadcast::geometry,
    .emit_forward = forward,
    .emit_backward = backward,
};

}  // namespace modelc
