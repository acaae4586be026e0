// The pipeline in one screen: the passes listed in pipeline.hpp, one line each.
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "ir/limits.hpp"
#include "passes/pipeline.hpp"

namespace modelc {

namespace {

// Runs one pass unless an earlier one failed or options.last is behind us. A
// pass fails when it reports an error or returns false (no result to go on with).
class PassRunner {
 public:
  PassRunner(Stage last, Compilation& c, Diagnostics& diags) : last_(last), c_(c), diags_(diags) {}
  template <class Pass>
  PassRunner& run(Stage s, Pass&& pass) {
    if (!going_ || s > last_) return *this;
    going_ = pass() && diags_.empty();
    if (going_) c_.done = s;
    return *this;
  }
  bool reached() const { return going_ && c_.done == last_; }

 private:
  Stage last_;
  Compilation& c_;
  Diagnostics& diags_;
  bool going_ = true;
};

}  // namespace

bool run_passes(const std::string& path, std::string_view text, const PipelineOptions& o,
                Compilation& c, Diagnostics& diags) {
  PassRunner r(o.last, c, diags);
  try {
    // One line per pass, in order (Halide's lower() is the model); kept aligned by hand.
    // clang-format off
    r.run(Stage::read_yaml,     [&] { c.doc = read_yaml(path, text); return true; })
     .run(Stage::parse_spec,    [&] { c.spec = parse_spec(path, *c.doc, diags); return c.spec.has_value(); })
     .run(Stage::expand_blocks, [&] { c.flat = expand_blocks(*c.spec, diags); return true; })
     .run(Stage::build_graph,   [&] { c.graph = build_graph(*c.spec, *c.flat, diags); return true; })
     .run(Stage::infer_shapes,  [&] { infer_shapes(*c.graph, diags); return true; })
     .run(Stage::plan,          [&] { return plan_memory(*c.graph, c.plan.emplace(), diags, o.fuse); })
     .run(Stage::emit,          [&] { c.files = emit_cpp(*c.graph, *c.plan, o.spec_label, o.stem, o.ns);
                                      return true; });
    // clang-format on
  } catch (const FatalError& e) {
    diags.add(e.diag);
    return false;
  }
  return r.reached();
}

namespace {

// compile_spec/compile_file stop after plan: the last pass that can find an error.
PipelineOptions through_plan() {
  PipelineOptions o;
  o.last = Stage::plan;
  return o;
}

}  // namespace

std::optional<Graph> compile_spec(const std::string& path, std::string_view text,
                                  Diagnostics& diags) {
  Compilation c;
  if (!run_passes(path, text, through_plan(), c, diags)) return std::nullopt;
  return std::move(c.graph);
}

std::optional<Graph> compile_file(const std::string& path, Diagnostics& diags) {
  Compilation c;
  if (!run_passes_on_file(path, through_plan(), c, diags)) return std::nullopt;
  return std::move(c.graph);
}

bool run_passes_on_file(const std::string& path, const PipelineOptions& options, Compilation& c,
                        Diagnostics& diags) {
  const SourceLoc file_loc{std::make_shared<const std::string>(path), 0, 0};
  // The file name names the generated files and is quoted in them
  // (#include "<stem>.hpp", the banner comment): refuse what would break them.
  const std::string file_name = std::filesystem::path(path).filename().string();
  for (const char ch : file_name) {
    const auto u = static_cast<unsigned char>(ch);
    if (ch == '"' || ch == '\\' || u < 0x20 || u == 0x7f) {
      diags
          .error(file_loc, fmt::format("the spec's file name cannot name the generated files: it "
                                       "holds {}",
                                       ch == '"'    ? "a '\"'"
                                       : ch == '\\' ? "a '\\'"
                                                    : "a control character"))
          .note("rename the file: letters, digits, '_', '-' and '.' are safe");
      return false;
    }
  }
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    diags.error(file_loc, "is a directory, not a spec file");
    return false;
  }
  errno = 0;
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    const int err = errno;
    diags.error(file_loc, err != 0
                              ? fmt::format("cannot open the spec file: {}", std::strerror(err))
                              : std::string("cannot open the spec file"));
    return false;
  }
  in.seekg(0, std::ios::end);
  const std::streamoff size = in.tellg();
  if (size < 0) {
    diags.error(file_loc, "cannot read the spec file (not a regular file?)");
    return false;
  }
  if (size > limits::kMaxFileBytes) {
    diags.error(file_loc, fmt::format("the spec file has {} bytes; the limit is {}",
                                      with_commas(size), with_commas(limits::kMaxFileBytes)));
    return false;
  }
  in.seekg(0);
  std::string text(static_cast<size_t>(size), '\0');
  in.read(text.data(), size);
  if (!in) {
    diags.error(file_loc, "cannot read the spec file");
    return false;
  }
  return run_passes(path, text, options, c, diags);
}

}  // namespace modelc
