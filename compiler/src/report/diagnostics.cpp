#include "report/diagnostics.hpp"

#include <fmt/format.h>

namespace modelc {

std::string SourceLoc::str() const {
  if (!file) return {};
  if (line <= 0) return *file;
  return fmt::format("{}:{}:{}", *file, line, col);
}

static void append_line(std::string& out, const SourceLoc& loc, const char* kind,
                        const std::string& message) {
  if (loc.file) out += loc.str() + ": ";
  out += fmt::format("{}: {}\n", kind, message);
}

std::string Diagnostic::format() const {
  std::string out;
  append_line(out, loc, "error", message);
  for (const Note& n : notes) append_line(out, n.loc, "note", n.message);
  return out;
}

std::string Diagnostics::format() const {
  std::string out;
  for (const Diagnostic& d : list_) out += d.format();
  return out;
}

}  // namespace modelc
