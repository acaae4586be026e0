// `modelc summary`: the layer table and its totals (see report.hpp). Sections
// are separate functions so more can follow (e.g. a memory plan per batch).
#include <algorithm>

#include <fmt/format.h>

#include "report/report.hpp"

namespace modelc {

namespace {

constexpr size_t kOpWidth = 15, kShapeWidth = 19, kParamsWidth = 14, kMacsWidth = 16;

std::string mib(int64_t params) {
  const double bytes = static_cast<double>(params) * 4.0;
  if (bytes < 1024.0 * 1024.0) return fmt::format("{:.2f} KiB", bytes / 1024.0);
  return fmt::format("{:.2f} MiB", bytes / (1024.0 * 1024.0));
}

std::string giga(int64_t macs) {
  const double m = static_cast<double>(macs);
  if (m >= 1e9) return fmt::format("{:.3f} G", m / 1e9);
  if (m >= 1e6) return fmt::format("{:.3f} M", m / 1e6);
  return fmt::format("{:.3f} K", m / 1e3);
}

std::string layer_rows(const Graph& g, size_t name_width, bool mark_training) {
  std::string out;
  for (const Node& n : g.nodes) {
    int64_t params = 0;
    for (const Param& p : n.params) params += p.count();
    const std::string name = n.name + (mark_training && !n.inference ? " *" : "");
    out += fmt::format("{:<{}}  {:<{}}  {:<{}}{:>{}}{:>{}}\n", name, name_width, op_name(n.op),
                       kOpWidth, shape_str(n.shape), kShapeWidth, with_commas(params), kParamsWidth,
                       with_commas(n.macs), kMacsWidth);
  }
  return out;
}

std::string totals_section(const Graph& g, bool has_training_only) {
  const GraphTotals all = totals(g, false);
  const GraphTotals fwd = totals(g, true);
  const auto line = [](std::string_view label, int64_t n, const std::string& extra) {
    return fmt::format("{:<34}{:>16}  ({})\n", label, with_commas(n), extra);
  };
  std::string out;
  out += line("Total params:", all.params, mib(all.params));
  out += line("Trainable params:", all.trainable, mib(all.trainable));
  out += line("Non-trainable params:", all.non_trainable, mib(all.non_trainable));
  if (has_training_only) out += line("Params used by forward():", fwd.params, mib(fwd.params));
  out +=
      line(has_training_only ? "Total MACs (forward):" : "Total MACs:", fwd.macs, giga(fwd.macs));
  if (has_training_only) out += line("MACs with training-only outputs:", all.macs, giga(all.macs));
  out += fmt::format("{:<34}{:>16}\n", "Parameter memory (float32):", mib(all.params));
  return out;
}

}  // namespace

std::string summary_table(const Graph& g) {
  size_t name_width = 5;
  const bool has_training_only =
      std::any_of(g.nodes.begin(), g.nodes.end(), [](const Node& n) { return !n.inference; });
  for (const Node& n : g.nodes)
    name_width = std::max(name_width, n.name.size() + (has_training_only ? 2 : 0));
  const size_t width = name_width + kOpWidth + kShapeWidth + kParamsWidth + kMacsWidth + 4;
  const std::string thick(width, '='), thin(width, '-');
  std::string out = fmt::format("Model: \"{}\"   ({})\n{}\n", g.name, g.spec_path, thick);
  out += fmt::format("{:<{}}  {:<{}}  {:<{}}{:>{}}{:>{}}\n", "Layer", name_width, "Op", kOpWidth,
                     "Output shape", kShapeWidth, "Params", kParamsWidth, "MACs", kMacsWidth);
  out += thin + "\n";
  out += layer_rows(g, name_width, has_training_only);
  out += thick + "\n";
  out += totals_section(g, has_training_only);
  if (has_training_only) out += "* only in training_only outputs (not computed by forward())\n";
  out += thin + "\n";
  return out;
}

}  // namespace modelc
