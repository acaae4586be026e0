// batchnorm: y = gamma·(x − mean)/sqrt(var + epsilon) + beta on the last axis (C), any rank;
// training uses batch statistics (biased variance) and updates moving = m·moving + (1−m)·batch.
// {op: batchnorm, epsilon: 1.001e-5}: gamma, beta (trainable), moving_mean, moving_variance [C]
#include "emit/emit.hpp"
#include "ops/op.hpp"

namespace modelc {

namespace {

const AttrSpec kAttrs[] = {
    {"epsilon", AttrType::real, false, [](Attrs& a, const AttrValue& v) { a.epsilon = v.real; },
     0.0, 1.0, /*lo_open=*/true},
    {"momentum", AttrType::real, false, [](Attrs& a, const AttrValue& v) { a.momentum = v.real; },
     0.0, 1.0},
};

bool shape(ShapeCtx& ctx) {
  if (!ctx.require_min_rank(1)) return false;
  return identity_shape(ctx);
}

void params(const Node&, const Shape& in, std::vector<Param>& out) {
  const int64_t c = in.back();
  out.push_back({.name = "gamma", .shape = {c}, .init = Init::ones});
  out.push_back({.name = "beta", .shape = {c}});
  out.push_back({.name = "moving_mean", .shape = {c}, .trainable = false});
  out.push_back({.name = "moving_variance", .shape = {c}, .trainable = false, .init = Init::ones});
}

void geometry(const EmitCtx& c, CodeWriter& w) {
  const Attrs& a = c.node().attrs;
  w.line(
      "constexpr modelc::BatchnormGeom {}{{.rows = {}, .c = {}, .epsilon = {}, .momentum = {}}};  "
      "// rows per image",
      c.geom(), c.rows(), c.node().shape.back(), float_literal(a.epsilon),
      float_literal(a.momentum));
}

void forward(const EmitCtx& c, CodeWriter& w) {
  if (c.mode == Mode::inference) {
    w.line("modelc::batchnorm_forward_inference({}, {}, {}, {}, {}, {}, modelc::at({}, n));", c.y(),
           c.x(), c.w("gamma"), c.w("beta"), c.w("moving_mean"), c.w("moving_variance"), c.geom());
    return;
  }
  w.line(
      "modelc::batchnorm_forward_training({}, {}, {} + {}, {}, {}, {}, {}, {}, modelc::at({}, n));",
      c.y(), c.aux(), c.aux(), c.node().shape.back(), c.x(), c.w("gamma"), c.w("beta"),
      c.w("moving_mean"), c.w("moving_variance"), c.geom());
}

void backward(const EmitCtx& c, CodeWriter& w) {
  w.line("modelc::batchnorm_backward({}, {}, {}, {}, {}, {}, {}, {} + {}, modelc::at({}, n));",
         c.dx(), c.dw("gamma"), c.dw("beta"), c.dy(), c.x(), c.w("gamma"), c.aux(), c.aux(),
         c.node().shape.back(), c.geom());
}

int64_t channels(const Node& n) { return n.shape.empty() ? 0 : n.shape.back(); }

std::string print_attrs(const Attrs& a) {
  return fmt::format(" epsilon={} momentum={}", a.epsilon, a.momentum);
}

}  // namespace

const OpInfo ops::op_batchnorm = {
    .kind = OpKind::batchnorm,
    .name = "batchnorm",
    .summary = "batch normalisation over the last axis (Keras semantics)",
    .attrs = kAttrs,
    .print_attrs = print_attrs,
    .shape = shape,
    .params = params,
    .saved_floats = [](const Node& n) { return 2 * channels(n); },
    .saved = "the batch mean, then 1/sqrt(var + epsilon), per channel",
    .fusion = FusionRole::folded_into_weights,
    .emit_geometry = geometry,
    .emit_forward = forward,
    .emit_backward = backward,
};

}  // namespace modelc
