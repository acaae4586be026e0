// The emitter owns indentation, braces and line width (like protoc's
// io::Printer), so the code that emits C++ reads like the C++ it emits, and
// the C++ it emits stays within kWidth columns without a formatter.
#pragma once

#include <fmt/format.h>

#include <string>
#include <string_view>

namespace modelc {

class CodeWriter {
 public:
  static constexpr size_t kWidth = 100;

  // One line at the current indentation (an empty format gives an empty
  // line). Longer than kWidth, it is wrapped: a comment at its spaces; code
  // after a ", " outside string literals, continuation lines indented 4 more;
  // a trailing comment moves to its own line(s) above the code.
  template <class... Args>
  void line(fmt::format_string<Args...> f, Args&&... args) {
    emit(fmt::format(f, std::forward<Args>(args)...));
  }
  void blank() { out_ += '\n'; }
  // An access specifier inside a class: one space past the enclosing level.
  void label(std::string_view text) {
    out_.append(static_cast<size_t>(indent_ - 1) * 2 + 1, ' ');
    out_ += text;
    out_ += '\n';
  }
  // `head {` (a bare `{` for an empty head) and indent.
  template <class... Args>
  void open(fmt::format_string<Args...> f, Args&&... args) {
    std::string head = fmt::format(f, std::forward<Args>(args)...);
    emit(head.empty() ? "{" : head + " {");
    ++indent_;
  }
  // Dedent and `}` followed by `tail` (e.g. ";" or " else {").
  void close(std::string_view tail = "") {
    --indent_;
    line("}}{}", tail);
  }
  // Raw text, copied as is (for fixed banners).
  void raw(std::string_view text) { out_ += text; }

  const std::string& str() const { return out_; }

 private:
  void emit(std::string_view text);
  void put(std::string_view text, size_t indent);  // one physical line

  std::string out_;
  int indent_ = 0;
};

}  // namespace modelc
