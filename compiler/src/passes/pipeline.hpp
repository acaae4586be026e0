// The compiler as one list of passes, run in this order by run_passes (driver.cpp):
//   read_yaml     (yaml_reader.cpp)   bytes -> YAML values with locations, hostile input rejected
//   parse_spec    (parse.cpp)         values -> SpecAst: keys, types, structure, class name
//   expand_blocks (expand_blocks.cpp) SpecAst -> flat layers: names, references, $params, repeat
//   build_graph   (build_graph.cpp)   flat layers -> Graph: ops and attributes resolved
//   infer_shapes  (infer_shapes.cpp)  Graph -> shapes, parameters, MACs, `expect` checks
//   plan          (plan.cpp)          Graph -> MemoryPlan: arenas, views, fusion, loss heads
//   emit          (emit_cpp.cpp)      Graph + MemoryPlan -> the generated .hpp and .cpp
// A pass runs only if the ones before it reported no error. Every pass that can
// find an error in a spec comes before emit, which cannot fail: so `check` (which
// runs through plan) rejects every spec `generate` would. A check that needs emit's
// knowledge belongs in plan or earlier; else check must run emit too (cli.cpp).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "emit/emit.hpp"
#include "ir/graph.hpp"
#include "passes/plan.hpp"
#include "report/diagnostics.hpp"
#include "spec/ast.hpp"

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
  std::vector<int> inputs;      // node indices
  std::vector<AttrAst> attrs;   // $params substituted
  std::optional<Value> expect;  // $params substituted
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

// The passes, in the order above (PipelineOptions::last names where to stop).
enum class Stage : uint8_t {
  read_yaml,
  parse_spec,
  expand_blocks,
  build_graph,
  infer_shapes,
  plan,
  emit
};

// What the passes need besides the spec. Only emit reads spec_label, stem and ns.
struct PipelineOptions {
  Stage last = Stage::emit;        // run the passes up to and including this one
  bool fuse = true;                // plan: fold batchnorm/add/relu into the conv2d before them
  std::string spec_label;          // emit: names the spec in the banner and comments (file name)
  std::string stem;                // emit: the files are stem.hpp and stem.cpp
  std::string ns = "modelc::gen";  // emit: the C++ namespace (checked by the caller)
};

// Each pass's result, valid when `done` is at or past that pass (a pass that
// failed may leave a partial result). FlatSpec points into SpecAst, so keep a
// Compilation where run_passes filled it.
struct Compilation {
  std::optional<Value> doc;
  std::optional<SpecAst> spec;
  std::optional<FlatSpec> flat;
  std::optional<Graph> graph;  // built by build_graph, completed by infer_shapes
  std::optional<MemoryPlan> plan;
  std::optional<GeneratedFiles> files;
  std::optional<Stage> done;  // the last pass that ran without error
};

// Runs the passes over one spec text up to options.last, stopping after the
// first pass that reports errors (in diags). True when options.last was reached.
bool run_passes(const std::string& path, std::string_view text, const PipelineOptions& options,
                Compilation& c, Diagnostics& diags);
// The same on a file; reading it (size limit, not a directory) can fail first.
bool run_passes_on_file(const std::string& path, const PipelineOptions& options, Compilation& c,
                        Diagnostics& diags);

// The passes through plan (with fusion) on one spec text / file: every error
// `modelc generate` can report for a spec. Returns the graph when there is none.
std::optional<Graph> compile_spec(const std::string& path, std::string_view text,
                                  Diagnostics& diags);
std::optional<Graph> compile_file(const std::string& path, Diagnostics& diags);

}  // namespace modelc
