// The explicit, sorted op registry (see op_registry.def): no static
// self-registration, so linking the static library needs no tricks.
#include <algorithm>
#include <iterator>

#include <fmt/format.h>

#include "emit/emit.hpp"
#include "ops/op.hpp"
#include "passes/plan.hpp"

namespace modelc {

namespace {
const OpInfo* const kOps[] = {
#define MODELC_OP(name) &ops::op_##name,
#include "ops/op_registry.def"
#undef MODELC_OP
};
constexpr std::string_view kNames[] = {
#define MODELC_OP(name) #name,
#include "ops/op_registry.def"
#undef MODELC_OP
};
static_assert(std::is_sorted(std::begin(kNames), std::end(kNames)),
              "op_registry.def must be sorted");
}  // namespace

const OpInfo& op_info(OpKind op) { return *kOps[static_cast<size_t>(op)]; }

const OpInfo* find_op(std::string_view name) {
  auto it = std::lower_bound(std::begin(kOps), std::end(kOps), name,
                             [](const OpInfo* a, std::string_view n) { return a->name < n; });
  return it != std::end(kOps) && (*it)->name == name ? *it : nullptr;
}

std::span<const OpInfo* const> all_ops() { return kOps; }

std::vector<std::string> op_names() {
  std::vector<std::string> out;
  for (const OpInfo* op : kOps) out.emplace_back(op->name);
  return out;
}

std::string_view op_name(OpKind op) { return op_info(op).name; }

bool identity_shape(ShapeCtx& ctx) {
  ctx.node.shape = ctx.in();
  return true;
}

HeadActivation fused_head_activation(const Node& n) { return {n.attrs.activation, false}; }

int64_t fused_pre_activation_floats(const Node& n) {
  return activation_reads_input(n.attrs.activation) ? product_sat(n.shape) : 0;
}

std::string fused_pre_activation_arg(const EmitCtx& c) {
  const bool keep = c.mode == Mode::training && fused_pre_activation_floats(c.node()) > 0;
  return keep ? ", " + c.aux() : "";
}

std::string fused_output_act(const EmitCtx& c) {
  const NodePlan& p = c.plan.nodes[static_cast<size_t>(c.index)];
  if (p.fuse_act == Activation::linear) return c.act();
  return fmt::format("modelc::Activation::{}", activation_name(p.fuse_act));
}

std::string fused_batchnorm_arg(const EmitCtx& c) {
  const NodePlan& p = c.plan.nodes[static_cast<size_t>(c.index)];
  if (p.fuse_bn < 0) return "";
  const EmitCtx b = c.of(p.fuse_bn);
  return fmt::format("modelc::BatchnormFold{{{}, {}, {}, {}, {}}}, ", b.w("gamma"), b.w("beta"),
                     b.w("moving_mean"), b.w("moving_variance"),
                     float_literal(b.node().attrs.epsilon));
}

bool ShapeCtx::require_rank(size_t rank, std::string_view layout) {
  if (in().size() == rank) return true;
  return fail(fmt::format("needs a {}-d input {}, got {} from '{}'", rank, layout, shape_str(in()),
                          inputs[0]->name));
}

bool ShapeCtx::require_min_rank(size_t rank) {
  if (in().size() >= rank) return true;
  return fail(fmt::format("needs an input of rank >= {}, got {} from '{}'", rank, shape_str(in()),
                          inputs[0]->name));
}

}  // namespace modelc
