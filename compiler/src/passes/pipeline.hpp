// The front end as a straight list of stages, one file each:
//   read_yaml     (yaml_reader.cpp)   bytes -> YAML values with locations, hostile input rejected
//   parse_spec    (parse.cpp)         values -> SpecAst: keys, types, structure
//   expand_blocks (expand_blocks.cpp) SpecAst -> flat layers: names, references, $params, repeat
//   build_graph   (build_graph.cpp)   flat layers -> Graph: ops and attributes resolved
//   infer_shapes  (infer_shapes.cpp)  Graph -> shapes, parameters, MACs, `expect` checks
// compile_spec (driver.cpp) runs them, stopping after the first stage with errors.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "spec/ast.hpp"
#include "report/diagnostics.hpp"
#include "ir/graph.hpp"

namespace modelc {

// Stage 0: the YAML document as a Value tree. Throws FatalError.
Value read_yaml(const std::string& path, std::string_view text);

// Stage 1.
std::optional<SpecAst> parse_spec(const std::string& path, const Value& doc, Diagnostics& diags);

// Stage 2 output: every op layer of every instance, in order (node i + 1 is layers[i]).
struct FlatLayer {
  const LayerAst* ast = nullptr;
  OpKind op = OpKind::input;
  std::string path;
  std::vector<int> inputs;       // node indices
  std::vector<AttrAst> attrs;    // $params substituted
  std::optional<Value> expect;   // $params substituted
  int instance = -1;
};
struct InstanceExpect {
  int instance = 0;
  int node = 0;  // the instance's output
  Value expect;
};
struct FlatSpec {
  std::vector<FlatLayer> layers;
  std::vector<BlockInstance> instances;
  std::vector<InstanceExpect> instance_expects;
  std::vector<Output> outputs;
};

// Stage 2.
FlatSpec expand_blocks(const SpecAst& spec, Diagnostics& diags);
// Stage 3.
Graph build_graph(const SpecAst& spec, const FlatSpec& flat, Diagnostics& diags);
// Stage 4.
void infer_shapes(Graph& g, Diagnostics& diags);

// All stages on one spec text / file. Returns the graph when there is no error.
std::optional<Graph> compile_spec(const std::string& path, std::string_view text, Diagnostics& diags);
std::optional<Graph> compile_file(const std::string& path, Diagnostics& diags);

}  // namespace modelc
