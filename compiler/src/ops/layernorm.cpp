// layernorm: y = gamma·(x − mean)/sqrt(var + epsilon) + beta, with the mean and
// the biased variance of each row of the last axis (C), any rank. No moving
// statistics: inference and training compute the same thing; training saves
// each row's mean and 1/σ for backward.
// {op: layernorm, epsilon: 1e-6}: gamma [C] (init 1), beta [C] (init 0)
#include <fmt/format.h>

#include "emit/emit.hpp"
#include "ops/op.hpp"

namespace modelc {

namespace {

const AttrSpec kAttrs[] = {
    {"epsilon", AttrType::real, false, [](Attrs& a, const AttrValue& v) { a.epsilon = v.real; },
     0.0, 1.0, /*lo_open=*/true},
};

bool shape(ShapeCtx& ctx) {
  if (!ctx.require_min_rank(1)) return false;
  return identity_shape(ctx);
}

void params(const Node&, const Shape& in, std::vector<Param>& out) {
  const int64_t c = in.back();
  out.push_back({.name = "gamma", .shape = {c}, .init = Init::ones});
  out.push_back({.name = "beta", .shape = {c}});
}

void geometry(const EmitCtx& c, CodeWriter& w) {
  w.line(
      "constexpr modelc::LayernormGeom {}{{.rows = {}, .c = {}, .epsilon = {}}};  "
      "// rows per image",
      c.geom(), c.rows(), c.node().shape.back(), float_literal(c.node().attrs.epsilon));
}

// Saved per image: the rows' means, then their 1/σ; at batch n the means take
// the first n·rows floats of the node's saved region.
void forward(const EmitCtx& c, CodeWriter& w) {
  if (c.mode == Mode::inference) {
    w.line("modelc::layernorm_forward({}, nullptr, nullptr, {}, {}, {}, modelc::at({}, n));", c.y(),
           c.x(), c.w("gamma"), c.w("beta"), c.geom());
    return;
  }
  w.line("modelc::layernorm_forward({}, {}, {} + n * {}, {}, {}, {}, modelc::at({}, n));", c.y(),
         c.aux(), c.aux(), c.rows(), c.x(), c.w("gamma"), c.w("beta"), c.geom());
}

void backward(const EmitCtx& c, CodeWriter& w) {
  w.line("modelc::layernorm_backward({}, {}, {}, {}, {}, {}, {}, {} + n * {}, modelc::at({}, n));",
         c.dx(), c.dw("gamma"), c.dw("beta"), c.dy(), c.x(), c.w("gamma"), c.aux(), c.aux(),
         c.rows(), c.geom());
}

int64_t rows(const Node& n) {
  if (n.shape.empty()) return 0;
  return product_sat(n.shape) / n.shape.back();
}

}  // namespace

const OpInfo ops::op_layernorm = {
    .kind = OpKind::layernorm,
    .name = "layernorm",
    .summary = "layer normalisation over the last axis (biased variance, no moving statistics)",
    .attrs = kAttrs,
    .print_attrs = [](const Attrs& a) { return fmt::format(" epsilon={}", a.epsilon); },
    .shape = shape,
    .params = params,
    .saved_floats = [](const Node& n) { return 2 * rows(n); },
    .saved = "each row's mean, then its 1/sqrt(var + epsilon)",
    .emit_geometry = geometry,
    .emit_forward = forward,
    .emit_backward = backward,
};

}  // namespace modelc
