// `modelc check | summary | graph | generate` (docs/cli.md). Every command runs
// the passes of pipeline.hpp through plan at least, so all four stop at the
// same errors, with the same messages and exit status 1.
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
  check SPEC...     check specs: every error generate could report, reported
                    first (shapes, names, attributes, the memory plan)
  summary SPEC      a table of layers, output shapes, parameters and MACs
  graph SPEC        the network as Graphviz DOT (blocks as clusters)
  generate SPEC -o DIR
                    write the model's C++ (DIR/<spec stem>.hpp and .cpp)

options:
  -h, --help        this help; 'modelc <command> --help' for a command's
  --version         print the version

exit status: 0 success, 1 errors in a spec, 2 usage errors.
)";

constexpr const char* kCheckHelp = R"(usage: modelc check [--dump=STAGE] [--no-fuse] SPEC...

Runs every pass that can find an error in a spec (through the memory plan), so
a spec that passes check also passes generate. On success prints one line per
spec to stdout; otherwise prints compiler-style errors (file:line:col: error:
..., then note: lines) to stderr and exits with status 1.

options:
  --dump=STAGE      run the passes through STAGE, print its result instead of
                    the ok line, and stop (later passes do not run):
                      ir    the graph IR after infer_shapes, one line per node
                      plan  the memory plan: offsets, views, fusion per node
                      emit  the generated .hpp and .cpp (namespace modelc::gen)
  --dump-ir         the same as --dump=ir
  --no-fuse         plan (and emit) without fusing batchnorm/add/relu into convs
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

constexpr const char* kGenerateHelp =
    R"(usage: modelc generate SPEC -o DIR [--namespace NS] [--no-fuse] [--dump=STAGE]

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
  --dump=STAGE      print STAGE's result (ir, plan, emit) to stdout instead of
                    writing files, as 'modelc check --dump' does
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

// The results --dump can print, each after the pass that makes it.
struct Dump {
  const char* name;
  Stage after;
};
constexpr Dump kDumps[] = {
    {"ir", Stage::infer_shapes}, {"plan", Stage::plan}, {"emit", Stage::emit}};

// Reads `--dump=NAME` (or the older `--dump-ir`, kept for scripts and docs) into
// `dump`; returns false when `a` is not a dump option. An unknown or missing
// NAME leaves `dump` empty and NAME in `unknown`, for unknown_dump.
bool dump_option(const std::string& a, std::optional<Dump>& dump, std::string& unknown) {
  std::string name;
  if (a == "--dump-ir")
    name = "ir";
  else if (a.rfind("--dump=", 0) == 0)
    name = a.substr(7);
  else if (a == "--dump")
    name = "";
  else
    return false;
  for (const Dump& d : kDumps)
    if (name == d.name) return dump = d, true;
  dump.reset();
  unknown = name;
  return true;
}

std::string unknown_dump(std::string_view cmd, const std::string& name) {
  std::vector<std::string> names;
  for (const Dump& d : kDumps) names.push_back(d.name);
  const std::string what =
      name.empty() ? "--dump needs a stage: --dump=STAGE"
                   : fmt::format("unknown --dump stage '{}'{}", name, did_you_mean(name, names));
  return fmt::format("{}: {} (stages: {})", cmd, what, fmt::join(names, ", "));
}

std::string offset(int64_t v) { return v < 0 ? "-" : std::to_string(v); }

// The MemoryPlan in full, one line per node and per output (`--dump=plan`):
// what a change to plan.cpp can be diffed on. Sizes and offsets are floats per
// image, masks bytes per image, prepared weights floats.
std::string plan_dump(const Graph& g, const MemoryPlan& p) {
  std::string out = fmt::format(
      "plan {}: inference_arena={} training_arena={} grad=[{}, {}) masks={} prepared={} "
      "im2col={}\n",
      g.name, p.inference_arena, p.training_arena, p.grad_begin, p.grad_end, p.masks,
      p.prepared_floats, p.im2col_floats);
  for (size_t i = 0; i < p.nodes.size(); ++i) {
    const NodePlan& n = p.nodes[i];
    std::string line =
        fmt::format("%{} {} {} size={} inf={} trn={} grad={}", i, g.nodes[i].name,
                    op_name(g.nodes[i].op), n.size, offset(n.inf), offset(n.trn), offset(n.grad));
    if (n.aux >= 0) line += fmt::format(" aux={}", n.aux);
    if (n.mask >= 0) line += fmt::format(" mask={}", n.mask);
    if (n.view_of >= 0) line += fmt::format(" view_of=%{}", n.view_of);
    if (n.train_view_of >= 0) line += fmt::format(" train_view_of=%{}", n.train_view_of);
    if (n.logits_head) line += " logits_head";
    if (n.skip_training) line += " skip_training";
    if (n.split_head)
      line += fmt::format(" split_head logits={} logits_grad={}", n.logits, n.logits_grad);
    if (!n.fused.empty()) {
      std::vector<std::string> fused;
      for (int f : n.fused) fused.push_back(fmt::format("%{}", f));
      line += fmt::format(" fused={{{}}}", fmt::join(fused, " "));
    }
    if (n.fuse_bn >= 0) line += fmt::format(" fuse_bn=%{}", n.fuse_bn);
    if (n.fuse_residual >= 0) line += fmt::format(" fuse_residual=%{}", n.fuse_residual);
    if (n.fuse_act != Activation::linear)
      line += fmt::format(" fuse_act={}", activation_name(n.fuse_act));
    if (n.prep >= 0) line += fmt::format(" prep={}", n.prep);
    out += line + "\n";
  }
  for (size_t k = 0; k < p.outputs.size(); ++k) {
    const OutputPlan& o = p.outputs[k];
    out += fmt::format(
        "output {} %{} size={} inf={} logits={} probs={} logits_grad={} loss={} "
        "loss_weight={}{}{}\n",
        k, o.node, o.size, offset(o.inf), offset(o.logits), offset(o.probs), offset(o.logits_grad),
        kLossNames[static_cast<size_t>(o.loss)], o.loss_weight,
        o.absorbed != Activation::linear ? fmt::format(" absorbs={}", activation_name(o.absorbed))
                                         : "",
        o.training_only ? " training_only" : "");
  }
  return out;
}

std::string render_dump(const Dump& d, const Compilation& c) {
  switch (d.after) {
    case Stage::infer_shapes: return dump_ir(*c.graph);
    case Stage::plan: return plan_dump(*c.graph, *c.plan);
    default: {
      const GeneratedFiles& f = *c.files;
      return fmt::format("// modelc --dump=emit: {}\n{}// modelc --dump=emit: {}\n{}",
                         f.header_name, f.header, f.source_name, f.source);
    }
  }
}

// The options for the passes on `path`: emit names the files after its stem.
PipelineOptions options_for(const std::string& path, Stage last, bool fuse,
                            std::string ns = "modelc::gen") {
  const std::filesystem::path p(path);
  return {.last = last,
          .fuse = fuse,
          .spec_label = p.filename().string(),
          .stem = p.stem().string(),
          .ns = std::move(ns)};
}

// Runs the passes on one spec through options.last; errors and their count go to `err`.
bool compile(const std::string& path, const PipelineOptions& options, Compilation& c,
             std::ostream& err) {
  Diagnostics diags;
  const bool ok = run_passes_on_file(path, options, c, diags);
  err << diags.format();
  if (!diags.empty())
    err << fmt::format("{}: {} error{}\n", path, diags.size(), diags.size() == 1 ? "" : "s");
  return ok;
}

int check(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  std::optional<Dump> dump;
  bool fuse = true;
  std::vector<std::string> specs;
  for (const std::string& a : args) {
    std::string unknown;
    if (is_help(a)) return out << kCheckHelp, 0;
    if (dump_option(a, dump, unknown)) {
      if (!dump) return usage(err, unknown_dump("check", unknown), kCheckHelp);
    } else if (a == "--no-fuse") {
      fuse = false;
    } else if (a.size() > 1 && a[0] == '-') {
      return usage(err, fmt::format("check: unknown option '{}'", a), kCheckHelp);
    } else {
      specs.push_back(a);
    }
  }
  if (specs.empty()) return usage(err, "check: no spec given", kCheckHelp);
  int status = 0;
  for (const std::string& path : specs) {
    // Without --dump, through plan: every error generate can report (emit cannot fail).
    Compilation c;
    if (!compile(path, options_for(path, dump ? dump->after : Stage::plan, fuse), c, err)) {
      status = 1;
      continue;
    }
    if (dump) {
      out << render_dump(*dump, c);
      continue;
    }
    const Graph& g = *c.graph;
    out << fmt::format("{}: ok: {}, {} nodes, {} parameters, {} MACs\n", path, g.name,
                       g.nodes.size(), with_commas(totals(g, false).params),
                       with_commas(totals(g, true).macs));
  }
  return status;
}

// `graph`: one spec, checked as `check` does, then rendered.
int one_spec(const std::string& cmd, const std::vector<std::string>& args, const char* help,
             std::ostream& out, std::ostream& err, std::string (*render)(const Graph&)) {
  std::vector<std::string> specs;
  for (const std::string& a : args) {
    if (is_help(a)) return out << help, 0;
    if (a.size() > 1 && a[0] == '-')
      return usage(err, fmt::format("{}: unknown option '{}'", cmd, a), help);
    specs.push_back(a);
  }
  if (specs.size() != 1) return usage(err, fmt::format("{}: give exactly one spec", cmd), help);
  Compilation c;
  if (!compile(specs[0], options_for(specs[0], Stage::plan, true), c, err)) return 1;
  out << render(*c.graph);
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
bool write_if_changed(const std::filesystem::path& path, const std::string& text,
                      std::ostream& err) {
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
  std::optional<Dump> dump;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    std::string unknown;
    if (is_help(a)) return out << kGenerateHelp, 0;
    if (dump_option(a, dump, unknown)) {
      if (!dump) return usage(err, unknown_dump("generate", unknown), kGenerateHelp);
    } else if (a == "--no-fuse") {
      fuse = false;
    } else if (a == "-o" || a == "--namespace") {
      if (i + 1 == args.size())
        return usage(err, fmt::format("generate: {} needs a value", a), kGenerateHelp);
      (a == "-o" ? dir : ns) = args[++i];
    } else if (a.size() > 1 && a[0] == '-') {
      return usage(err, fmt::format("generate: unknown option '{}'", a), kGenerateHelp);
    } else {
      specs.push_back(a);
    }
  }
  if (specs.size() != 1) return usage(err, "generate: give exactly one spec", kGenerateHelp);
  if (dir.empty() && !dump)
    return usage(err, "generate: no output directory (-o DIR)", kGenerateHelp);
  // A usage error, not a spec error: the namespace comes from the command line.
  if (std::string problem = namespace_problem(ns); !problem.empty())
    return usage(err, "generate: " + problem, kGenerateHelp);
  Compilation c;
  if (!compile(specs[0], options_for(specs[0], dump ? dump->after : Stage::emit, fuse, ns), c, err))
    return 1;
  if (dump) return out << render_dump(*dump, c), 0;
  const GeneratedFiles& files = *c.files;
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
        return usage(err,
                     fmt::format("summary: --batch takes an integer in 1..1000000, got '{}'", v),
                     kSummaryHelp);
      batch = b;
    } else if (a.size() > 1 && a[0] == '-') {
      return usage(err, fmt::format("summary: unknown option '{}'", a), kSummaryHelp);
    } else {
      specs.push_back(a);
    }
  }
  if (specs.size() != 1) return usage(err, "summary: give exactly one spec", kSummaryHelp);
  Compilation c;
  if (!compile(specs[0], options_for(specs[0], Stage::plan, true), c, err)) return 1;
  out << summary_table(*c.graph) << "\n" << memory_plan_text(*c.graph, *c.plan, batch);
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
  return usage(err, fmt::format("unknown command '{}'{}", cmd, did_you_mean(cmd, commands)),
               kToolHelp);
}

}  // namespace modelc
