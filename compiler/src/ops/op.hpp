// What an op is to the compiler, in one record (OpInfo) per file in ops/:
// attribute schema and printer, shape rule, parameters with their
// initialisers, MACs, what training saves for backward, view and fusion rules,
// prepared weights, scratch, and the forward/backward/prepare emission. The
// passes (build_graph, infer_shapes, plan, emit) loop over these fields and
// name no op; docs/adding-an-op.md walks through a new one.
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
  positive_int,  // 64
  int_pair,      // 3 or [3, 5]: positive
  nonneg_pair,   // 0 or [0, 1]: >= 0 (conv2d_transpose's output_padding)
  conv_padding,  // valid | same | p | [ph, pw]   (p >= 0)
  pool_padding,  // valid | same | p | [ph, pw] | [top, bottom, left, right]   (>= 0)
  zero_padding,  // p | [ph, pw] | [top, bottom, left, right]   (>= 0)
  boolean,       // true | false
  activation,    // linear | relu | sigmoid | tanh | softmax
  real,          // a number within [lo, hi] (lo exclusive when lo_open)
  nonneg_int,    // 0, 1, 2, ...
  size_or_rest,  // a positive integer, or -1: all that is left
  target_shape,  // [4, -1, 8]: 1 to kMaxRank positive sizes, at most one -1 (inferred)
  choice,        // one of the strings in AttrSpec::choices; ints[0] is its index
};

// A validated attribute value, handed to the schema entry's `store`.
struct AttrValue {
  int64_t ints[4] = {0, 0, 0, 0};  // int: [v, v]; pair: [a, b]; zero_padding: [top, bottom, left,
                                   // right]; choice: [index]
  int count = 0;                   // target_shape: how many sizes ints holds (kMaxRank fits)
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
  double lo = 0.0, hi = 0.0;  // real only (lo <= -1e30: no lower bound, hi >= 1e30: no upper)
  bool lo_open = false, hi_open = false;
  std::span<const std::string_view> choices = {};  // choice only, in the enum's order
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

// How an op's output may share its input's buffer (no kernel runs).
enum class ViewRule : uint8_t {
  none,
  at_inference,  // identity at inference only (dropout)
  always,        // in training too, sharing the gradient as well (flatten)
};

// The op's part in inference fusion (plan.cpp, fuse_into_convs): a host with
// a linear activation takes in, in this order and when each is the only reader
// of the tensor before it, a node folded into its prepared weights, a two-input
// add whose other input is already computed (the residual), and an activation
// op (relu, relu6, gelu, ...: OpInfo::fusable_activation says which).
enum class FusionRole : uint8_t { none, host, folded_into_weights, residual_add, activation };

// The activation a node ends in, which a loss head may take in: softmax for
// softmax_crossentropy, sigmoid for binary_crossentropy, the loss then being
// computed stably on the logits before it (plan.cpp).
struct HeadActivation {
  Activation act = Activation::linear;
  bool standalone = false;  // the node is the activation (its input holds the logits); else fused
};

// Everything the compiler knows about one op. One per file in ops/, written
// with designated initialisers; fields an op does not need keep their
// defaults. The passes loop over these fields and name no op.
struct OpInfo {
  OpKind kind;
  std::string_view name;
  std::string_view summary;            // one line for docs and `--help`
  int min_inputs = 1, max_inputs = 1;  // max -1: unbounded

  // --- Checking (build_graph, infer_shapes) ---
  std::span<const AttrSpec> attrs = {};
  // After the attributes are stored, with the keys that were given (e.g. stride = pool).
  void (*finish)(Attrs&, std::span<const std::string_view> given) = nullptr;
  // The resolved attributes as ` key=value` pairs for dump_ir ("" when none).
  std::string (*print_attrs)(const Attrs&) = nullptr;
  bool (*shape)(ShapeCtx&) = nullptr;
  // The weights, each with its initialiser (and fans and L2 where it has them).
  void (*params)(const Node&, const Shape& input, std::vector<Param>&) = nullptr;
  int64_t (*macs)(const Node&, const Shape& input) = nullptr;
  // Extra notes when an `expect` on this node fails (what would give the expected shape).
  void (*expect_hint)(const Node&, const Shape& input, const Shape& expected,
                      Diagnostic&) = nullptr;

  // --- Planning (plan.cpp) ---
  ViewRule view = ViewRule::none;
  // What the training forward saves for backward besides its output: floats
  // per image (aux(), `a_` offsets) and what they hold, and whether it keeps a
  // byte mask of its output's size (mask(), `m_` offsets).
  int64_t (*saved_floats)(const Node&) = nullptr;
  std::string_view saved = {};
  bool saves_mask = false;
  // Weights prepared for inference (packed, folded), floats; the node gets a
  // `p_` offset and emit_prepare writes them.
  int64_t (*prepared_floats)(const Node&, const Shape& input) = nullptr;
  // The largest kernel workspace per image, floats (summary's memory plan).
  int64_t (*workspace_floats)(const Node&, const Shape& input) = nullptr;
  FusionRole fusion = FusionRole::none;
  HeadActivation (*head_activation)(const Node&) = nullptr;

  // --- Code generation (emit.hpp) ---
  // The per-image geometry constant (optional), the forward call (inference or
  // training, as ctx.mode says) and the backward call. Views are never emitted.
  void (*emit_geometry)(const EmitCtx&, CodeWriter&) = nullptr;
  void (*emit_forward)(const EmitCtx&, CodeWriter&) = nullptr;
  void (*emit_backward)(const EmitCtx&, CodeWriter&) = nullptr;
  // The statement that prepares this node's weights (Model::prepare_weights).
  void (*emit_prepare)(const EmitCtx&, CodeWriter&) = nullptr;
  // Statements growing `s`, the scratch floats for batch `b`, inside
  // scratch_floats(b, training) (conv2d: packed kernels, im2col; dense: the
  // pre-activation gradient).
  void (*emit_scratch)(const EmitCtx&, CodeWriter&) = nullptr;
  // Which kernel the runtime picks for this node, for the layer's comment
  // ("indirect GEMM"); when the op has several.
  std::string (*kernel_note)(const Node&, const Shape& input) = nullptr;
  // FusionRole::activation: the Activation the op computes, which a host then
  // applies in its output pass; linear when this node cannot fuse (elu's alpha != 1).
  Activation (*fusable_activation)(const Attrs&) = nullptr;
};

// The shape rule of ops whose output has their input's shape.
bool identity_shape(ShapeCtx& ctx);
// The head_activation of ops with a fused `activation`.
HeadActivation fused_head_activation(const Node& n);
// Their saved_floats: the pre-activation, when the activation's backward reads
// its input (gelu, silu, ...), else nothing.
int64_t fused_pre_activation_floats(const Node& n);
// Their kernels' trailing argument for it: ", <aux buffer>" in training when
// kept, else "".
std::string fused_pre_activation_arg(const EmitCtx& c);
// A fusion host's prepared inference call: the activation of its output pass
// (a fused activation op's, else its own), and "modelc::BatchnormFold{...}, "
// for a fused batchnorm (else "").
std::string fused_output_act(const EmitCtx& c);
std::string fused_batchnorm_arg(const EmitCtx& c);

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
