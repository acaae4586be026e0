// Diagnostics as a terminal shows them, clang style: the `file:line:col: error:`
// line of Diagnostic::format(), then the source line and a caret under the
// column (`^~~~` under the rest of the token there), the same for every note
// that has a location; in colour when asked.
#pragma once

#include <map>
#include <optional>
#include <string>

#include "report/diagnostics.hpp"

namespace modelc {

// When to colour: `--color=auto|always|never`.
enum class ColorMode { auto_, always, never };
// Parses "auto", "always", "never"; nullopt otherwise.
std::optional<ColorMode> parse_color_mode(std::string_view s);
// auto: colour when stderr is a terminal and NO_COLOR is unset or empty
// (https://no-color.org); always and never override both.
bool use_color(ColorMode mode, bool stream_is_tty);

// The text of the files diagnostics point into, read on first use (up to
// limits::kMaxFileBytes; a file that cannot be read shows no source lines).
// `add` gives a text for a path that is not on disk (a spec compiled from memory).
class SourceFiles {
 public:
  void add(const std::string& path, std::string text) { files_[path] = std::move(text); }
  // The 1-based line `line` of `path` without its newline, or nullopt.
  std::optional<std::string> line(const std::string& path, int line);

 private:
  std::map<std::string, std::optional<std::string>> files_;
};

struct RenderOptions {
  bool color = false;
};

// The diagnostics with their source lines and carets, each line ending in '\n'.
// Without colour, every first line is exactly Diagnostic::format()'s.
std::string render(const Diagnostic& d, SourceFiles& sources, const RenderOptions& options);
std::string render(const Diagnostics& ds, SourceFiles& sources, const RenderOptions& options);

// The caret line for a 1-based column of `source_line`: the line's own tabs
// kept so the caret lines up, `^` at the column, `~` under the rest of the
// token that starts there (a word, a quoted string or a bracketed flow value).
std::string caret_line(std::string_view source_line, int col);

}  // namespace modelc
