// `modelc check | summary | graph | generate` (docs/cli.md). Every command runs
// the passes of pipeline.hpp through plan at least, so all four stop at the
// same errors, with the same messages and exit status 1.
#include "cli.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "emit/cpp_names.hpp"
#include "emit/emit.hpp"
#include "import/onnx_import.hpp"
#include "passes/pipeline.hpp"
#include "passes/plan.hpp"
#include "report/graphviz.hpp"
#include "report/render.hpp"
#include "report/report.hpp"
#include "modelc/error.hpp"
#include "modelc/safetensors.hpp"

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
  graph SPEC [-o FILE]
                    the network as Graphviz DOT (blocks as clusters), or
                    drawn to FILE.svg/.png/.pdf by Graphviz
  generate SPEC -o DIR
                    write the model's C++ (DIR/<spec stem>.hpp and .cpp)
  import MODEL.onnx -o NET.yaml [--weights NET.safetensors]
                    an ONNX model (e.g. from torch.onnx.export) as a spec
                    and its weights in modelc's names and layouts

options:
  -h, --help        this help; 'modelc <command> --help' for a command's
  --version         print the version
  --color=WHEN      colour the errors: auto (on a terminal, unless NO_COLOR is
                    set), always or never; before or after the command

exit status: 0 success, 1 errors in a spec, 2 usage errors.
)";

constexpr const char* kImportHelp =
    R"(usage: modelc import MODEL.onnx -o NET.yaml [--weights FILE] [--name NAME] [--input-shape N,C,H,W]

Reads an ONNX model (opsets 7 to 17, as torch.onnx.export writes it), checks it
with ONNX's checker and shape inference, folds its constant subgraphs and maps
its nodes onto modelc ops (docs/import.md). Writes NET.yaml, a spec whose
layers are named after the ONNX nodes (each with a comment naming the node),
with `input: {layout: nchw}` so the generated forward takes PyTorch's NCHW
tensor; and the weights as safetensors in modelc's names and Keras layouts,
whose __metadata__ maps every tensor to its ONNX initializer and the transform
applied (numpy expressions both ways). The spec is then checked as 'modelc
check' would. Every node modelc cannot express is reported, not just the first.

options:
  -o NET.yaml         the spec to write
  --weights FILE      the weights to write (default: NET.safetensors next to
                      the spec)
  --name NAME         the spec's name: (the generated class; default: the
                      model file's name)
  --input-shape DIMS  the input's shape, batch first (e.g. 1,3,224,224), for
                      a model whose input has dynamic or missing dimensions
  -h, --help          this help
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

constexpr const char* kGraphHelp = R"(usage: modelc graph SPEC [-o FILE]

Prints the checked network as Graphviz DOT: one box per layer (op, name,
output shape), block instances as nested clusters, training-only layers
dashed, outputs double-bordered.

options:
  -o FILE           write FILE instead of printing the DOT: FILE.svg, .png
                    or .pdf is drawn by Graphviz's 'dot' program (Debian
                    package graphviz), FILE.dot or .gv is the DOT text
  -h, --help        this help
)";

// A usage error: the message, the help's usage line and where the rest is.
int usage(std::ostream& err, const std::string& message, const char* help) {
  const std::string_view h(help);
  const std::string_view line = h.substr(0, h.find('\n'));  // "usage: modelc check ..."
  const std::string_view words = line.substr(std::string_view("usage: modelc ").size());
  const std::string_view cmd = words.substr(0, words.find(' '));
  const std::string more = cmd.starts_with('<')
                               ? "'modelc --help' lists the commands and options"
                               : fmt::format("'modelc {} --help' lists its options", cmd);
  err << "modelc: " << message << "\n" << line << "\n" << more << "\n";
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

// Parses a command's arguments with CLI11 into the options `app` declares and
// the specs (positionals; `--` ends the options). `--help` anywhere before `--`
// prints `help`. With `dump`, also reads --dump=STAGE and --dump-ir (by hand:
// a bare `--dump` does not take the next argument, which is a spec). Returns
// nullopt to go on, or the exit status: 0 after --help, 2 on a usage error,
// with a did-you-mean for a misspelt option.
std::optional<int> parse_command(CLI::App& app, const std::string& cmd,
                                 const std::vector<std::string>& args, const char* help,
                                 std::vector<std::string>& specs, std::optional<Dump>* dump,
                                 std::ostream& out, std::ostream& err) {
  std::vector<std::string> rest;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--") {
      rest.insert(rest.end(), args.begin() + static_cast<std::ptrdiff_t>(i), args.end());
      break;
    }
    if (is_help(a)) return out << help, 0;
    std::string unknown;
    if (dump && dump_option(a, *dump, unknown)) {
      if (!*dump) return usage(err, unknown_dump(cmd, unknown), help);
      continue;
    }
    // `-o=DIR` as `-o DIR` (CLI11 would make the value "=DIR").
    if (a.size() > 2 && a[0] == '-' && a[1] != '-' && a[2] == '=') {
      rest.push_back(a.substr(0, 2));
      rest.push_back(a.substr(3));
      continue;
    }
    // CLI11 would take the next argument for an empty `--opt=`.
    if (a.starts_with("--") && a.ends_with("="))
      return usage(err, fmt::format("{}: {} needs a value", cmd, a.substr(0, a.size() - 1)), help);
    rest.push_back(a);
  }
  app.set_help_flag();
  app.allow_extras();
  app.add_option("SPEC", specs);
  std::vector<std::string> names = {"--help", "-h", "--color"};
  if (dump) names.insert(names.end(), {"--dump", "--dump-ir"});
  for (const CLI::Option* o : app.get_options()) {
    for (const std::string& l : o->get_lnames()) names.push_back("--" + l);
    for (const std::string& sn : o->get_snames()) names.push_back("-" + sn);
  }
  std::reverse(rest.begin(), rest.end());  // CLI11 takes them last first
  try {
    app.parse(rest);
  } catch (const CLI::ArgumentMismatch& e) {
    // "--batch: 1 required TEXT missing"
    const std::string what = e.what();
    return usage(err, fmt::format("{}: {} needs a value", cmd, what.substr(0, what.find(':'))),
                 help);
  } catch (const CLI::ParseError& e) {
    return usage(err, fmt::format("{}: {}", cmd, e.what()), help);
  }
  for (const std::string& r : app.remaining()) {
    if (r == "--") continue;
    const std::string name = r.substr(0, r.find('='));
    return usage(
        err, fmt::format("{}: unknown option '{}'{}", cmd, name, did_you_mean(name, names)), help);
  }
  return std::nullopt;
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
             std::ostream& err, const RenderOptions& render_options) {
  Diagnostics diags;
  const bool ok = run_passes_on_file(path, options, c, diags);
  SourceFiles sources;
  err << render(diags, sources, render_options);
  if (!diags.empty())
    err << fmt::format("{}: {} error{}\n", path, diags.size(), diags.size() == 1 ? "" : "s");
  return ok;
}

int check(const std::vector<std::string>& args, std::ostream& out, std::ostream& err,
          const RenderOptions& ro) {
  std::optional<Dump> dump;
  bool no_fuse = false;
  std::vector<std::string> specs;
  CLI::App app;
  app.add_flag("--no-fuse", no_fuse);
  if (auto status = parse_command(app, "check", args, kCheckHelp, specs, &dump, out, err))
    return *status;
  const bool fuse = !no_fuse;
  if (specs.empty()) return usage(err, "check: no spec given", kCheckHelp);
  int status = 0;
  for (const std::string& path : specs) {
    // Without --dump, through plan: every error generate can report (emit cannot fail).
    Compilation c;
    if (!compile(path, options_for(path, dump ? dump->after : Stage::plan, fuse), c, err, ro)) {
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

// `graph`: one spec, checked as `check` does, then its DOT to stdout, to a
// .dot/.gv file, or rendered to .svg/.png/.pdf by Graphviz's dot.
int graph(const std::vector<std::string>& args, std::ostream& out, std::ostream& err,
          const RenderOptions& ro) {
  std::vector<std::string> specs;
  std::string file;
  CLI::App app;
  app.add_option("-o", file)->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
  if (auto status = parse_command(app, "graph", args, kGraphHelp, specs, nullptr, out, err))
    return *status;
  if (specs.size() != 1) return usage(err, "graph: give exactly one spec", kGraphHelp);
  const std::string ext = std::filesystem::path(file).extension().string();
  const bool dot_file = ext == ".dot" || ext == ".gv";
  const std::optional<std::string> format = picture_format(file);
  if (!file.empty() && !dot_file && !format)
    return usage(err,
                 fmt::format("graph: -o FILE must end in .svg, .png or .pdf (drawn by Graphviz) or "
                             ".dot or .gv (the DOT text), got '{}'",
                             file),
                 kGraphHelp);
  std::string dot;
  if (format) {
    dot = find_on_path("dot");
    if (dot.empty()) {
      err << fmt::format(
          "modelc: error: graph: drawing '{}' needs Graphviz's 'dot' program, which is not on "
          "PATH; install the Debian package 'graphviz' (apt-get install graphviz), or write the "
          "DOT text with -o {}\n",
          file, std::filesystem::path(file).replace_extension(".dot").string());
      return 1;
    }
  }
  Compilation c;
  if (!compile(specs[0], options_for(specs[0], Stage::plan, true), c, err, ro)) return 1;
  const std::string text = graph_dot(*c.graph);
  if (file.empty()) return out << text, 0;
  if (dot_file) return write_if_changed(file, text, err) ? 0 : 1;
  if (std::string problem = render_with_dot(dot, text, *format, file); !problem.empty()) {
    err << fmt::format("modelc: error: graph: {}\n", problem);
    return 1;
  }
  return 0;
}

int generate(const std::vector<std::string>& args, std::ostream& out, std::ostream& err,
             const RenderOptions& ro) {
  std::vector<std::string> specs;
  std::string dir, ns = "modelc::gen";
  bool no_fuse = false;
  std::optional<Dump> dump;
  CLI::App app;
  app.add_option("-o", dir)->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
  app.add_option("--namespace", ns)->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
  app.add_flag("--no-fuse", no_fuse);
  if (auto status = parse_command(app, "generate", args, kGenerateHelp, specs, &dump, out, err))
    return *status;
  const bool fuse = !no_fuse;
  if (specs.size() != 1) return usage(err, "generate: give exactly one spec", kGenerateHelp);
  if (dir.empty() && !dump)
    return usage(err, "generate: no output directory (-o DIR)", kGenerateHelp);
  // A usage error, not a spec error: the namespace comes from the command line.
  if (std::string problem = namespace_problem(ns); !problem.empty())
    return usage(err, "generate: " + problem, kGenerateHelp);
  Compilation c;
  if (!compile(specs[0], options_for(specs[0], dump ? dump->after : Stage::emit, fuse, ns), c, err,
               ro))
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

int summary(const std::vector<std::string>& args, std::ostream& out, std::ostream& err,
            const RenderOptions& ro) {
  std::vector<std::string> specs;
  std::string batch_text;
  CLI::App app;
  app.add_option("--batch", batch_text)->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
  if (auto status = parse_command(app, "summary", args, kSummaryHelp, specs, nullptr, out, err))
    return *status;
  int64_t batch = 1;
  if (app.count("--batch") > 0) {
    const std::string& v = batch_text;
    char* end = nullptr;
    const long long b = std::strtoll(v.c_str(), &end, 10);
    if (v.empty() || *end != '\0' || b < 1 || b > 1000000)
      return usage(err, fmt::format("summary: --batch takes an integer in 1..1000000, got '{}'", v),
                   kSummaryHelp);
    batch = b;
  }
  if (specs.size() != 1) return usage(err, "summary: give exactly one spec", kSummaryHelp);
  Compilation c;
  if (!compile(specs[0], options_for(specs[0], Stage::plan, true), c, err, ro)) return 1;
  out << summary_table(*c.graph) << "\n" << memory_plan_text(*c.graph, *c.plan, batch);
  return 0;
}

// `import`: ONNX to spec + weights, then the spec checked like `check`.
int import_command(const std::vector<std::string>& args, std::ostream& out, std::ostream& err,
                   const RenderOptions& ro) {
  std::vector<std::string> models;
  std::string spec_path, weights_path, name, shape_text;
  CLI::App app;
  app.add_option("-o", spec_path)->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
  app.add_option("--weights", weights_path)->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
  app.add_option("--name", name)->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
  app.add_option("--input-shape", shape_text)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
  if (auto status = parse_command(app, "import", args, kImportHelp, models, nullptr, out, err))
    return *status;
  if (models.size() != 1) return usage(err, "import: give exactly one ONNX model", kImportHelp);
  if (spec_path.empty()) return usage(err, "import: -o NET.yaml is required", kImportHelp);
  ImportOptions options;
  options.model_path = models[0];
  options.name = name;
  if (!shape_text.empty()) {
    std::stringstream ss(shape_text);
    std::string item;
    while (std::getline(ss, item, ',')) {
      char* end = nullptr;
      const long long d = std::strtoll(item.c_str(), &end, 10);
      if (item.empty() || *end != '\0' || d < 1 || d > 1000000)
        return usage(err,
                     fmt::format("import: --input-shape takes positive integers separated by "
                                 "commas (e.g. 1,3,224,224), got '{}'",
                                 shape_text),
                     kImportHelp);
      options.input_shape.push_back(d);
    }
  }
  const bool name_ok =
      name.empty() || ((std::isalpha(static_cast<unsigned char>(name[0])) || name[0] == '_') &&
                       std::all_of(name.begin(), name.end(), [](char ch) {
                         return std::isalnum(static_cast<unsigned char>(ch)) || ch == '_';
                       }));
  if (!name_ok)
    return usage(err,
                 fmt::format("import: --name '{}' is not a valid model name (letters, digits and "
                             "'_', not starting with a digit)",
                             name),
                 kImportHelp);
  const std::filesystem::path spec(spec_path);
  if (weights_path.empty())
    weights_path = (spec.parent_path() / spec.stem()).string() + ".safetensors";
  options.weights_label = std::filesystem::path(weights_path).filename().string();
  ImportResult r;
  try {
    r = import_onnx(options);
  } catch (const ImportError& e) {
    for (const std::string& m : e.messages()) err << "modelc import: error: " << m << "\n";
    return 1;
  }
  std::error_code ec;
  if (!spec.parent_path().empty()) std::filesystem::create_directories(spec.parent_path(), ec);
  if (!write_if_changed(spec, r.spec, err)) return 1;
  std::vector<TensorRef> refs;
  int64_t params = 0;
  for (const ImportedTensor& t : r.weights) {
    refs.push_back({t.name, t.shape, t.data});
    params += static_cast<int64_t>(t.data.size());
  }
  try {
    write_safetensors(weights_path, refs, r.metadata);
  } catch (const Error& e) {
    err << "modelc import: error: " << e.what() << "\n";
    return 1;
  }
  Compilation c;
  if (!compile(spec_path, options_for(spec_path, Stage::plan, true), c, err, ro)) {
    err << fmt::format(
        "modelc import: error: the spec written from {} does not check (an importer "
        "bug: please report it with the model)\n",
        models[0]);
    return 1;
  }
  out << fmt::format("{}: imported: {}, {} layers, {} weights -> {}, {}\n", models[0],
                     c.graph->name, c.graph->nodes.size(), with_commas(params), spec_path,
                     weights_path);
  return 0;
}

}  // namespace

int run_cli(const std::vector<std::string>& all_args, std::ostream& out, std::ostream& err,
            bool err_is_tty) {
  // --color=WHEN (or --color WHEN) may stand anywhere before a `--`.
  ColorMode color = ColorMode::auto_;
  std::vector<std::string> args;
  for (size_t i = 0; i < all_args.size(); ++i) {
    const std::string& a = all_args[i];
    if (a == "--") {
      args.insert(args.end(), all_args.begin() + static_cast<std::ptrdiff_t>(i), all_args.end());
      break;
    }
    if (a != "--color" && a.rfind("--color=", 0) != 0) {
      args.push_back(a);
      continue;
    }
    std::string when;
    if (a == "--color") {
      if (i + 1 == all_args.size())
        return usage(err, "--color needs a value: auto, always or never", kToolHelp);
      when = all_args[++i];
    } else {
      when = a.substr(8);
    }
    const std::optional<ColorMode> m = parse_color_mode(when);
    if (!m)
      return usage(err, fmt::format("--color takes auto, always or never, got '{}'", when),
                   kToolHelp);
    color = *m;
  }
  const RenderOptions ro{.color = use_color(color, err_is_tty)};
  if (args.empty()) return usage(err, "no command given", kToolHelp);
  const std::string& cmd = args[0];
  const std::vector<std::string> rest(args.begin() + 1, args.end());
  if (is_help(cmd)) return out << kToolHelp, 0;
  if (cmd == "--version") return out << "modelc " << MODELC_VERSION << "\n", 0;
  if (cmd == "check") return check(rest, out, err, ro);
  if (cmd == "summary") return summary(rest, out, err, ro);
  if (cmd == "generate") return generate(rest, out, err, ro);
  if (cmd == "graph") return graph(rest, out, err, ro);
  if (cmd == "import") return import_command(rest, out, err, ro);
  if (cmd.size() > 1 && cmd[0] == '-' && cmd != "--") {
    static const std::vector<std::string> options = {"--help", "--version", "--color"};
    const std::string name = cmd.substr(0, cmd.find('='));
    return usage(err, fmt::format("unknown option '{}'{}", name, did_you_mean(name, options)),
                 kToolHelp);
  }
  static const std::vector<std::string> commands = {"check", "summary", "graph", "generate",
                                                    "import"};
  return usage(err, fmt::format("unknown command '{}'{}", cmd, did_you_mean(cmd, commands)),
               kToolHelp);
}

}  // namespace modelc
