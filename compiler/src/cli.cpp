// `modelc check | summary | graph` (docs/cli.md).
#include "cli.hpp"

#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "emit/cpp_names.hpp"
#include "emit/emit.hpp"
#include "passes/pipeline.hpp"
#include "passes/plan.hpp"
#include "report/report.hpp"

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
  generate SPEC -o DIR
                    write the model's C++ (DIR/<spec stem>.hpp and .cpp)

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

constexpr const char* kSummaryHelp = R"(usage: modelc summary [--batch N] SPEC

Prints a table like Keras's model.summary(): each layer's scoped name, op,
output shape (without the batch), parameters and multiply-accumulates per
sample; then total, trainable and non-trainable parameters (batchnorm moving
statistics are non-trainable), total MACs and the parameter memory (float32).
Layers only needed by training_only outputs are marked '*'. Then the memory
plan of the generated code: weights, the inference activation arena (buffers
whose lifetimes do not overlap share space) and the training arena (what
backward keeps, plus gradients), per image and at batch N.

options:
  --batch N         the batch size for the memory plan (default 1)
  -h, --help        this help
)";

constexpr const char* kGenerateHelp = R"(usage: modelc generate SPEC -o DIR [--namespace NS] [--no-fuse]

Checks SPEC and writes the generated model: DIR/<stem>.hpp and DIR/<stem>.cpp,
where <stem> is the spec's file name without its extension; the class is the
spec's `name:`, in namespace NS (default modelc::gen). The output is
byte-identical for the same spec; a file whose content would not change is not
rewritten, so builds do not recompile it.

options:
  -o DIR            output directory (created if missing)
  --namespace NS    C++ namespace of the generated class (default modelc::gen)
  --no-fuse         inference runs every batchnorm, add and relu as its own
                    kernel (the reference the fused code is tested against)
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

// Why `ns` cannot be the generated namespace, or "".
std::string namespace_problem(std::string_view ns) {
  if (ns == "modelc")
    return "'modelc' is the runtime's own namespace; use one inside it (modelc::gen, the default) "
           "or your own";
  size_t i = 0;
  while (true) {
    const size_t start = i;
    if (i >= ns.size() || !(std::isalpha(static_cast<unsigned char>(ns[i])) || ns[i] == '_'))
      return fmt::format("'{}' is not a C++ namespace name (e.g. my::models)", ns);
    while (i < ns.size() && (std::isalnum(static_cast<unsigned char>(ns[i])) || ns[i] == '_')) ++i;
    const std::string_view component = ns.substr(start, i - start);
    if (std::string why = reserved_namespace_component(component, start == 0); !why.empty())
      return fmt::format("namespace '{}': '{}' is {}", ns, component, why);
    if (i == ns.size()) return "";
    if (ns.substr(i, 2) != "::")
      return fmt::format("'{}' is not a C++ namespace name (e.g. my::models)", ns);
    i += 2;
  }
}

// Writes `text` to `path` unless the file already holds exactly that.
bool write_if_changed(const std::filesystem::path& path, const std::string& text, std::ostream& err) {
  {
    std::ifstream in(path, std::ios::binary);
    if (in) {
      std::ostringstream old;
      old << in.rdbuf();
      if (old.str() == text) return true;
    }
  }
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  if (!out) {
    err << fmt::format("modelc: error: cannot write '{}'\n", path.string());
    return false;
  }
  return true;
}

int generate(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  std::vector<std::string> specs;
  std::string dir, ns = "modelc::gen";
  bool fuse = true;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (is_help(a)) return out << kGenerateHelp, 0;
    if (a == "--no-fuse") {
      fuse = false;
    } else if (a == "-o" || a == "--namespace") {
      if (i + 1 == args.size()) return usage(err, fmt::format("generate: {} needs a value", a), kGenerateHelp);
      (a == "-o" ? dir : ns) = args[++i];
    } else if (a.size() > 1 && a[0] == '-') {
      return usage(err, fmt::format("generate: unknown option '{}'", a), kGenerateHelp);
    } else {
      specs.push_back(a);
    }
  }
  if (specs.size() != 1) return usage(err, "generate: give exactly one spec", kGenerateHelp);
  if (dir.empty()) return usage(err, "generate: no output directory (-o DIR)", kGenerateHelp);
  if (std::string problem = namespace_problem(ns); !problem.empty())
    return usage(err, "generate: " + problem, kGenerateHelp);
  std::optional<Graph> g = compile(specs[0], err);
  if (!g) return 1;
  Diagnostics diags;
  MemoryPlan plan;
  if (!plan_memory(*g, plan, diags, fuse)) {
    err << diags.format();
    return 1;
  }
  const std::filesystem::path spec_path(specs[0]);
  const std::string stem = spec_path.stem().string();
  GeneratedFiles files = emit_cpp(*g, plan, spec_path.filename().string(), stem, ns);
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) {
    err << fmt::format("modelc: error: cannot create directory '{}': {}\n", dir, ec.message());
    return 1;
  }
  if (!write_if_changed(std::filesystem::path(dir) / files.header_name, files.header, err) ||
      !write_if_changed(std::filesystem::path(dir) / files.source_name, files.source, err))
    return 1;
  return 0;
}

int summary(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  std::vector<std::string> specs;
  int64_t batch = 1;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (is_help(a)) return out << kSummaryHelp, 0;
    if (a == "--batch") {
      if (i + 1 == args.size()) return usage(err, "summary: --batch needs a value", kSummaryHelp);
      const std::string& v = args[++i];
      char* end = nullptr;
      const long long b = std::strtoll(v.c_str(), &end, 10);
      if (v.empty() || *end != '\0' || b < 1 || b > 1000000)
        return usage(err, fmt::format("summary: --batch takes an integer in 1..1000000, got '{}'", v),
                     kSummaryHelp);
      batch = b;
    } else if (a.size() > 1 && a[0] == '-') {
      return usage(err, fmt::format("summary: unknown option '{}'", a), kSummaryHelp);
    } else {
      specs.push_back(a);
    }
  }
  if (specs.size() != 1) return usage(err, "summary: give exactly one spec", kSummaryHelp);
  std::optional<Graph> g = compile(specs[0], err);
  if (!g) return 1;
  out << summary_table(*g);
  Diagnostics diags;
  MemoryPlan plan;
  if (plan_memory(*g, plan, diags)) out << "\n" << memory_plan_text(*g, plan, batch);
  else err << diags.format();
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
  if (cmd == "summary") return summary(rest, out, err);
  if (cmd == "generate") return generate(rest, out, err);
  if (cmd == "graph") return one_spec(cmd, rest, kGraphHelp, out, err, graph_dot);
  static const std::vector<std::string> commands = {"check", "summary", "graph", "generate"};
  return usage(err, fmt::format("unknown command '{}'{}", cmd, did_you_mean(cmd, commands)), kToolHelp);
}

}  // namespace modelc
