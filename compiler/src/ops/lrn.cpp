// lrn: y_c = x_c / (bias + alpha/size · Σ x_j²)^beta over channels j = c−size/2 … c+(size−1)/2
// (zero past the edges), on the last axis, as Caffe and PyTorch; no weights.
// {op: lrn, size: 5, alpha: 1e-4, beta: 0.75, bias: 2}
#include "emit/emit.hpp"
#include "ops/op.hpp"

namespace modelc {

namespace {

const AttrSpec kAttrs[] = {
    {"alpha", AttrType::real, false, [](Attrs& a, const AttrValue& v) { a.lrn_alpha = v.real; },
     0.0, 1e30},
    {"beta", AttrType::real, false, [](Attrs& a, const AttrValue& v) { a.lrn_beta = v.real; }, 0.0,
     1e30},
    {"bias", AttrType::real, false, [](Attrs& a, const AttrValue& v) { a.lrn_bias = v.real; }, 0.0,
     1e30, /*lo_open=*/true},
    {"size", AttrType::positive_int, false,
     [](Attrs& a, const AttrValue& v) { a.lrn_size = v.ints[0]; }},
};

bool shape(ShapeCtx& ctx) {
  if (!ctx.require_min_rank(1)) return false;
  return identity_shape(ctx);
}

void geometry(const EmitCtx& c, CodeWriter& w) {
  const Attrs& a = c.node().attrs;
  w.line(
      "constexpr modelc::LrnGeom {}{{.rows = {}, .c = {}, .size = {}, .alpha = {}, .beta = {}, "
      ".bias = {}}};  // rows per image",
      c.geom(), c.rows(), c.node().shape.back(), a.lrn_size, float_literal(a.lrn_alpha),
      float_literal(a.lrn_beta), float_literal(a.lrn_bias));
}

void forward(const EmitCtx& c, CodeWriter& w) {
  w.line("modelc::lrn_forward({}, {}, {}, modelc::at({}, n));", c.y(),
         c.mode == Mode::training ? c.aux() : "nullptr", c.x(), c.geom());
}

void backward(const EmitCtx& c, CodeWriter& w) {
  w.line("modelc::lrn_backward({}, {}, {}, {}, {}, modelc::at({}, n));", c.dx(), c.dy(), c.x(),
         c.y(), c.aux(), c.geom());
}

std::string print_attrs(const Attrs& a) {
  return fmt::format(" size={} alpha={} beta={} bias={}", a.lrn_size, a.lrn_alpha, a.lrn_beta,
                     a.lrn_bias);
}

}  // namespace

const OpInfo ops::op_lrn = {
    .kind = OpKind::lrn,
    .name = "lrn",
    .summary = "local response normalisation across channels",
    .attrs = kAttrs,
    .print_attrs = print_attrs,
    .shape = shape,
    .saved_floats = [](const Node& n) { return product_sat(n.shape); },
    .saved = "the scale (bias + alpha/size * sum x^2) per element",
    .emit_geometry = geometry,
    .emit_forward = forward,
    .emit_backward = backward,
};

}  // namespace modelc
