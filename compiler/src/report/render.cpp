#include "report/render.hpp"

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "ir/limits.hpp"

namespace modelc {

namespace {

// SGR sequences, as clang and gcc use them.
constexpr const char* kReset = "\033[0m";
constexpr const char* kBold = "\033[1m";
constexpr const char* kRed = "\033[1;31m";
constexpr const char* kCyan = "\033[1;36m";
constexpr const char* kGreen = "\033[1;32m";

std::optional<std::string> read_source(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) return std::nullopt;
  const auto size = std::filesystem::file_size(path, ec);
  if (ec || size > static_cast<uintmax_t>(limits::kMaxFileBytes)) return std::nullopt;
  std::ifstream in(path, std::ios::binary);
  std::string text(static_cast<size_t>(size), '\0');
  in.read(text.data(), static_cast<std::streamsize>(size));
  if (!in) return std::nullopt;
  return text;
}

bool continuation(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

// The byte offset of 1-based column `col` (columns count code points), or npos.
size_t byte_of_col(std::string_view s, int col) {
  int c = 1;
  for (size_t i = 0; i < s.size(); ++i) {
    if (continuation(s[i])) continue;
    if (c == col) return i;
    ++c;
  }
  return c == col ? s.size() : std::string_view::npos;
}

// The end (exclusive byte offset) of the token that starts at `b`.
size_t token_end(std::string_view s, size_t b) {
  if (b >= s.size()) return b;
  const char first = s[b];
  if (first == '"' || first == '\'') {
    for (size_t i = b + 1; i < s.size(); ++i) {
      if (first == '"' && s[i] == '\\') {
        ++i;
        continue;
      }
      if (s[i] == first) return i + 1;
    }
    return b + 1;
  }
  if (first == '[' || first == '{') {
    int depth = 0;
    char quote = 0;
    for (size_t i = b; i < s.size(); ++i) {
      const char c = s[i];
      if (quote) {
        if (c == quote) quote = 0;
      } else if (c == '"' || c == '\'') {
        quote = c;
      } else if (c == '[' || c == '{') {
        ++depth;
      } else if (c == ']' || c == '}') {
        if (--depth == 0) return i + 1;
      }
    }
    return b + 1;
  }
  size_t i = b;
  while (i < s.size()) {
    const char c = s[i];
    if (c == ' ' || c == '\t' || c == ',' || c == ']' || c == '}' || c == '#') break;
    if (c == ':' && (i + 1 == s.size() || s[i + 1] == ' ' || s[i + 1] == '\t')) break;
    ++i;
  }
  return i == b ? b + 1 : i;
}

void location_line(std::string& out, const SourceLoc& loc, const char* kind, const char* kind_color,
                   bool bold_message, const std::string& message, const RenderOptions& o) {
  if (!o.color) {
    if (loc.file) out += loc.str() + ": ";
    out += kind;
    out += ": " + message + "\n";
    return;
  }
  if (loc.file) out += std::string(kBold) + loc.str() + ": " + kReset;
  out += std::string(kind_color) + kind + ": " + kReset;
  out += bold_message ? std::string(kBold) + message + kReset : message;
  out += "\n";
}

void source_lines(std::string& out, const SourceLoc& loc, SourceFiles& sources,
                  const RenderOptions& o) {
  if (!loc.valid() || loc.col <= 0) return;
  const std::optional<std::string> text = sources.line(*loc.file, loc.line);
  if (!text) return;
  const std::string caret = caret_line(*text, loc.col);
  if (caret.empty()) return;
  out += *text + "\n";
  if (!o.color) {
    out += caret + "\n";
    return;
  }
  // The indent (spaces and tabs) plain, the marker green.
  const size_t mark = caret.find_first_not_of(" \t");
  out += caret.substr(0, mark) + kGreen + caret.substr(mark) + kReset + "\n";
}

}  // namespace

std::optional<ColorMode> parse_color_mode(std::string_view s) {
  if (s == "auto") return ColorMode::auto_;
  if (s == "always") return ColorMode::always;
  if (s == "never") return ColorMode::never;
  return std::nullopt;
}

bool use_color(ColorMode mode, bool stream_is_tty) {
  if (mode != ColorMode::auto_) return mode == ColorMode::always;
  const char* no_color = std::getenv("NO_COLOR");
  return stream_is_tty && (no_color == nullptr || *no_color == '\0');
}

std::optional<std::string> SourceFiles::line(const std::string& path, int line) {
  auto it = files_.find(path);
  if (it == files_.end()) it = files_.emplace(path, read_source(path)).first;
  if (!it->second || line <= 0) return std::nullopt;
  const std::string& text = *it->second;
  size_t begin = 0;
  for (int l = 1; l < line; ++l) {
    begin = text.find('\n', begin);
    if (begin == std::string::npos) return std::nullopt;
    ++begin;
  }
  if (begin > text.size()) return std::nullopt;
  size_t end = text.find('\n', begin);
  if (end == std::string::npos) end = text.size();
  if (end > begin && text[end - 1] == '\r') --end;
  return text.substr(begin, end - begin);
}

std::string caret_line(std::string_view source_line, int col) {
  const size_t b = byte_of_col(source_line, col);
  if (b == std::string_view::npos) return {};
  std::string out;
  for (size_t i = 0; i < b; ++i)
    if (!continuation(source_line[i])) out += source_line[i] == '\t' ? '\t' : ' ';
  out += '^';
  const size_t e = token_end(source_line, b);
  for (size_t i = b + 1; i < e && i < source_line.size(); ++i)
    if (!continuation(source_line[i])) out += '~';
  return out;
}

std::string render(const Diagnostic& d, SourceFiles& sources, const RenderOptions& options) {
  std::string out;
  location_line(out, d.loc, "error", kRed, true, d.message, options);
  source_lines(out, d.loc, sources, options);
  for (const Note& n : d.notes) {
    location_line(out, n.loc, "note", kCyan, false, n.message, options);
    source_lines(out, n.loc, sources, options);
  }
  return out;
}

std::string render(const Diagnostics& ds, SourceFiles& sources, const RenderOptions& options) {
  std::string out;
  for (const Diagnostic& d : ds.all()) out += render(d, sources, options);
  return out;
}

}  // namespace modelc
