// The `modelc` command line, as a function so tests can run it in-process.
#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace modelc {

// args excludes the program name. Returns the exit code: 0 success, 1 errors
// in a spec, 2 usage errors. err_is_tty: `err` is a terminal, so errors are
// coloured unless NO_COLOR is set or --color says otherwise.
int run_cli(const std::vector<std::string>& args, std::ostream& out, std::ostream& err,
            bool err_is_tty = false);

}  // namespace modelc
