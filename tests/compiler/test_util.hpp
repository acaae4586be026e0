// Helpers shared by the compiler tests: compile YAML text or a repo file.
#pragma once

#include <doctest/doctest.h>

#include <optional>
#include <string>
#include <string_view>

#include "passes/pipeline.hpp"

namespace modelc::test {

// Time budgets in tests are for optimised builds; sanitizer builds
// (MODELC_SANITIZE, MODELC_FUZZ) run several times slower.
#ifdef MODELC_SANITIZED
inline constexpr double kTimeScale = 10.0;
#else
inline constexpr double kTimeScale = 1.0;
#endif

inline std::string source_path(std::string_view rel) {
  return std::string(MODELC_SOURCE_DIR) + "/" + std::string(rel);
}

struct Compiled {
  std::optional<Graph> graph;
  Diagnostics diags;
  std::string errors() const { return diags.format(); }
};

inline Compiled compile_text(std::string_view yaml, const std::string& path = "test.yaml") {
  Compiled c;
  c.graph = compile_spec(path, yaml, c.diags);
  return c;
}

inline Compiled compile_repo_file(std::string_view rel) {
  Compiled c;
  c.graph = compile_file(source_path(rel), c.diags);
  return c;
}

// The graph of a spec that must compile; fails the test with the errors otherwise.
inline Graph must_compile(std::string_view yaml) {
  Compiled c = compile_text(yaml);
  INFO(c.errors());
  REQUIRE(c.graph.has_value());
  return std::move(*c.graph);
}

// The first error of a spec that must not compile.
inline Diagnostic must_fail(std::string_view yaml) {
  Compiled c = compile_text(yaml);
  REQUIRE_FALSE(c.graph.has_value());
  REQUIRE_FALSE(c.diags.empty());
  return c.diags.all().front();
}

inline const Node& node(const Graph& g, std::string_view name) {
  for (const Node& n : g.nodes)
    if (n.name == name) return n;
  FAIL("no node named " << name);
  return g.nodes.front();
}

}  // namespace modelc::test
