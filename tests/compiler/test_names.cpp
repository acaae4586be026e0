// The names a model may not take (cpp_names.hpp) against what they protect:
// every public or protected member of modelc::Model is reserved, and every
// identifier that generated code writes unqualified is a keyword, a reserved
// name, the class's own name, a local, or a per-layer constant (which the
// emitter keeps apart from the class name). tests/models/test_names.cpp
// compiles and runs models named like runtime names.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "cpp_names.hpp"
#include "emit.hpp"
#include "plan.hpp"
#include "test_util.hpp"

using namespace modelc;
using namespace modelc::test;

namespace {

std::string read(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// Names declared in the public and protected parts of class Model (at the
// class's own brace depth): member functions, nested types, type aliases.
std::set<std::string> model_members() {
  std::istringstream in(read(source_path("runtime/include/modelc/model.hpp")));
  std::set<std::string> names;
  const std::regex function(R"(([A-Za-z_]\w*)\s*\()"), alias(R"(^\s*using\s+(\w+)\s*=)"),
      type(R"(^\s*(?:struct|class)\s+(\w+))");
  bool in_class = false, visible = false;
  int depth = 0;
  for (std::string line; std::getline(in, line);) {
    if (!in_class) {
      in_class = line == "class Model {";
      if (in_class) depth = 1;
      continue;
    }
    if (line == "};") break;
    const std::string code = line.substr(0, line.find("//"));
    if (depth == 1) {
      if (code == " public:" || code == " protected:") visible = true;
      if (code == " private:") visible = false;
      std::smatch m;
      if (visible && (std::regex_search(code, m, alias) || std::regex_search(code, m, type) ||
                      std::regex_search(code, m, function)))
        names.insert(m[1]);
    }
    depth += static_cast<int>(std::count(code.begin(), code.end(), '{')) -
             static_cast<int>(std::count(code.begin(), code.end(), '}'));
  }
  names.erase("Model");  // the constructor; a class may be named Model (its base is modelc::Model)
  return names;
}

// The identifiers of C++ source `text` that are not qualified (not after ::, .
// or ->), comments, string literals, preprocessor lines and attributes removed.
std::set<std::string> unqualified_identifiers(const std::string& text) {
  const std::regex strings_and_attributes(R"("[^"]*"|\[\[\w+\]\])");
  std::string code;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("#", 0) == 0) continue;
    line = std::regex_replace(line.substr(0, line.find("//")), strings_and_attributes, " ");
    code += line + "\n";
  }
  std::set<std::string> ids;
  const std::regex identifier(R"([A-Za-z_]\w*)");
  const auto end = std::sregex_iterator();
  for (auto it = std::sregex_iterator(code.begin(), code.end(), identifier); it != end; ++it) {
    const size_t at = static_cast<size_t>(it->position());
    const std::string before = code.substr(at >= 2 ? at - 2 : 0, std::min<size_t>(at, 2));
    const char prev = at ? code[at - 1] : ' ';
    if (std::isalnum(static_cast<unsigned char>(prev)) || prev == '.' || before == "::" || before == "->")
      continue;  // qualified, a member, or the suffix of a number (1.0f)
    ids.insert(it->str());
  }
  return ids;
}

}  // namespace

TEST_SUITE("names") {

TEST_CASE("every public or protected member of modelc::Model is a reserved model name") {
  const std::set<std::string> members = model_members();
  CHECK(members.size() >= 40);
  for (const char* m : {"forward", "layer", "run_inference", "MemoryUse", "ScratchFloats"})
    CHECK(members.count(m) == 1);
  for (const std::string& m : members) {
    CAPTURE(m);
    CHECK(reserved_class_name(m).find("a member of modelc::Model") != std::string::npos);
  }
}

TEST_CASE("runtime names, locals and ordinary names are allowed") {
  for (const char* name : {"Model", "Conv2dGeom", "Window2d", "Activation", "BatchnormFold",
                           "ModelOptions", "conv2d_forward", "at", "x", "n", "g_fc", "AlexNet",
                           "_lower", "import_net"})
    CHECK_MESSAGE(reserved_class_name(name).empty(), name);
  CHECK(reserved_class_name("class") == "a C++ keyword");
  CHECK(reserved_class_name("override") == "an identifier with special meaning in C++");
  CHECK(reserved_class_name("_Net").find("reserved to the C++ implementation") == 0);
  CHECK(reserved_class_name("a__b").find("reserved to the C++ implementation") == 0);
  CHECK(reserved_class_name("kSpec") == "a name that generated code uses for something else");
  CHECK(reserved_namespace_component("modelc", true).empty());
  CHECK_FALSE(reserved_namespace_component("modelc", false).empty());
  CHECK_FALSE(reserved_namespace_component("std", true).empty());
}

TEST_CASE("every identifier generated code writes unqualified is reserved, local or per-layer") {
  const std::set<std::string> locals = {"n", "x", "batch", "in", "d", "b", "s", "training", "options"};
  const std::regex per_layer("[itdampg]_\\w+");
  std::vector<std::filesystem::path> specs;
  for (const char* dir : {"specs", "specs/examples", "tests/models/specs"})
    for (const auto& e : std::filesystem::directory_iterator(source_path(dir)))
      if (e.path().extension() == ".yaml") specs.push_back(e.path());
  std::sort(specs.begin(), specs.end());
  REQUIRE(specs.size() >= 8);
  std::set<std::string> per_layer_seen;
  for (const auto& spec : specs) {
    CAPTURE(spec.string());
    Compiled c;
    c.graph = compile_file(spec.string(), c.diags);
    REQUIRE(c.graph.has_value());
    for (bool fuse : {true, false}) {
      MemoryPlan plan;
      Diagnostics diags;
      REQUIRE(plan_memory(*c.graph, plan, diags, fuse));
      const GeneratedFiles f = emit_cpp(*c.graph, plan, "s.yaml", "s", "modelc::gen");
      for (const std::string& id : unqualified_identifiers(f.header + f.source)) {
        if (id == c.graph->name || locals.count(id)) continue;
        if (std::regex_match(id, per_layer)) {
          per_layer_seen.insert(id);
          continue;
        }
        CAPTURE(id);
        CHECK_FALSE(reserved_class_name(id).empty());
      }
    }
  }
  CHECK(per_layer_seen.count("g_conv1") == 1);  // the scan sees the constants
}

TEST_CASE("per-layer constants never take the class's name") {
  const Graph g = must_compile(R"(name: g_fc
input: {shape: [4]}
layers:
  - {op: dense, name: fc, units: 3}
  - {op: dense, name: i_fc, units: 2}
)");
  MemoryPlan plan;
  Diagnostics diags;
  REQUIRE(plan_memory(g, plan, diags));
  const GeneratedFiles f = emit_cpp(g, plan, "g_fc.yaml", "g_fc", "modelc::gen");
  CHECK(f.source.find("constexpr modelc::DenseGeom g_fc{") == std::string::npos);
  CHECK(f.source.find("constexpr modelc::DenseGeom g_fc_1{") != std::string::npos);  // fc: node 1
  CHECK(f.source.find("constexpr modelc::DenseGeom g_i_fc{") != std::string::npos);
  CHECK(f.source.find("class g_fc final : public modelc::Model") == std::string::npos);
  CHECK(f.header.find("class g_fc final : public modelc::Model") != std::string::npos);
}

}  // TEST_SUITE
