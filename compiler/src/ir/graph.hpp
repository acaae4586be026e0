// The graph IR: the checked network that later stages (summary, DOT, the code
// generator) consume. A Graph is a topologically ordered list of Nodes; node 0
// is the model input, every node's inputs are earlier nodes, every attribute
// is resolved (defaults applied, `$params` substituted, padding turned into
// four pad amounts) and, after infer_shapes without errors, every node has
// its output shape, parameter list and MAC count.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "spec/source_loc.hpp"
#include "ir/text_util.hpp"
#include "modelc/activation.hpp"  // modelc::Activation: the runtime's enum, one list for both
#include "modelc/loss.hpp"        // modelc::Loss, likewise

namespace modelc {

// One enumerator per op, in the order of ops/op_registry.def (sorted by name).
enum class OpKind : uint8_t {
#define MODELC_OP(name) name,
#include "ops/op_registry.def"
#undef MODELC_OP
};
std::string_view op_name(OpKind op);  // the spec's spelling: "conv2d", "global_avgpool"

enum class Padding : uint8_t { valid, same, explicit_pad };
enum class Interpolation : uint8_t { nearest, bilinear };  // upsample
std::string_view padding_name(Padding p);                  // "valid", "same", "explicit"
std::string_view activation_name(Activation a);  // "linear", "relu", ... (modelc/activation.def)

// Every attribute of every op, resolved. Fields an op does not use keep their
// defaults (listed here) and are ignored.
struct Attrs {
  int64_t filters = 0;               // conv2d: output channels
  int64_t units = 0;                 // dense: output features
  int64_t kh = 0, kw = 0;            // conv2d kernel / maxpool, avgpool window
  int64_t sh = 1, sw = 1;            // conv2d, maxpool, avgpool stride
  int64_t dh = 1, dw = 1;            // conv2d, depthwise_conv2d: dilation (pools: 1)
  int64_t depth_multiplier = 1;      // depthwise_conv2d: outputs per input channel
  Padding padding = Padding::valid;  // conv2d, maxpool, avgpool
  // Resolved zero padding of conv2d/pools (from `valid`/`same`/explicit, via
  // modelc/geometry.hpp; `same` puts the extra row/column at the bottom/right)
  // and the amounts of zeropad. For `valid`, all zero.
  int64_t pad_top = 0, pad_bottom = 0, pad_left = 0, pad_right = 0;
  bool ceil = false;           // maxpool, avgpool: PyTorch's ceil_mode
  bool count_padding = false;  // avgpool: divide by the window clipped to the padded input
  bool use_bias = true;        // conv2d, dense
  Activation activation = Activation::linear;  // conv2d, dense: fused activation
  double l2 = 0.0;         // conv2d, dense: L2 factor on the kernel (training only)
  double rate = 0.0;       // dropout: fraction dropped in training
  double epsilon = 1e-3;   // batchnorm
  double momentum = 0.99;  // batchnorm: moving = momentum*moving + (1-momentum)*batch
  int64_t lrn_size = 5;    // lrn: window over channels c-size/2 .. c+(size-1)/2
  double lrn_alpha = 1e-4, lrn_beta = 0.75, lrn_bias = 1.0;  // lrn
  double alpha = 0.0;     // leaky_relu: the slope below 0; elu: the scale below 0 (1.0)
  int64_t groups = 1;     // channel_shuffle: channels viewed as [groups, C/groups]; conv2d: groups
  bool keepdims = false;  // global_avgpool, global_maxpool: [1, 1, C] instead of [C]
  Shape target;           // reshape: the spec's `shape`, -1 (at most one) inferred
  int64_t begin = 0, size = -1;  // slice: channels begin .. begin+size-1; size -1: to the end
  int64_t up_h = 2, up_w = 2;    // upsample: the factors on H and W
  Interpolation interpolation = Interpolation::nearest;  // upsample
  double scale_init = 1.0;                               // scale: gamma's initial value
  // conv2d_transpose: rows/columns added at the bottom/right (explicit padding
  // only; given: the key was written, so that it is refused with valid/same).
  int64_t out_pad_h = 0, out_pad_w = 0;
  bool out_pad_given = false;
};

// How a weight is initialised (modelc::Init in the runtime, same names).
enum class Init : uint8_t { zeros, ones, glorot_uniform, constant };
std::string_view init_name(Init i);  // "zeros", "ones", "glorot_uniform", "constant"

// A weight tensor of a node, named `<node name>.<name>` in weights files. The
// op that declares it says how it starts and how it is regularised.
struct Param {
  std::string name;  // Keras name: kernel, bias, gamma, beta, moving_mean, moving_variance
  Shape shape;       // Keras layout: conv2d kernel [kh, kw, cin, cout], dense kernel [in, units]
  bool trainable = true;  // batchnorm moving statistics are not
  Init init = Init::zeros;
  int64_t fan_in = 0, fan_out = 0;  // glorot_uniform's fans
  double value = 0.0;               // Init::constant's value (scale's gamma)
  double l2 = 0.0;                  // L2 factor (training only)
  int64_t count() const { return product_sat(shape); }
};

struct Node {
  std::string name;  // full scoped path: "conv1", "3a/b1", "conv2_block1/1_conv"
  OpKind op = OpKind::input;
  std::vector<int> inputs;  // node indices, all smaller than this node's index
  Attrs attrs;
  Shape shape;        // output shape without batch; empty = unknown (after an error)
  SourceLoc loc;      // the layer's entry in the spec (for an input: the `input:` key)
  int instance = -1;  // innermost block instance (index into Graph::instances), -1 = top level
  std::vector<Param> params;
  int64_t macs = 0;       // multiply-accumulates per sample (conv2d and dense; others 0)
  bool inference = true;  // needed by forward(): an ancestor of a non-training_only output

  std::string weight_name(const Param& p) const { return name + "." + p.name; }
};

// One instantiation of a block (for graph clusters and error notes).
struct BlockInstance {
  std::string path;   // "res3a", "stage4/res4b", "conv2_block_2" (repeat)
  std::string block;  // the block's name
  SourceLoc loc;      // the instantiating layer entry
  int parent = -1;    // enclosing instance, -1 = top level
};

struct Output {
  int node = 0;
  double loss_weight = 1.0;
  bool training_only = false;  // loss head only; not computed by forward()
  SourceLoc loc;
  Loss loss = Loss::softmax_crossentropy;
};

// An `expect:` assertion (checked by infer_shapes; not needed after it).
struct Expect {
  int node = 0;  // the node whose shape is asserted (an instance's output node)
  Shape dims;
  SourceLoc loc;      // the `expect:` value
  int instance = -1;  // set when the expect is on a block instance
};

struct Graph {
  std::string name;         // model name: the generated class
  std::string spec_path;    // as given to the compiler
  std::vector<Node> nodes;  // topological order, nodes[0] is the input
  std::vector<BlockInstance> instances;
  std::vector<Output> outputs;  // in spec order; at least one is not training_only
  std::vector<Expect> expects;
  bool input_nchw = false;  // the generated API takes [C, H, W] images (input shape [H, W, C])

  const Node& input() const { return nodes.front(); }
};

// Totals over the graph (all nodes, or only those forward() computes).
struct GraphTotals {
  int64_t params = 0, trainable = 0, non_trainable = 0, macs = 0;
};
GraphTotals totals(const Graph& g, bool inference_only);

// A stable, line-per-node text dump of the IR (tests compare it; `modelc check --dump-ir`).
std::string dump_ir(const Graph& g);

}  // namespace modelc
