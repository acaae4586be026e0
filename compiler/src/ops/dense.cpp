// dense: [..., in] -> [..., units], y = x·kernel + bias on the last axis (any rank, as Keras);
// kernel [in, units] + bias [units]; MACs = elements(y)·in.
// {op: dense, units: 4096, activation: relu}: [9216] -> [4096]
#include "emit/emit.hpp"
#include <fmt/format.h>

#include "ops/op.hpp"

namespace modelc {

namespace {

const AttrSpec kAttrs[] = {
    {"activation", AttrType::activation, false,
     [](Attrs& a, const AttrValue& v) { a.activation = v.activation; }},
    {"l2", AttrType::real, false, [](Attrs& a, const AttrValue& v) { a.l2 = v.real; }, 0.0, 1e30},
    {"units", AttrType::positive_int, true,
     [](Attrs& a, const AttrValue& v) { a.units = v.ints[0]; }},
    {"use_bias", AttrType::boolean, false,
     [](Attrs& a, const AttrValue& v) { a.use_bias = v.boolean; }},
};

bool shape(ShapeCtx& ctx) {
  if (!ctx.require_min_rank(1)) return false;
  ctx.node.shape = ctx.in();
  ctx.node.shape.back() = ctx.node.attrs.units;
  return true;
}

void params(const Node& n, const Shape& in, std::vector<Param>& out) {
  out.push_back({.name = "kernel",
                 .shape = {in.back(), n.attrs.units},
                 .init = Init::glorot_uniform,
                 .fan_in = in.back(),
                 .fan_out = n.attrs.units,
                 .l2 = n.attrs.l2});
  if (n.attrs.use_bias) out.push_back({.name = "bias", .shape = {n.attrs.units}});
}

int64_t macs(const Node& n, const Shape& in) { return mul_sat(product_sat(n.shape), in.back()); }

void hint(const Node& n, const Shape& in, const Shape& expected, Diagnostic& d) {
  if (expected.size() != in.size())
    d.note(n.loc, fmt::format("dense keeps the rank of its input {}; put a flatten before it "
                              "for a vector",
                              shape_str(in)));
  else if (expected.back() != n.attrs.units)
    d.note(n.loc, fmt::format("the last axis comes from units: {}", n.attrs.units));
}

void geometry(const EmitCtx& c, CodeWriter& w) {
  const Shape& in = c.input_node().shape;
  w.line("constexpr modelc::DenseGeom {}{{.rows = {}, .in = {}, .out = {}}};  // rows per image",
         c.geom(), c.rows(), in.back(), c.node().attrs.units);
}

// The pre-activation z, kept by training for activations whose backward reads it.
void forward(const EmitCtx& c, CodeWriter& w) {
  w.line("modelc::dense_forward({}, {}, {}, {}, modelc::at({}, n), {}{});", c.y(), c.x(),
         c.w("kernel"), c.w("bias"), c.geom(), c.act(), fused_pre_activation_arg(c));
}

void backward(const EmitCtx& c, CodeWriter& w) {
  w.line("modelc::dense_backward({}, {}, {}, {}, {}, {}, {}, modelc::at({}, n), {}, scratch(){});",
         c.dx(0, true), c.dw("kernel"), c.dw("bias"), c.dy(), c.x(), c.w("kernel"), c.y(), c.geom(),
         c.act(), fused_pre_activation_arg(c));
}

std::string print_attrs(const Attrs& a) {
  return fmt::format(" units={} bias={} act={}{}", a.units, a.use_bias,
                     activation_name(a.activation), a.l2 > 0 ? fmt::format(" l2={}", a.l2) : "");
}

void scratch(const EmitCtx& c, CodeWriter& w) {
  w.line("if (training) s = std::max(s, modelc::dense_backward_scratch(modelc::at({}, b), {}));",
         c.geom(), c.declared_act());
}

}  // namespace

const OpInfo ops::op_dense = {
    .kind = OpKind::dense,
    .name = "dense",
    .summary = "fully connected layer on the last axis, fused bias and activation",
    .attrs = kAttrs,
    .print_attrs = print_attrs,
    .shape = shape,
    .params = params,
    .macs = macs,
    .expect_hint = hint,
    .saved_floats = fused_pre_activation_floats,
    .saved = "the pre-activation, when the activation's backward reads it (gelu, silu, ...)",
    .head_activation = fused_head_activation,
    .emit_geometry = geometry,
    .emit_forward = forward,
    .emit_backward = backward,
    .emit_scratch = scratch,
};

}  // namespace modelc
