#include "emit/code_writer.hpp"

#include <vector>

namespace modelc {

namespace {

// Where a `//` comment starts outside string and character literals, or npos.
size_t comment_start(std::string_view s) {
  char quote = 0;
  for (size_t i = 0; i + 1 < s.size(); ++i) {
    const char c = s[i];
    if (quote) {
      if (c == '\\')
        ++i;
      else if (c == quote)
        quote = 0;
    } else if (c == '"' || c == '\'') {
      quote = c;
    } else if (c == '/' && s[i + 1] == '/') {
      return i;
    }
  }
  return std::string_view::npos;
}

// Offsets just past each ", " outside literals: the places code may break.
std::vector<size_t> breaks(std::string_view s) {
  std::vector<size_t> at;
  char quote = 0;
  for (size_t i = 0; i + 1 < s.size(); ++i) {
    const char c = s[i];
    if (quote) {
      if (c == '\\')
        ++i;
      else if (c == quote)
        quote = 0;
    } else if (c == '"' || c == '\'') {
      quote = c;
    } else if (c == ',' && s[i + 1] == ' ') {
      at.push_back(i + 2);
    }
  }
  return at;
}

std::string_view trim_right(std::string_view s) {
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return s;
}

}  // namespace

void CodeWriter::put(std::string_view text, size_t indent) {
  if (!text.empty()) out_.append(indent, ' ');
  out_ += text;
  out_ += '\n';
}

void CodeWriter::emit(std::string_view text) {
  const size_t indent = static_cast<size_t>(indent_) * 2;
  if (indent + text.size() <= kWidth) return put(text, indent);
  const size_t c = comment_start(text);
  if (c == 0) {  // a comment: fill lines word by word
    std::string_view rest = text.substr(2);
    while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
    std::string cur = "//";
    while (!rest.empty()) {
      const size_t sp = rest.find(' ');
      const std::string_view word = rest.substr(0, sp);
      if (cur.size() > 2 && indent + cur.size() + 1 + word.size() > kWidth) {
        put(cur, indent);
        cur = "//";
      }
      cur += ' ';
      cur += word;
      rest = sp == std::string_view::npos ? std::string_view() : rest.substr(sp + 1);
    }
    return put(cur, indent);
  }
  if (c != std::string_view::npos) {  // code + trailing comment: the comment goes first
    emit(text.substr(c));
    text = trim_right(text.substr(0, c));
    if (indent + text.size() <= kWidth) return put(text, indent);
  }
  // Greedy: as much as fits on each line, breaking after ", ".
  const std::vector<size_t> at = breaks(text);
  size_t begin = 0, width = kWidth - indent;
  size_t line_indent = indent;
  while (text.size() - begin > width) {
    size_t cut = 0;
    for (size_t b : at)
      if (b > begin && b - begin <= width) cut = b;
    if (cut == 0)  // no break point fits: break at the first one, the line stays long
      for (size_t b : at)
        if (b > begin) {
          cut = b;
          break;
        }
    if (cut == 0) break;
    put(trim_right(text.substr(begin, cut - begin)), line_indent);
    begin = cut;
    line_indent = indent + 4;
    width = kWidth - line_indent;
  }
  put(text.substr(begin), line_indent);
}

}  // namespace modelc
