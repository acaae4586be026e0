// depthwise_conv2d (Keras DepthwiseConv2D): [H, W, C] -> [H', W', C·depth_multiplier],
// H' as conv2d's (valid/same/explicit padding on the dilated window); output channel
// c·dm + j reads input channel c alone. Weights depthwise_kernel [kh, kw, C, dm] +
// bias [C·dm]; MACs = H'·W'·C·dm·kh·kw. At inference a following batchnorm, residual
// add and activation fuse into it, as into conv2d.
// {op: depthwise_conv2d, kernel: 3, stride: 2, padding: same}: [112, 112, 32] -> [56, 56, 32]
#include "emit/emit.hpp"
#include "modelc/depthwise_conv2d.hpp"
#include "ops/window.hpp"

namespace modelc {

namespace {

const AttrSpec kAttrs[] = {
    conv_attrs::activation,
    {"depth_multiplier", AttrType::positive_int, false,
     [](Attrs& a, const AttrValue& v) { a.depth_multiplier = v.ints[0]; }},
    conv_attrs::dilation,
    conv_attrs::kernel,
    conv_attrs::l2,
    conv_attrs::padding,
    conv_attrs::stride,
    conv_attrs::use_bias,
};

int64_t outputs(const Node& n, const Shape& in) { return in[2] * n.attrs.depth_multiplier; }

bool shape(ShapeCtx& ctx) {
  if (!ctx.require_rank(3, "[H, W, C]")) return false;
  return window_shape(ctx, outputs(ctx.node, ctx.in()));
}

// Keras's fans for the kernel's shape [kh, kw, C, dm]: receptive·C in, receptive·dm out.
void params(const Node& n, const Shape& in, std::vector<Param>& out) {
  const Attrs& a = n.attrs;
  const int64_t receptive = a.kh * a.kw;
  out.push_back({.name = "depthwise_kernel",
                 .shape = {a.kh, a.kw, in[2], a.depth_multiplier},
                 .init = Init::glorot_uniform,
                 .fan_in = receptive * in[2],
                 .fan_out = receptive * a.depth_multiplier,
                 .l2 = a.l2});
  if (a.use_bias) out.push_back({.name = "bias", .shape = {outputs(n, in)}});
}

int64_t macs(const Node& n, const Shape&) {
  return mul_sat(product_sat(n.shape), n.attrs.kh * n.attrs.kw);
}

void hint(const Node& n, const Shape& in, const Shape& expected, Diagnostic& d) {
  window_expect_hint(n, in, expected, /*allow_explicit=*/true, d);
  if (expected.size() == 3 && in.size() == 3 && expected[2] != outputs(n, in))
    d.note(n.loc, fmt::format("the channels are the input's {} times depth_multiplier {}", in[2],
                              n.attrs.depth_multiplier));
}

void geometry(const EmitCtx& c, CodeWriter& w) {
  w.line("constexpr modelc::DepthwiseGeom {}{{.win = {}, .dm = {}}};", c.geom(),
         window2d_literal(c), c.node().attrs.depth_multiplier);
}

void forward(const EmitCtx& c, CodeWriter& w) {
  const NodePlan& p = c.plan.nodes[static_cast<size_t>(c.index)];
  if (c.mode == Mode::inference && p.prep >= 0) {
    const std::string residual = p.fuse_residual >= 0 ? c.buffer_of(p.fuse_residual) : "nullptr";
    w.line(
        "modelc::depthwise_conv2d_forward_prepared({}, {}, prep(p_{}), {}, modelc::at({}, n), {});",
        c.y(), c.x(), c.id(), residual, c.geom(), fused_output_act(c));
    return;
  }
  w.line("modelc::depthwise_conv2d_forward({}, {}, {}, {}, modelc::at({}, n), {}{});", c.y(), c.x(),
         c.w("depthwise_kernel"), c.w("bias"), c.geom(), c.act(), fused_pre_activation_arg(c));
}

void backward(const EmitCtx& c, CodeWriter& w) {
  w.line(
      "modelc::depthwise_conv2d_backward({}, {}, {}, {}, {}, {}, {}, modelc::at({}, n), {}, "
      "scratch(){});",
      c.dx(0, true), c.dw("depthwise_kernel"), c.dw("bias"), c.dy(), c.x(), c.w("depthwise_kernel"),
      c.y(), c.geom(), c.act(), fused_pre_activation_arg(c));
}

// Scales the kernel by a fused batchnorm and folds the bias (see plan.cpp).
void prepare(const EmitCtx& c, CodeWriter& w) {
  const NodePlan& p = c.plan.nodes[static_cast<size_t>(c.index)];
  w.line("modelc::depthwise_conv2d_prepare(prep(p_{}), {}, {}, {}{});  // {}", c.id(),
         c.w("depthwise_kernel"), c.w("bias"), fused_batchnorm_arg(c), c.geom(),
         p.fuse_bn >= 0 ? c.node().name + " + " + c.of(p.fuse_bn).node().name : c.node().name);
}

std::string print_attrs(const Attrs& a) {
  return fmt::format(" depth_multiplier={}{} bias={} act={}{}", a.depth_multiplier,
                     window_attrs_text(a), a.use_bias, activation_name(a.activation),
                     a.l2 > 0 ? fmt::format(" l2={}", a.l2) : "");
}

int64_t prepared_floats(const Node& n, const Shape& in) {
  return depthwise_conv2d_prepared_floats(n.attrs.kh, n.attrs.kw, outputs(n, in));
}

void scratch(const EmitCtx& c, CodeWriter& w) {
  w.line(
      "if (training) s = std::max(s, modelc::depthwise_conv2d_backward_scratch(modelc::at({}, b), "
      "{}));",
      c.geom(), c.declared_act());
}

}  // namespace

const OpInfo ops::op_depthwise_conv2d = {
    .kind = OpKind::depthwise_conv2d,
    .name = "depthwise_conv2d",
    .summary = "depthwise 2-D convolution (one filter per input channel) with a fused activation",
    .attrs = kAttrs,
    .print_attrs = print_attrs,
    .shape = shape,
    .params = params,
    .macs = macs,
    .expect_hint = hint,
    .saved_floats = fused_pre_activation_floats,
    .saved = "the pre-activation, when the activation's backward reads it (gelu, silu, ...)",
    .prepared_floats = prepared_floats,
    .fusion = FusionRole::host,
    .head_activation = fused_head_activation,
    .emit_geometry = geometry,
    .emit_forward = forward,
    .emit_backward = backward,
    .emit_prepare = prepare,
    .emit_scratch = scratch,
    .kernel_note = [](const Node&,
                      const Shape&) { return std::string("kernel: direct depthwise"); },
};

}  // namespace modelc
