// Compiler-style diagnostics: `file:line:col: error: <op> '<name>': <what>`
// followed by `file:line:col: note: <why / where / fix>` lines. Diagnostic is
// the one error type of the compiler; stages append them to a Diagnostics list.
#pragma once

#include <string>
#include <vector>

#include "spec/source_loc.hpp"

namespace modelc {

struct Note {
  SourceLoc loc;  // may be invalid: the note is printed without a location
  std::string message;
};

struct Diagnostic {
  SourceLoc loc;
  std::string message;  // already prefixed with "<op> '<name>': " where a layer is concerned
  std::vector<Note> notes;

  Diagnostic& note(SourceLoc at, std::string text) {
    notes.push_back({std::move(at), std::move(text)});
    return *this;
  }
  Diagnostic& note(std::string text) { return note(SourceLoc{}, std::move(text)); }
  // The full multi-line text, each line ending in '\n'.
  std::string format() const;
};

// Thrown only where a stage cannot go on at all (an unreadable file, a YAML
// syntax error); everything else is appended to a Diagnostics list.
struct FatalError {
  Diagnostic diag;
};

class Diagnostics {
 public:
  Diagnostic& error(SourceLoc loc, std::string message) {
    list_.push_back({std::move(loc), std::move(message), {}});
    return list_.back();
  }
  void add(Diagnostic d) { list_.push_back(std::move(d)); }
  bool empty() const { return list_.empty(); }
  size_t size() const { return list_.size(); }
  const std::vector<Diagnostic>& all() const { return list_; }
  std::string format() const;

 private:
  std::vector<Diagnostic> list_;
};

}  // namespace modelc
