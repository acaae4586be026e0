// Names of the IR's enums, totals, and the text dump of the IR.
#include "ir/graph.hpp"

#include <fmt/format.h>

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

namespace {

std::string attrs_str(const Node& n) {
  const Attrs& a = n.attrs;
  const auto window = [&] {
    return fmt::format(" k={}x{} s={}x{} pad={} [{},{},{},{}]", a.kh, a.kw, a.sh, a.sw, padding_name(a.padding),
                       a.pad_top, a.pad_bottom, a.pad_left, a.pad_right);
  };
  switch (n.op) {
    case OpKind::conv2d:
      return fmt::format(" filters={}{} bias={} act={}{}", a.filters, window(), a.use_bias, activation_name(a.activation),
                         a.l2 > 0 ? fmt::format(" l2={}", a.l2) : "");
    case OpKind::dense:
      return fmt::format(" units={} bias={} act={}{}", a.units, a.use_bias, activation_name(a.activation),
                         a.l2 > 0 ? fmt::format(" l2={}", a.l2) : "");
    case OpKind::maxpool:
    case OpKind::avgpool: return window();
    case OpKind::zeropad: return fmt::format(" pad=[{},{},{},{}]", a.pad_top, a.pad_bottom, a.pad_left, a.pad_right);
    case OpKind::dropout: return fmt::format(" rate={}", a.rate);
    case OpKind::batchnorm: return fmt::format(" epsilon={} momentum={}", a.epsilon, a.momentum);
    case OpKind::lrn:
      return fmt::format(" size={} alpha={} beta={} bias={}", a.lrn_size, a.lrn_alpha, a.lrn_beta, a.lrn_bias);
    default: return {};
  }
}

}  // namespace

std::string dump_ir(const Graph& g) {
  std::string out = fmt::format("graph {} ({})\n", g.name, g.spec_path);
  for (size_t i = 0; i < g.instances.size(); ++i) {
    const BlockInstance& b = g.instances[i];
    out += fmt::format("instance #{} {} block={} parent={} line={}\n", i, b.path, b.block, b.parent, b.loc.line);
  }
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    const Node& n = g.nodes[i];
    std::vector<std::string> ins, params;
    for (int x : n.inputs) ins.push_back(fmt::format("%{}", x));
    for (const Param& p : n.params) params.push_back(fmt::format("{}{}{}", p.name, shape_str(p.shape), p.trainable ? "" : "(nt)"));
    out += fmt::format("%{} {} {}({}) -> {}{}{}{}{} line={}{}\n", i, n.name, op_name(n.op), fmt::join(ins, ", "),
                       shape_str(n.shape), attrs_str(n), params.empty() ? "" : fmt::format(" params={{{}}}", fmt::join(params, " ")),
                       n.macs ? fmt::format(" macs={}", n.macs) : "", n.instance >= 0 ? fmt::format(" in=#{}", n.instance) : "",
                       n.loc.line, n.inference ? "" : " training-only");
  }
  for (const Output& o : g.outputs)
    out += fmt::format("output %{} {} loss_weight={}{}\n", o.node, g.nodes[static_cast<size_t>(o.node)].name, o.loss_weight,
                       o.training_only ? " training_only" : "");
  return out;
}

}  // namespace modelc
