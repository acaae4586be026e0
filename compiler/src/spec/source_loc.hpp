// A position in a spec file (1-based line and column), carried by every AST
// value, every IR node and every diagnostic.
#pragma once

#include <memory>
#include <string>

namespace modelc {

struct SourceLoc {
  std::shared_ptr<const std::string> file;  // shared by all locations of one file
  int line = 0;                             // 1-based; 0 = no location
  int col = 0;                              // 1-based

  bool valid() const { return file != nullptr && line > 0; }
  // "specs/x.yaml:17:7" (or "specs/x.yaml" when line is 0, "" when no file)
  std::string str() const;
};

}  // namespace modelc
