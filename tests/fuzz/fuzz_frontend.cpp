// libFuzzer target: the whole front end on arbitrary bytes, as `modelc
// generate` runs it (compile_spec, then summary, graph, memory plan, emitted
// C++). Any crash, sanitizer report, escaped exception or broken invariant is
// a finding; a clean rejection is a diagnostic.
#include <cstdint>
#include <cstdlib>
#include <cstdio>
#include <string_view>

#include "emit/emit.hpp"
#include "passes/pipeline.hpp"
#include "passes/plan.hpp"
#include "report/report.hpp"

namespace {

[[noreturn]] void broken(const char* what) {
  std::fprintf(stderr, "fuzz_frontend: invariant broken: %s\n", what);
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace modelc;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  Diagnostics diags;
  std::optional<Graph> g = compile_spec("fuzz/spec.yaml", text, diags);
  if (g.has_value() != diags.empty()) broken("a graph comes with errors, or no graph without one");
  if (!g) {
    if (diags.format().empty()) broken("an error prints as nothing");
    return 0;
  }
  (void)summary_table(*g);
  (void)graph_dot(*g);
  MemoryPlan plan;
  Diagnostics plan_diags;
  if (!plan_memory(*g, plan, plan_diags)) {
    if (plan_diags.empty()) broken("plan_memory failed without a diagnostic");
    return 0;
  }
  (void)memory_plan_text(*g, plan, 1);
  (void)memory_plan_text(*g, plan, 1000000);  // summary --batch accepts up to 1,000,000
  const GeneratedFiles a = emit_cpp(*g, plan, "spec.yaml", "spec", "modelc::gen");
  const GeneratedFiles b = emit_cpp(*g, plan, "spec.yaml", "spec", "modelc::gen");
  if (a.header != b.header || a.source != b.source) broken("emitted code differs between two runs");
  return 0;
}
