// The emitter owns indentation and braces (like protoc's io::Printer), so the
// code that emits C++ reads like the C++ it emits.
#pragma once

#include <fmt/format.h>

#include <string>
#include <string_view>

namespace modelc {

class CodeWriter {
 public:
  // One line at the current indentation (an empty format gives an empty line).
  template <class... Args>
  void line(fmt::format_string<Args...> f, Args&&... args) {
    std::string text = fmt::format(f, std::forward<Args>(args)...);
    if (!text.empty()) out_.append(static_cast<size_t>(indent_) * 2, ' ');
    out_ += text;
    out_ += '\n';
  }
  void blank() { out_ += '\n'; }
  // An access specifier inside a class: one space past the enclosing level.
  void label(std::string_view text) {
    out_.append(static_cast<size_t>(indent_ - 1) * 2 + 1, ' ');
    out_ += text;
    out_ += '\n';
  }
  // `head {` and indent.
  template <class... Args>
  void open(fmt::format_string<Args...> f, Args&&... args) {
    std::string head = fmt::format(f, std::forward<Args>(args)...);
    line("{} {{", head);
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
  std::string out_;
  int indent_ = 0;
};

}  // namespace modelc
