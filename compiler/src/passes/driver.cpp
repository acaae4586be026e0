// The pipeline in one screen (see pipeline.hpp).
#include <filesystem>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "ir/limits.hpp"
#include "passes/pipeline.hpp"

namespace modelc {

std::optional<Graph> compile_spec(const std::string& path, std::string_view text, Diagnostics& diags) {
  try {
    const Value doc = read_yaml(path, text);
    std::optional<SpecAst> spec = parse_spec(path, doc, diags);
    if (!spec || !diags.empty()) return std::nullopt;
    const FlatSpec flat = expand_blocks(*spec, diags);
    if (!diags.empty()) return std::nullopt;
    Graph graph = build_graph(*spec, flat, diags);
    if (!diags.empty()) return std::nullopt;
    infer_shapes(graph, diags);
    if (!diags.empty()) return std::nullopt;
    return graph;
  } catch (const FatalError& e) {
    diags.add(e.diag);
    return std::nullopt;
  }
}

std::optional<Graph> compile_file(const std::string& path, Diagnostics& diags) {
  const SourceLoc file_loc{std::make_shared<const std::string>(path), 0, 0};
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    diags.error(file_loc, "is a directory, not a spec file");
    return std::nullopt;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    diags.error(file_loc, "cannot open the spec file");
    return std::nullopt;
  }
  in.seekg(0, std::ios::end);
  const std::streamoff size = in.tellg();
  if (size < 0) {
    diags.error(file_loc, "cannot read the spec file (not a regular file?)");
    return std::nullopt;
  }
  if (size > limits::kMaxFileBytes) {
    diags.error(file_loc, fmt::format("the spec file has {} bytes; the limit is {}",
                                      with_commas(size), with_commas(limits::kMaxFileBytes)));
    return std::nullopt;
  }
  in.seekg(0);
  std::string text(static_cast<size_t>(size), '\0');
  in.read(text.data(), size);
  if (!in) {
    diags.error(file_loc, "cannot read the spec file");
    return std::nullopt;
  }
  return compile_spec(path, text, diags);
}

}  // namespace modelc
