// conv2d: [H, W, C] -> [H', W', filters], H' by valid/same/explicit padding (geometry.hpp);
// kernel [kh, kw, C, filters] + bias [filters]; MACs = H'·W'·filters·kh·kw·C.
// {op: conv2d, filters: 96, kernel: 11, stride: 4}: [227, 227, 3] -> [55, 55, 96]
#include "emit/emit.hpp"
#include "ops/window.hpp"

namespace modelc {

namespace {

const AttrSpec kAttrs[] = {
    {"activation", AttrType::activation, false,
     [](Attrs& a, const AttrValue& v) { a.activation = v.activation; }},
    {"filters", AttrType::positive_int, true,
     [](Attrs& a, const AttrValue& v) { a.filters = v.ints[0]; }},
    {"kernel", AttrType::int_pair, true,
     [](Attrs& a, const AttrValue& v) { a.kh = v.ints[0], a.kw = v.ints[1]; }},
    {"l2", AttrType::real, false, [](Attrs& a, const AttrValue& v) { a.l2 = v.real; }, 0.0, 1e30},
    {"padding", AttrType::conv_padding, false,
     [](Attrs& a, const AttrValue& v) {
       a.padding = v.padding;
       a.pad_top = a.pad_bottom = v.ints[0];
       a.pad_left = a.pad_right = v.ints[1];
     }},
    {"stride", AttrType::int_pair, false,
     [](Attrs& a, const AttrValue& v) { a.sh = v.ints[0], a.sw = v.ints[1]; }},
    {"use_bias", AttrType::boolean, false,
     [](Attrs& a, const AttrValue& v) { a.use_bias = v.boolean; }},
};

bool shape(ShapeCtx& ctx) { return window_shape(ctx, ctx.node.attrs.filters); }

void params(const Node& n, const Shape& in, std::vector<Param>& out) {
  const Attrs& a = n.attrs;
  out.push_back({"kernel", {a.kh, a.kw, in[2], a.filters}, true});
  if (a.use_bias) out.push_back({"bias", {a.filters}, true});
}

int64_t macs(const Node& n, const Shape& in) {
  const Attrs& a = n.attrs;
  return mul_sat(product_sat(n.shape), mul_sat(mul_sat(a.kh, a.kw), in[2]));
}

void hint(const Node& n, const Shape& in, const Shape& expected, Diagnostic& d) {
  window_expect_hint(n, in, expected, /*allow_explicit=*/true, d);
  if (expected.size() == 3 && expected[2] != n.attrs.filters)
    d.note(n.loc, fmt::format("the channels come from filters: {}", n.attrs.filters));
}

void geometry(const EmitCtx& c, CodeWriter& w) {
  w.line("constexpr modelc::Conv2dGeom {}{{{}, {}}};", c.geom(), window2d_literal(c), c.node().attrs.filters);
}

void forward(const EmitCtx& c, CodeWriter& w) {
  const NodePlan& p = c.plan.nodes[static_cast<size_t>(c.index)];
  if (c.mode == Mode::inference && p.prep >= 0) {
    const std::string residual = p.fuse_residual >= 0 ? c.buffer_of(p.fuse_residual) : "nullptr";
    w.line("modelc::conv2d_forward_prepared({}, {}, prep(p_{}), {}, modelc::at({}, n), {}, scratch());",
           c.y(), c.x(), c.id(), residual, c.geom(),
           p.fuse_relu ? "modelc::Activation::relu" : c.act());
    return;
  }
  w.line("modelc::conv2d_forward({}, {}, {}, {}, modelc::at({}, n), {}, scratch());",
         c.y(), c.x(), c.w("kernel"), c.w("bias"), c.geom(), c.act());
}

void backward(const EmitCtx& c, CodeWriter& w) {
  w.line("modelc::conv2d_backward({}, {}, {}, {}, {}, {}, {}, modelc::at({}, n), {}, scratch());",
         c.dx(0, true), c.dw("kernel"), c.dw("bias"), c.dy(), c.x(), c.w("kernel"), c.y(), c.geom(),
         c.act());
}

// Packs the kernel; folds the bias and a fused batchnorm (see plan.cpp).
void prepare(const EmitCtx& c, CodeWriter& w) {
  const NodePlan& p = c.plan.nodes[static_cast<size_t>(c.index)];
  std::string bn;
  if (p.fuse_bn >= 0) {
    const EmitCtx b = c.of(p.fuse_bn);
    bn = fmt::format("modelc::BatchnormFold{{{}, {}, {}, {}, {}}}, ", b.w("gamma"), b.w("beta"),
                     b.w("moving_mean"), b.w("moving_variance"),
                     float_literal(b.node().attrs.epsilon));
  }
  w.line("modelc::conv2d_prepare(prep(p_{}), {}, {}, {}{});  // {}", c.id(), c.w("kernel"), c.w("bias"), bn,
         c.geom(), p.fuse_bn >= 0 ? c.node().name + " + " + c.of(p.fuse_bn).node().name : c.node().name);
}

}  // namespace

const OpInfo ops::op_conv2d = {
    OpKind::conv2d, "conv2d", "2-D convolution over [H, W, C] with a fused bias and activation",
    1, 1, kAttrs, shape, nullptr, params, macs, hint,
    geometry, forward, backward, prepare,
};

}  // namespace modelc
