// conv2d: [H, W, C] -> [H', W', filters], H' by valid/same/explicit padding (geometry.hpp)
// on the dilated window (k - 1)·d + 1; kernel [kh, kw, C/groups, filters] + bias [filters];
// MACs = H'·W'·filters·kh·kw·C/groups. `groups` divides C and filters (Keras Conv2D(groups=)).
// {op: conv2d, filters: 96, kernel: 11, stride: 4}: [227, 227, 3] -> [55, 55, 96]
#include "emit/emit.hpp"
#include "modelc/conv2d_layout.hpp"
#include "ops/window.hpp"

namespace modelc {

namespace {

const AttrSpec kAttrs[] = {
    conv_attrs::activation,
    conv_attrs::dilation,
    conv_attrs::filters,
    {"groups", AttrType::positive_int, false,
     [](Attrs& a, const AttrValue& v) { a.groups = v.ints[0]; }},
    conv_attrs::kernel,
    conv_attrs::l2,
    conv_attrs::padding,
    conv_attrs::stride,
    conv_attrs::use_bias,
};

bool shape(ShapeCtx& ctx) {
  const Attrs& a = ctx.node.attrs;
  if (a.groups > 1 && ctx.in().size() == 3) {
    const int64_t c = ctx.in()[2];
    if (c % a.groups != 0 || a.filters % a.groups != 0) {
      ctx.fail(c % a.groups != 0
                   ? fmt::format("groups {} does not divide the {} input channels of {} from '{}'",
                                 a.groups, c, shape_str(ctx.in()), ctx.inputs[0]->name)
                   : fmt::format("groups {} does not divide filters: {}", a.groups, a.filters));
      ctx.error.note(fmt::format(
          "each group reads C/groups input channels and writes filters/groups of the outputs: "
          "groups must divide both {} and {}",
          c, a.filters));
      return false;
    }
  }
  return window_shape(ctx, a.filters);
}

// The pre-activation z, kept by training for activations whose backward reads it.
void params(const Node& n, const Shape& in, std::vector<Param>& out) {
  const Attrs& a = n.attrs;
  const int64_t receptive = a.kh * a.kw;
  // Keras's fans for the kernel's shape: receptive·(C/groups) in, receptive·filters out.
  out.push_back({.name = "kernel",
                 .shape = {a.kh, a.kw, in[2] / a.groups, a.filters},
                 .init = Init::glorot_uniform,
                 .fan_in = receptive * (in[2] / a.groups),
                 .fan_out = receptive * a.filters,
                 .l2 = a.l2});
  if (a.use_bias) out.push_back({.name = "bias", .shape = {a.filters}});
}

int64_t macs(const Node& n, const Shape& in) {
  const Attrs& a = n.attrs;
  return mul_sat(product_sat(n.shape), mul_sat(mul_sat(a.kh, a.kw), in[2] / a.groups));
}

void hint(const Node& n, const Shape& in, const Shape& expected, Diagnostic& d) {
  window_expect_hint(n, in, expected, /*allow_explicit=*/true, d);
  if (expected.size() == 3 && expected[2] != n.attrs.filters)
    d.note(n.loc, fmt::format("the channels come from filters: {}", n.attrs.filters));
}

void geometry(const EmitCtx& c, CodeWriter& w) {
  const Attrs& a = c.node().attrs;
  w.line("constexpr modelc::Conv2dGeom {}{{.win = {}, .oc = {}{}}};", c.geom(), window2d_literal(c),
         a.filters, a.groups != 1 ? fmt::format(", .groups = {}", a.groups) : "");
}

// Training keeps the pre-activation in aux() when the activation's backward
// reads its input (gelu, silu, ...; modelc/activation.def): the trailing `pre`
// argument, left out otherwise so that other layers' calls stay as they were.
void forward(const EmitCtx& c, CodeWriter& w) {
  const NodePlan& p = c.plan.nodes[static_cast<size_t>(c.index)];
  if (c.mode == Mode::inference && p.prep >= 0) {
    const std::string residual = p.fuse_residual >= 0 ? c.buffer_of(p.fuse_residual) : "nullptr";
    w.line(
        "modelc::conv2d_forward_prepared({}, {}, prep(p_{}), {}, modelc::at({}, n), {}, "
        "scratch());",
        c.y(), c.x(), c.id(), residual, c.geom(), fused_output_act(c));
    return;
  }
  w.line("modelc::conv2d_forward({}, {}, {}, {}, modelc::at({}, n), {}, scratch(){});", c.y(),
         c.x(), c.w("kernel"), c.w("bias"), c.geom(), c.act(), fused_pre_activation_arg(c));
}

void backward(const EmitCtx& c, CodeWriter& w) {
  w.line("modelc::conv2d_backward({}, {}, {}, {}, {}, {}, {}, modelc::at({}, n), {}, scratch(){});",
         c.dx(0, true), c.dw("kernel"), c.dw("bias"), c.dy(), c.x(), c.w("kernel"), c.y(), c.geom(),
         c.act(), fused_pre_activation_arg(c));
}

// Packs the kernel; folds the bias and a fused batchnorm (see plan.cpp).
void prepare(const EmitCtx& c, CodeWriter& w) {
  const NodePlan& p = c.plan.nodes[static_cast<size_t>(c.index)];
  w.line("modelc::conv2d_prepare(prep(p_{}), {}, {}, {}{});  // {}", c.id(), c.w("kernel"),
         c.w("bias"), fused_batchnorm_arg(c), c.geom(),
         p.fuse_bn >= 0 ? c.node().name + " + " + c.of(p.fuse_bn).node().name : c.node().name);
}

std::string print_attrs(const Attrs& a) {
  return fmt::format(" filters={}{}{} bias={} act={}{}", a.filters,
                     a.groups != 1 ? fmt::format(" groups={}", a.groups) : "", window_attrs_text(a),
                     a.use_bias, activation_name(a.activation),
                     a.l2 > 0 ? fmt::format(" l2={}", a.l2) : "");
}

int64_t prepared_floats(const Node& n, const Shape& in) {
  const Attrs& a = n.attrs;
  return conv2d_prepared_floats(a.kh, a.kw, a.sh, a.sw, in.back(), a.filters, a.groups, a.dh, a.dw);
}

int64_t im2col_floats(const Node& n, const Shape& in) {
  return n.shape[0] * n.shape[1] * n.attrs.kh * n.attrs.kw * in.back();  // any groups
}

std::string kernel_note(const Node& n, const Shape& in) {
  const Attrs& a = n.attrs;
  if (conv2d_grouped(a.groups, a.dh, a.dw))
    return fmt::format(
        "kernel: {}{}",
        conv2d_kernel_name(a.kh, a.kw, a.sh, a.sw, in.back(), a.filters, a.groups, a.dh, a.dw),
        a.groups != 1 ? fmt::format(" ({} groups)", a.groups) : "");
  return fmt::format("kernel: {} on AVX-512",
                     conv2d_kernel_name(a.kh, a.kw, a.sh, a.sw, in.back(), a.filters));
}

void scratch(const EmitCtx& c, CodeWriter& w) {
  w.line("s = std::max(s, modelc::conv2d_inference_scratch(modelc::at({}, b)));", c.geom());
  w.line(
      "if (training) s = std::max({{s, modelc::conv2d_forward_scratch(modelc::at({0}, b)), "
      "modelc::conv2d_backward_scratch(modelc::at({0}, b), {1})}});",
      c.geom(), c.declared_act());
}

}  // namespace

const OpInfo ops::op_conv2d = {
    .kind = OpKind::conv2d,
    .name = "conv2d",
    .summary = "2-D convolution over [H, W, C] with a fused bias and activation",
    .attrs = kAttrs,
    .print_attrs = print_attrs,
    .shape = shape,
    .params = params,
    .macs = macs,
    .expect_hint = hint,
    .saved_floats = fused_pre_activation_floats,
    .saved = "the pre-activation, when the activation's backward reads it (gelu, silu, ...)",
    .prepared_floats = prepared_floats,
    .workspace_floats = im2col_floats,
    .fusion = FusionRole::host,
    .head_activation = fused_head_activation,
    .emit_geometry = geometry,
    .emit_forward = forward,
    .emit_backward = backward,
    .emit_prepare = prepare,
    .emit_scratch = scratch,
    .kernel_note = kernel_note,
};

}  // namespace modelc
