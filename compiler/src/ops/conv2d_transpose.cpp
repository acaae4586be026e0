// conv2d_transpose: [H, W, C] -> [H', W', filters], exactly the adjoint (input
// gradient) of the conv2d with the same kernel, stride and padding that maps
// [H', W', filters] back to [H, W, C]. Per axis:
//   valid: H' = H·s + max(k − s, 0)      same: H' = H·s (that conv2d's `same` pads)
//   explicit p: H' = (H − 1)·s + k − 2p + output_padding  (output_padding < s)
// kernel [kh, kw, filters, C] (Keras Conv2DTranspose) + bias [filters];
// MACs = H·W·C·kh·kw·filters (input pixels × taps). No groups, no dilation.
// {op: conv2d_transpose, filters: 16, kernel: 3, stride: 2, padding: same}: [7, 7, 32] -> [14, 14,
// 16]
#include <fmt/format.h>

#include "emit/emit.hpp"
#include "modelc/geometry.hpp"
#include "ops/op.hpp"
#include "ops/window.hpp"

namespace modelc {

namespace {

const AttrSpec kAttrs[] = {
    conv_attrs::activation,
    conv_attrs::filters,
    conv_attrs::kernel,
    conv_attrs::l2,
    {"output_padding", AttrType::nonneg_pair, false,
     [](Attrs& a, const AttrValue& v) {
       a.out_pad_h = v.ints[0], a.out_pad_w = v.ints[1];
       a.out_pad_given = true;
     }},
    conv_attrs::padding,
    conv_attrs::stride,
    conv_attrs::use_bias,
};

// One axis: the output size and the adjoint conv2d's padding before/after, as
// Attrs keeps them: valid none (k < s leaves the last s − k rows unreached),
// same the conv2d's split, explicit p on both sides (the runtime reads only the
// padding before; output_padding rows past it are reached by no window).
struct Axis {
  int64_t out, pad_before, pad_after;
};

Axis axis(Padding p, int64_t in, int64_t k, int64_t s, int64_t pad, int64_t out_pad) {
  switch (p) {
    case Padding::valid: return {in * s + std::max<int64_t>(k - s, 0), 0, 0};
    case Padding::same: {
      const Window1d w = window_same(in * s, k, s);  // the adjoint conv2d's `same`
      return {in * s, w.pad_before, w.pad_after};
    }
    case Padding::explicit_pad: return {(in - 1) * s + k - 2 * pad + out_pad, pad, pad};
  }
  return {};
}

bool shape(ShapeCtx& ctx) {
  if (!ctx.require_rank(3, "[H, W, C]")) return false;
  Attrs& a = ctx.node.attrs;
  const Shape& x = ctx.in();
  if (a.out_pad_given && a.padding != Padding::explicit_pad) {
    ctx.fail(fmt::format(
        "output_padding needs explicit padding (an integer or [ph, pw]), got padding '{}'",
        padding_name(a.padding)));
    ctx.error.note(a.padding == Padding::same
                       ? "with padding: same the output is H*s; drop output_padding"
                       : "with padding: valid the output is H*s + max(k - s, 0); drop "
                         "output_padding, or use padding: 0 with output_padding");
    return false;
  }
  if (a.out_pad_h >= a.sh || a.out_pad_w >= a.sw) {
    const bool h = a.out_pad_h >= a.sh;
    return ctx.fail(fmt::format(
        "output_padding {}x{} must be smaller than the stride {}x{} on its axis (the {}: {} >= {})",
        a.out_pad_h, a.out_pad_w, a.sh, a.sw, h ? "height" : "width", h ? a.out_pad_h : a.out_pad_w,
        h ? a.sh : a.sw));
  }
  const Axis ah = axis(a.padding, x[0], a.kh, a.sh, a.pad_top, a.out_pad_h);
  const Axis aw = axis(a.padding, x[1], a.kw, a.sw, a.pad_left, a.out_pad_w);
  if (ah.out <= 0 || aw.out <= 0) {
    const bool h = ah.out <= 0;
    ctx.fail(fmt::format(
        "padding {}x{} crops the whole output of kernel {}x{}, stride {}x{} on the input {} from "
        "'{}': the {} would be {}",
        a.pad_top, a.pad_left, a.kh, a.kw, a.sh, a.sw, shape_str(x), ctx.inputs[0]->name,
        h ? "height" : "width", h ? ah.out : aw.out));
    ctx.error.note("the output is (H - 1)*s + k - 2p + output_padding: use a smaller padding");
    return false;
  }
  if (a.padding != Padding::explicit_pad) {  // resolved pads of the adjoint conv2d
    a.pad_top = ah.pad_before, a.pad_bottom = ah.pad_after;
    a.pad_left = aw.pad_before, a.pad_right = aw.pad_after;
  }
  ctx.node.shape = {ah.out, aw.out, a.filters};
  return true;
}

// Keras's compute_fans on the kernel shape [kh, kw, filters, cin]: fan_in =
// kh·kw·shape[-2] = kh·kw·filters, fan_out = kh·kw·shape[-1] = kh·kw·cin (the
// layout's, as Keras Conv2DTranspose gets them; the reverse of the data flow).
void params(const Node& n, const Shape& in, std::vector<Param>& out) {
  const Attrs& a = n.attrs;
  const int64_t receptive = a.kh * a.kw;
  out.push_back({.name = "kernel",
                 .shape = {a.kh, a.kw, a.filters, in[2]},
                 .init = Init::glorot_uniform,
                 .fan_in = receptive * a.filters,
                 .fan_out = receptive * in[2],
                 .l2 = a.l2});
  if (a.use_bias) out.push_back({.name = "bias", .shape = {a.filters}});
}

int64_t macs(const Node& n, const Shape& in) {
  const Attrs& a = n.attrs;
  return mul_sat(product_sat(in), mul_sat(mul_sat(a.kh, a.kw), a.filters));
}

void hint(const Node& n, const Shape& in, const Shape& expected, Diagnostic& d) {
  const Attrs& a = n.attrs;
  if (in.size() != 3 || expected.size() != 3 || n.shape.size() != 3) return;
  if (expected[0] != n.shape[0] || expected[1] != n.shape[1])
    d.note(n.loc, fmt::format("conv2d_transpose's output is H*s + max(k - s, 0) with 'valid', H*s "
                              "with 'same', (H - 1)*s + k - 2p + output_padding with padding p: "
                              "here {}x{} from {}x{} with kernel {}x{}, stride {}x{}",
                              n.shape[0], n.shape[1], in[0], in[1], a.kh, a.kw, a.sh, a.sw));
  if (expected[2] != a.filters)
    d.note(n.loc, fmt::format("the channels come from filters: {}", a.filters));
}

// The adjoint conv2d's window: its input is this node's output, its output this
// node's input.
void geometry(const EmitCtx& c, CodeWriter& w) {
  const Node& n = c.node();
  const Shape& in = c.input_node().shape;
  const Attrs& a = n.attrs;
  w.line(
      "constexpr modelc::Conv2dTransposeGeom {}{{.win = {{.n = 1, .h = {}, .w = {}, .c = {}, "
      ".kh = {}, .kw = {}, .sh = {}, .sw = {}, .pad_top = {}, .pad_left = {}, .oh = {}, "
      ".ow = {}}}, .cin = {}}};",
      c.geom(), n.shape[0], n.shape[1], a.filters, a.kh, a.kw, a.sh, a.sw, a.pad_top, a.pad_left,
      in[0], in[1], in[2]);
}

// Training keeps the pre-activation in aux() when the activation's backward
// reads its input, as conv2d does (the trailing `pre` argument).
void forward(const EmitCtx& c, CodeWriter& w) {
  w.line("modelc::conv2d_transpose_forward({}, {}, {}, {}, modelc::at({}, n), {}, scratch(){});",
         c.y(), c.x(), c.w("kernel"), c.w("bias"), c.geom(), c.act(), fused_pre_activation_arg(c));
}

void backward(const EmitCtx& c, CodeWriter& w) {
  w.line(
      "modelc::conv2d_transpose_backward({}, {}, {}, {}, {}, {}, {}, modelc::at({}, n), {}, "
      "scratch(){});",
      c.dx(0, true), c.dw("kernel"), c.dw("bias"), c.dy(), c.x(), c.w("kernel"), c.y(), c.geom(),
      c.act(), fused_pre_activation_arg(c));
}

std::string print_attrs(const Attrs& a) {
  return fmt::format(" filters={}{}{} bias={} act={}{}", a.filters, window_attrs_text(a),
                     a.out_pad_given ? fmt::format(" out_pad={}x{}", a.out_pad_h, a.out_pad_w) : "",
                     a.use_bias, activation_name(a.activation),
                     a.l2 > 0 ? fmt::format(" l2={}", a.l2) : "");
}

// The column matrix: one row of kh·kw·filters per input pixel.
int64_t col_floats(const Node& n, const Shape& in) {
  return in[0] * in[1] * n.attrs.kh * n.attrs.kw * n.attrs.filters;
}

void scratch(const EmitCtx& c, CodeWriter& w) {
  w.line("s = std::max(s, modelc::conv2d_transpose_forward_scratch(modelc::at({}, b)));", c.geom());
  w.line(
      "if (training) s = std::max(s, modelc::conv2d_transpose_backward_scratch(modelc::at({}, b), "
      "{}));",
      c.geom(), c.declared_act());
}

}  // namespace

const OpInfo ops::op_conv2d_transpose = {
    .kind = OpKind::conv2d_transpose,
    .name = "conv2d_transpose",
    .summary =
        "transposed 2-D convolution (the adjoint of conv2d) with a fused bias and activation",
    .attrs = kAttrs,
    .print_attrs = print_attrs,
    .shape = shape,
    .params = params,
    .macs = macs,
    .expect_hint = hint,
    .saved_floats = fused_pre_activation_floats,
    .saved = "the pre-activation, when the activation's backward reads it (gelu, silu, ...)",
    .workspace_floats = col_floats,
    .head_activation = fused_head_activation,
    .emit_geometry = geometry,
    .emit_forward = forward,
    .emit_backward = backward,
    .emit_scratch = scratch,
};

}  // namespace modelc
