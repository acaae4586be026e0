// What an op is to the compiler: its attribute schema (validated centrally by
// build_graph), its shape rule, its parameter shapes, its MAC count, and an
// optional hint for `expect` mismatches. One OpInfo per file in ops/.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "report/diagnostics.hpp"
#include "ir/graph.hpp"

namespace modelc {

struct EmitCtx;
class CodeWriter;

enum class AttrType : uint8_t {
  positive_int,   // 64
  int_pair,       // 3 or [3, 5]: positive
  conv_padding,   // valid | same | p | [ph, pw]   (p >= 0)
  pool_padding,   // valid | same
  zero_padding,   // p | [ph, pw] | [top, bottom, left, right]   (>= 0)
  boolean,        // true | false
  activation,     // linear | relu | sigmoid | tanh | softmax
  real,           // a number within [lo, hi] (lo exclusive when lo_open)
};

// A validated attribute value, handed to the schema entry's `store`.
struct AttrValue {
  int64_t ints[4] = {0, 0, 0, 0};  // int: [v, v]; pair: [a, b]; zero_padding: [top, bottom, left, right]
  double real = 0.0;
  bool boolean = false;
  Padding padding = Padding::valid;
  Activation activation = Activation::linear;
};

struct AttrSpec {
  std::string_view key;
  AttrType type;
  bool required;
  void (*store)(Attrs&, const AttrValue&);
  double lo = 0.0, hi = 0.0;  // real only
  bool lo_open = false, hi_open = false;
};

// Shape inference of one node: the rule reads the inputs and the node's
// attributes, completes resolved attributes (pads) and sets node.shape, or
// calls fail() with the cause (numbers included) and returns false.
struct ShapeCtx {
  Node& node;
  std::vector<const Node*> inputs;
  Diagnostic error;

  const Shape& in(size_t i = 0) const { return inputs[i]->shape; }
  bool fail(std::string message) {
    error.message = std::move(message);
    return false;
  }
  bool require_rank(size_t rank, std::string_view layout);  // "[H, W, C]"
  bool require_min_rank(size_t rank);
};

struct OpInfo {
  OpKind kind;
  std::string_view name;
  std::string_view summary;  // one line for docs and `--help`
  int min_inputs, max_inputs;  // max -1: unbounded
  std::span<const AttrSpec> attrs;
  bool (*shape)(ShapeCtx&);
  // After the attributes are stored, with the keys that were given (e.g. stride = pool).
  void (*finish)(Attrs&, std::span<const std::string_view> given) = nullptr;
  void (*params)(const Node&, const Shape& input, std::vector<Param>&) = nullptr;
  int64_t (*macs)(const Node&, const Shape& input) = nullptr;
  // Extra notes when an `expect` on this node fails (what would give the expected shape).
  void (*expect_hint)(const Node&, const Shape& input, const Shape& expected, Diagnostic&) = nullptr;
  // Code generation (emit.hpp): the per-image geometry constant (optional),
  // the forward call (inference or training, as ctx.mode says) and the
  // backward call. Views (flatten; dropout at inference) are never emitted.
  void (*emit_geometry)(const EmitCtx&, CodeWriter&) = nullptr;
  void (*emit_forward)(const EmitCtx&, CodeWriter&) = nullptr;
  void (*emit_backward)(const EmitCtx&, CodeWriter&) = nullptr;
  // Optional: the statement that prepares this node's weights for inference
  // (Model::prepare_weights; conv2d packs its kernel and folds a batchnorm).
  void (*emit_prepare)(const EmitCtx&, CodeWriter&) = nullptr;
};

// The shape rule of ops whose output has their input's shape.
bool identity_shape(ShapeCtx& ctx);

const OpInfo& op_info(OpKind op);
const OpInfo* find_op(std::string_view name);  // nullptr when unknown
std::span<const OpInfo* const> all_ops();      // sorted by name
std::vector<std::string> op_names();

namespace ops {
#define MODELC_OP(name) extern const OpInfo op_##name;
#include "ops/op_registry.def"
#undef MODELC_OP
}  // namespace ops

}  // namespace modelc
