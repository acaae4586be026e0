// The one exception type of the runtime: bad weights files, wrong sizes at the
// generated API boundary, out-of-range labels. The message says what and where.
#pragma once

#include <stdexcept>
#include <string>

namespace modelc {

class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& what) : std::runtime_error(what) {}
};

}  // namespace modelc
