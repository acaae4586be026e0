// `modelc check | summary | graph` (docs/cli.md).
#include "cli.hpp"

#include <fmt/format.h>

#include "pipeline.hpp"
#include "report.hpp"

#ifndef MODELC_VERSION
#error "MODELC_VERSION must be defined by the build (PROJECT_VERSION)"
#endif

namespace modelc {

namespace {

constexpr const char* kToolHelp = R"(usage: modelc <command> [options] SPEC...

modelc compiles neural-network specs (YAML) into checked graphs.

commands:
  check SPEC...     parse and check specs: every shape, name and attribute
  summary SPEC      a table of layers, output shapes, parameters and MACs
  graph SPEC        the network as Graphviz DOT (blocks as clusters)

options:
  -h, --help        this help; 'modelc <command> --help' for a command's
  --version         print the version

exit status: 0 success, 1 errors in a spec, 2 usage errors.
)";

constexpr const char* kCheckHelp = R"(usage: modelc check [--dump-ir] SPEC...

Parses and checks each spec. On success prints one line per spec to stdout;
otherwise prints compiler-style errors (file:line:col: error: ..., then
note: lines) to stderr and exits with status 1.

options:
  --dump-ir         also print the checked graph IR (one line per node)
  -h, --help        this help
)";

constexpr const char* kSummaryHelp = R"(usage: modelc summary SPEC

Prints a table like Keras's model.summary(): each layer's scoped name, op,
output shape (without the batch), parameters and multiply-accumulates per
sample; then total, trainable and non-trainable parameters (batchnorm moving
statistics are non-trainable), total MACs and the parameter memory (float32).
Layers only needed by training_only outputs are marked '*'.

options:
  -h, --help        this help
)";

constexpr const char* kGraphHelp = R"(usage: modelc graph SPEC

Prints the checked network as Graphviz DOT: one box per layer (op, name,
output shape), block instances as nested clusters, training-only layers
dashed, outputs double-bordered. For a picture:
  modelc graph specs/googlenet.yaml | dot -Tsvg -o googlenet.svg

options:
  -h, --help        this help
)";

int usage(std::ostream& err, const std::string& message, const char* help) {
  err << "modelc: " << message << "\n\n" << help;
  return 2;
}

bool is_help(const std::string& a) { return a == "-h" || a == "--help"; }

std::optional<Graph> compile(const std::string& path, std::ostream& err) {
  Diagnostics diags;
  std::optional<Graph> g = compile_file(path, diags);
  err << diags.format();
  if (!diags.empty())
    err << fmt::format("{}: {} error{}\n", path, diags.size(), diags.size() == 1 ? "" : "s");
  return g;
}

int check(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  bool dump = false;
  std::vector<std::string> specs;
  for (const std::string& a : args) {
    if (is_help(a)) return out << kCheckHelp, 0;
    if (a == "--dump-ir") dump = true;
    else if (a.size() > 1 && a[0] == '-') return usage(err, fmt::format("check: unknown option '{}'", a), kCheckHelp);
    else specs.push_back(a);
  }
  if (specs.empty()) return usage(err, "check: no spec given", kCheckHelp);
  int status = 0;
  for (const std::string& path : specs) {
    std::optional<Graph> g = compile(path, err);
    if (!g) {
      status = 1;
      continue;
    }
    const GraphTotals t = totals(*g, true);
    out << fmt::format("{}: ok: {}, {} nodes, {} parameters, {} MACs\n", path, g->name, g->nodes.size(),
                       with_commas(totals(*g, false).params), with_commas(t.macs));
    if (dump) out << dump_ir(*g);
  }
  return status;
}

int one_spec(const std::string& cmd, const std::vector<std::string>& args, const char* help, std::ostream& out,
             std::ostream& err, std::string (*render)(const Graph&)) {
  std::vector<std::string> specs;
  for (const std::string& a : args) {
    if (is_help(a)) return out << help, 0;
    if (a.size() > 1 && a[0] == '-') return usage(err, fmt::format("{}: unknown option '{}'", cmd, a), help);
    specs.push_back(a);
  }
  if (specs.size() != 1) return usage(err, fmt::format("{}: give exactly one spec", cmd), help);
  std::optional<Graph> g = compile(specs[0], err);
  if (!g) return 1;
  out << render(*g);
  return 0;
}

}  // namespace

int run_cli(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  if (args.empty()) return usage(err, "no command given", kToolHelp);
  const std::string& cmd = args[0];
  const std::vector<std::string> rest(args.begin() + 1, args.end());
  if (is_help(cmd)) return out << kToolHelp, 0;
  if (cmd == "--version") return out << "modelc " << MODELC_VERSION << "\n", 0;
  if (cmd == "check") return check(rest, out, err);
  if (cmd == "summary") return one_spec(cmd, rest, kSummaryHelp, out, err, summary_table);
  if (cmd == "graph") return one_spec(cmd, rest, kGraphHelp, out, err, graph_dot);
  static const std::vector<std::string> commands = {"check", "summary", "graph"};
  return usage(err, fmt::format("unknown command '{}'{}", cmd, did_you_mean(cmd, commands)), kToolHelp);
}

}  // namespace modelc
