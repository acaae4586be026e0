// `modelc graph -o net.svg`: DOT rendered to a picture by Graphviz's `dot`
// program, run without a shell when it is on PATH.
#pragma once

#include <optional>
#include <string>

namespace modelc {

// The full path of `program` in a directory of $PATH that holds it as an
// executable file, or "" (an empty PATH entry is the current directory).
std::string find_on_path(const std::string& program);

// The dot -T format for an output file's extension (".svg" -> "svg"; svg,
// png and pdf), nullopt for others.
std::optional<std::string> picture_format(const std::string& path);

// Renders `dot_text` with the dot at `dot` (from find_on_path) into `out_path`
// as `format`. Returns "" on success, otherwise why it failed.
std::string render_with_dot(const std::string& dot, const std::string& dot_text,
                            const std::string& format, const std::string& out_path);

}  // namespace modelc
