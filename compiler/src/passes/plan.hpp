// Stage 5, plan: where every tensor lives in the generated model's arenas.
// Inference: one arena, buffers whose lifetimes do not overlap share space,
// views (flatten, dropout) share their input's buffer. Training: every output
// that backward needs is kept, plus saved statistics, dropout masks, and one
// gradient per tensor in a region zeroed before each backward.
// All sizes and offsets are floats (masks: bytes) per image; the generated
// code multiplies them by max_batch.
#pragma once

#include <cstdint>
#include <vector>

#include "report/diagnostics.hpp"
#include "ir/graph.hpp"

namespace modelc {

struct NodePlan {
  int64_t size = 0;        // floats per image of the output
  int view_of = -1;        // inference: shares this node's buffer (OpInfo::view)
  int train_view_of = -1;  // training: shares this node's buffer and gradient (ViewRule::always)
  int64_t inf = -1;        // inference arena offset; -1: not computed by forward()
  int64_t trn = -1;        // training arena: output
  int64_t grad = -1;       // training arena: dL/doutput
  int64_t aux = -1;        // training arena: what backward needs saved (OpInfo::saved)
  int64_t mask = -1;       // training: byte mask (OpInfo::saves_mask)
  // Loss heads that take in the node's activation (softmax, sigmoid; see
  // OpInfo::head_activation): a fused one writes logits in training
  // (logits_head); when its output also feeds other layers or outputs, the
  // logits get their own buffers (split_head: l_, dl_) and the activation runs
  // after the op. A standalone one (softmax/sigmoid op) is skipped in training
  // (its input holds the logits) unless its output is read elsewhere.
  bool logits_head = false;
  bool split_head = false;
  bool skip_training = false;
  int64_t logits = -1, logits_grad = -1;  // training arena (split_head)
  // Inference fusion into a conv2d (its output pass): the batchnorm after it
  // (folded into prepared weights), the add it feeds (the other input is the
  // residual) and a relu; the fused nodes become views of the conv (view_of).
  int fuse_bn = -1;
  int fuse_residual = -1;                    // node whose output is added before the activation
  Activation fuse_act = Activation::linear;  // a fused activation op's (relu, relu6, ...)
  std::vector<int> fused;                    // the fused nodes, in order
  int64_t prep = -1;  // conv2d: offset of its prepared weights (floats, not per image)
};

struct OutputPlan {
  int node = 0;
  int64_t size = 0;
  double loss_weight = 1.0;
  bool training_only = false;
  Loss loss = Loss::softmax_crossentropy;
  Activation absorbed = Activation::linear;  // what the loss takes in (see NodePlan)
  int logits_node = -1;  // whose buffers hold the logits (the node, or a standalone head's input)
  int64_t inf = -1, logits = -1, probs = -1, logits_grad = -1;
};

struct MemoryPlan {
  std::vector<NodePlan> nodes;
  std::vector<OutputPlan> outputs;
  int64_t inference_arena = 0;  // floats per image
  int64_t training_arena = 0;   // floats per image (outputs, statistics, gradients)
  int64_t grad_begin = 0, grad_end = 0;
  int64_t masks = 0;            // bytes per image
  int64_t im2col_floats = 0;    // largest im2col matrix per image (summary only)
  int64_t prepared_floats = 0;  // conv weights prepared for inference (packed, folded)
};

// Fails (false, with diagnostics) only for graphs the generator cannot train:
// a loss head that takes in a softmax/sigmoid applied to the model input itself.
// fuse: batchnorm/add/relu into the conv2d before them at inference (plan.cpp).
bool plan_memory(const Graph& g, MemoryPlan& plan, Diagnostics& diags, bool fuse = true);

// The plan as text, for `modelc summary` (`batch` images).
std::string memory_plan_text(const Graph& g, const MemoryPlan& plan, int64_t batch);

}  // namespace modelc
