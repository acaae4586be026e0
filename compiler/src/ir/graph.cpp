// Names of the IR's enums, totals, and the text dump of the IR.
#include "ir/graph.hpp"

#include <fmt/format.h>

#include "ops/op.hpp"

namespace modelc {

std::string_view padding_name(Padding p) {
  switch (p) {
    case Padding::valid: return "valid";
    case Padding::same: return "same";
    case Padding::explicit_pad: return "explicit";
  }
  return "?";
}

std::string_view activation_name(Activation a) {
  const auto i = static_cast<size_t>(a);
  return i < kActivationCount ? kActivationNames[i] : "?";
}

GraphTotals totals(const Graph& g, bool inference_only) {
  GraphTotals t;
  for (const Node& n : g.nodes) {
    if (inference_only && !n.inference) continue;
    for (const Param& p : n.params) {
      t.params += p.count();
      (p.trainable ? t.trainable : t.non_trainable) += p.count();
    }
    t.macs += n.macs;
  }
  return t;
}

std::string_view init_name(Init i) {
  switch (i) {
    case Init::zeros: return "zeros";
    case Init::ones: return "ones";
    case Init::glorot_uniform: return "glorot_uniform";
    case Init::constant: return "constant";
  }
  return "?";
}

namespace {

std::string attrs_text(const Node& n) {
  const OpInfo& op = op_info(n.op);
  return op.print_attrs ? op.print_attrs(n.attrs) : std::string();
}

}  // namespace

std::string dump_ir(const Graph& g) {
  std::string out = fmt::format("graph {} ({})\n", g.name, g.spec_path);
  for (size_t i = 0; i < g.instances.size(); ++i) {
    const BlockInstance& b = g.instances[i];
    out += fmt::format("instance #{} {} block={} parent={} line={}\n", i, b.path, b.block, b.parent,
                       b.loc.line);
  }
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    const Node& n = g.nodes[i];
    std::vector<std::string> ins, params;
    for (int x : n.inputs) ins.push_back(fmt::format("%{}", x));
    for (const Param& p : n.params)
      params.push_back(
          fmt::format("{}{}{}", p.name, shape_str(p.shape), p.trainable ? "" : "(nt)"));
    out += fmt::format("%{} {} {}({}) -> {}{}{}{}{} line={}{}\n", i, n.name, op_name(n.op),
                       fmt::join(ins, ", "), shape_str(n.shape), attrs_text(n),
                       params.empty() ? "" : fmt::format(" params={{{}}}", fmt::join(params, " ")),
                       n.macs ? fmt::format(" macs={}", n.macs) : "",
                       n.instance >= 0 ? fmt::format(" in=#{}", n.instance) : "", n.loc.line,
                       n.inference ? "" : " training-only");
  }
  for (const Output& o : g.outputs)
    out += fmt::format("output %{} {} loss_weight={}{}\n", o.node,
                       g.nodes[static_cast<size_t>(o.node)].name, o.loss_weight,
                       o.training_only ? " training_only" : "");
  return out;
}

}  // namespace modelc
