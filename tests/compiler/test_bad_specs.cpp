// Rejected specs as data: every tests/compiler/bad_specs/*.yaml states in
// leading comments what it must produce:
//   # expect: LINE:COL: substring of the error message   (one or more)
//   # note: substring of a note of one of the errors      (zero or more)
// A new diagnostic is a new YAML file; this test needs no change.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "test_util.hpp"

using namespace modelc;
using namespace modelc::test;

TEST_SUITE("bad_specs") {
  TEST_CASE("every bad spec produces the errors it states") {
    const std::filesystem::path dir = source_path("tests/compiler/bad_specs");
    std::vector<std::filesystem::path> files;
    for (const auto& e : std::filesystem::directory_iterator(dir))
      if (e.path().extension() == ".yaml") files.push_back(e.path());
    std::sort(files.begin(), files.end());
    CHECK(files.size() >= 25);
    for (const auto& file : files) {
      CAPTURE(file.filename().string());
      std::ifstream in(file);
      std::vector<std::string> expects, notes;
      for (std::string line; std::getline(in, line) && line.rfind("#", 0) == 0;) {
        if (line.rfind("# expect: ", 0) == 0) expects.push_back(line.substr(10));
        if (line.rfind("# note: ", 0) == 0) notes.push_back(line.substr(8));
      }
      REQUIRE_MESSAGE(!expects.empty(), "a bad spec must state '# expect: LINE:COL: message'");
      Diagnostics diags;
      const std::optional<Graph> g = compile_file(file.string(), diags);
      const std::string all = diags.format();
      CAPTURE(all);
      CHECK_FALSE(g.has_value());
      for (const std::string& e : expects) {
        CAPTURE(e);
        int line = 0, col = 0, used = 0;
        REQUIRE(std::sscanf(e.c_str(), "%d:%d: %n", &line, &col, &used) == 2);
        const std::string message = e.substr(static_cast<size_t>(used));
        const bool found =
            std::any_of(diags.all().begin(), diags.all().end(), [&](const Diagnostic& d) {
              return d.loc.line == line && d.loc.col == col &&
                     d.message.find(message) != std::string::npos && d.loc.file &&
                     *d.loc.file == file.string();
            });
        CHECK(found);
      }
      for (const std::string& n : notes) {
        CAPTURE(n);
        CHECK(all.find("note: ") != std::string::npos);
        bool found = false;
        for (const Diagnostic& d : diags.all())
          for (const Note& note : d.notes) found |= note.message.find(n) != std::string::npos;
        CHECK(found);
      }
      // Nothing but the stated errors: each error is accounted for by an expect line.
      CHECK(diags.size() == expects.size());
    }
  }

}  // TEST_SUITE
