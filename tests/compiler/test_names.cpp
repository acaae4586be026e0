// The names a model may not take (cpp_names.hpp) against what they protect:
// every public or protected member of modelc::Model is reserved, and every
// identifier that generated code writes unqualified is a keyword, a reserved
// name, the class's own name, a local, or a per-layer constant (which the
// emitter keeps apart from the class name). tests/models/test_names.cpp
// compiles and runs models named like runtime names.
#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string_view>

#include "emit/cpp_names.hpp"
#include "emit/emit.hpp"
#include "passes/plan.hpp"
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

bool is_word(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

// The identifier that ends just before `end` in `s` (spaces skipped), or "".
std::string identifier_before(const std::string& s, size_t end) {
  while (end > 0 && s[end - 1] == ' ') --end;
  size_t begin = end;
  while (begin > 0 && is_word(s[begin - 1])) --begin;
  return s.substr(begin, end - begin);
}

// The identifier starting at the first non-space after `begin`, or "".
std::string identifier_after(const std::string& s, size_t begin) {
  while (begin < s.size() && s[begin] == ' ') ++begin;
  size_t end = begin;
  while (end < s.size() && is_word(s[end])) ++end;
  return s.substr(begin, end - begin);
}

// Names declared in the public and protected parts of class Model (at the
// class's own brace depth): member functions, nested types, type aliases.
std::set<std::string> model_members() {
  std::istringstream in(read(source_path("runtime/include/modelc/model.hpp")));
  std::set<std::string> names;
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
    const size_t first = std::min(code.find_first_not_of(' '), code.size());
    const std::string_view head = std::string_view(code).substr(first);
    if (depth == 1) {
      if (code == " public:" || code == " protected:") visible = true;
      if (code == " private:") visible = false;
      std::string name;
      if (head.starts_with("using "))
        name = identifier_after(code, first + 6);
      else if (head.starts_with("struct "))
        name = identifier_after(code, first + 7);
      else if (code.find('(') != std::string::npos)
        name = identifier_before(code, code.find('('));
      if (visible && !name.empty()) names.insert(name);
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
  std::string code;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (line.starts_with("#")) continue;
    line = line.substr(0, line.find("//"));
    bool in_string = false;
    for (size_t i = 0; i < line.size(); ++i) {
      if (line[i] == '"') in_string = !in_string;
      if (!in_string && line.compare(i, 2, "[[") == 0) {
        const size_t close = line.find("]]", i);
        REQUIRE(close != std::string::npos);
        i = close + 1;
      }
      code += in_string || line[i] == '"' || line[i] == ']' ? ' ' : line[i];
    }
    REQUIRE_FALSE(in_string);
    code += '\n';
  }
  std::set<std::string> ids;
  for (size_t at = 0; at < code.size();) {
    if (!is_word(code[at])) {
      ++at;
      continue;
    }
    size_t end = at;
    while (end < code.size() && is_word(code[end])) ++end;
    const std::string id = code.substr(at, end - at);
    const std::string_view before =
        std::string_view(code).substr(at >= 2 ? at - 2 : 0, std::min<size_t>(at, 2));
    const bool number = std::isdigit(static_cast<unsigned char>(id[0]));  // 1e5f, 0.0f: "0", "0f"
    const bool member = before == "::" || before == "->" || (at > 0 && code[at - 1] == '.');
    if (!number && !member) ids.insert(id);
    at = end;
  }
  return ids;
}

bool is_per_layer_constant(const std::string& id) {
  if (id.size() > 3 && id.rfind("dl_", 0) == 0) return true;  // logits gradients
  return id.size() > 2 && id[1] == '_' &&
         std::string_view("itdamplgw").find(id[0]) != std::string_view::npos;  // w_: weight indices
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
    for (const char* name :
         {"Model", "Conv2dGeom", "Window2d", "Activation", "BatchnormFold", "ModelOptions",
          "conv2d_forward", "at", "x", "n", "g_fc", "AlexNet", "_lower", "import_net"})
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

  TEST_CASE("the scan for unqualified identifiers") {
    const std::set<std::string> ids = unqualified_identifiers(
        "#include \"x.hpp\"\n"
        "[[maybe_unused]] constexpr int64_t k = 1.5e-3f;  // comment words\n"
        "modelc::relu_forward(a.b, p->q, \"in a string\");\n");
    CHECK(ids == std::set<std::string>{"constexpr", "int64_t", "k", "modelc", "a", "p"});
  }

  TEST_CASE("every identifier generated code writes unqualified is reserved, local or per-layer") {
    const std::set<std::string> locals = {"n", "x", "batch",    "in",     "d",
                                          "b", "s", "training", "options"};
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
          if (is_per_layer_constant(id)) {
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

    // The weight indices (w_<layer>_<weight>) too.
    const Graph h = must_compile(R"(name: w_fc_kernel
input: {shape: [4]}
layers:
  - {op: dense, name: fc, units: 3}
)");
    REQUIRE(plan_memory(h, plan, diags));
    const GeneratedFiles e = emit_cpp(h, plan, "w.yaml", "w", "modelc::gen");
    CHECK(e.source.find("w_fc_kernel = 0") == std::string::npos);
    CHECK(e.source.find("w_fc_1_kernel = 0") != std::string::npos);
    CHECK(e.source.find("w(w_fc_1_kernel)") != std::string::npos);
  }

}  // TEST_SUITE
