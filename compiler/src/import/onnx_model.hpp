// The importer's view of an ONNX file: the checked, shape-inferred ModelProto
// and its tensors as plain arrays (onnx_model.cpp). Shared by the lowering
// (onnx_lower.cpp); not part of the compiler's other stages.
#pragma once

#include <onnx/onnx_pb.h>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace modelc::onnx_import {

// A constant tensor: initializers, Constant nodes and folded subgraphs. Values
// are held as double (exact for float32 and for the int64 shapes models use).
struct Const {
  std::vector<int64_t> dims;
  std::vector<double> v;
  bool integer = false;  // INT32/INT64/BOOL/...: folding keeps integer semantics
  std::string source;    // the initializer's name, or "" when computed
  int64_t count() const;
};

// A problem with one node (or the file), thrown while lowering it.
struct NodeError {
  std::string what;
};

struct LoadedModel {
  onnx::ModelProto proto;
  int64_t opset = 0;                                   // the default domain's
  std::map<std::string, Const> initializers;           // by name
  std::map<std::string, std::vector<int64_t>> shapes;  // every value ONNX inferred (-1: unknown)
  std::string label;                                   // the file, for messages
};

// Parses, checks (onnx::checker) and infers shapes; `input_shape` (when not
// empty) replaces the first real input's dims first. Throws ImportError.
LoadedModel load_model(const std::string& bytes, const std::string& label, const std::string& dir,
                       const std::vector<int64_t>& input_shape);

// A TensorProto's values (raw or typed fields, or external data under `dir`);
// throws NodeError naming `what` on a size that disagrees with the shape, an
// unsupported type, or a missing external file.
Const read_tensor(const onnx::TensorProto& t, const std::string& dir, const std::string& what);

// Attributes, with the ONNX defaults given by the caller.
const onnx::AttributeProto* find_attr(const onnx::NodeProto& n, const std::string& name);
int64_t attr_int(const onnx::NodeProto& n, const std::string& name, int64_t fallback);
float attr_float(const onnx::NodeProto& n, const std::string& name, float fallback);
std::string attr_string(const onnx::NodeProto& n, const std::string& name,
                        const std::string& fallback);
std::optional<std::vector<int64_t>> attr_ints(const onnx::NodeProto& n, const std::string& name);

// Folds every node whose inputs are constants (and Shape of a tensor of static
// shape) into an initializer; returns how many. load_model runs it between
// rounds of shape inference.
int fold_constant_nodes(LoadedModel& m, const std::string& dir);

// Folds a node whose inputs are all constant; nullopt when modelc does not fold
// that op. Throws NodeError on a malformed one.
std::optional<std::vector<Const>> fold(const onnx::NodeProto& n,
                                       const std::vector<const Const*>& inputs,
                                       const std::string& dir);

}  // namespace modelc::onnx_import
