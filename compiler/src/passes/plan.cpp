#include "passes/plan.hpp"

#include "ops/op.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace modelc {
namespace {

constexpr int64_t kAlign = 16;  // floats: 64-byte aligned buffers when the arena base is

int64_t aligned(int64_t n) { return (n + kAlign - 1) / kAlign * kAlign; }

HeadActivation head_activation(const Node& n) {
  const OpInfo& op = op_info(n.op);
  return op.head_activation ? op.head_activation(n) : HeadActivation{};
}

// The activation an output's loss takes in: softmax for softmax_crossentropy,
// sigmoid for binary_crossentropy, when the head ends in it.
Activation absorbed(const Node& n, Loss loss) {
  const Activation a = head_activation(n).act;
  if (loss == Loss::softmax_crossentropy && a == Activation::softmax) return a;
  if (loss == Loss::binary_crossentropy && a == Activation::sigmoid) return a;
  return Activation::linear;
}

const Shape& input_shape(const Graph& g, const Node& n) {
  static const Shape kNone;
  return n.inputs.empty() ? kNone : g.nodes[static_cast<size_t>(n.inputs[0])].shape;
}

// The node whose buffer a view resolves to.
int root(const std::vector<NodePlan>& plans, int i) {
  while (plans[static_cast<size_t>(i)].view_of >= 0) i = plans[static_cast<size_t>(i)].view_of;
  return i;
}

// First-fit allocation of the inference arena over the nodes' live ranges.
struct Block {
  int64_t offset, size;
  int owner;
};

int64_t first_fit(std::vector<Block>& live, int64_t size, int owner) {
  int64_t at = 0;
  auto it = live.begin();
  for (; it != live.end(); ++it) {
    if (it->offset - at >= size) break;
    at = std::max(at, it->offset + it->size);
  }
  live.insert(it, Block{at, size, owner});
  return at;
}

// Inference fusion (FusionRole in ops/op.hpp): each host (conv2d) with a
// linear activation takes in the node folded into its weights (batchnorm), the
// two-input add (of equal shapes) and the activation op (relu, relu6, ...) that follow it, as long
// as each is the only reader of the tensor before it (and no output needs it). The add's other
// input must be computed before the host. Every node with prepared weights gets its offset here,
// fused or not.
void fuse_into_convs(const Graph& g, MemoryPlan& plan, bool fuse) {
  const size_t count = g.nodes.size();
  std::vector<int> readers(count, 0), reader(count, -1);
  for (size_t i = 1; i < count; ++i) {
    if (!g.nodes[i].inference) continue;
    for (int in : g.nodes[i].inputs) {
      ++readers[static_cast<size_t>(in)];
      reader[static_cast<size_t>(in)] = static_cast<int>(i);
    }
  }
  for (const Output& o : g.outputs) readers[static_cast<size_t>(o.node)] += 2;
  const auto next = [&](int t, FusionRole role) {
    const int r = readers[static_cast<size_t>(t)] == 1 ? reader[static_cast<size_t>(t)] : -1;
    return r >= 0 && op_info(g.nodes[static_cast<size_t>(r)].op).fusion == role ? r : -1;
  };
  int64_t prepared = 0;
  for (size_t i = 1; i < count; ++i) {
    const Node& n = g.nodes[i];
    const OpInfo& op = op_info(n.op);
    if (!n.inference) continue;
    NodePlan& p = plan.nodes[i];
    if (op.prepared_floats) {
      p.prep = prepared;
      prepared += op.prepared_floats(n, input_shape(g, n));
    }
    if (!fuse || op.fusion != FusionRole::host || n.attrs.activation != Activation::linear)
      continue;
    int tail = static_cast<int>(i);
    const auto take = [&](int node) {
      p.fused.push_back(node);
      plan.nodes[static_cast<size_t>(node)].view_of = static_cast<int>(i);
      tail = node;
    };
    if (const int bn = next(tail, FusionRole::folded_into_weights); bn >= 0) {
      p.fuse_bn = bn;
      take(bn);
    }
    if (const int add = next(tail, FusionRole::residual_add); add >= 0) {
      const Node& a = g.nodes[static_cast<size_t>(add)];
      const std::vector<int>& ins = a.inputs;
      const int other = ins.size() == 2 ? (ins[0] == tail ? ins[1] : ins[0]) : tail;
      // The output pass adds the residual element by element: a broadcasting
      // add ([C] over [H, W, C]) runs its own kernel.
      const bool same_shapes = std::all_of(ins.begin(), ins.end(), [&](int in) {
        return g.nodes[static_cast<size_t>(in)].shape == a.shape;
      });
      if (same_shapes && other != tail && root(plan.nodes, other) < static_cast<int>(i)) {
        p.fuse_residual = other;
        take(add);
      }
    }
    if (const int act = next(tail, FusionRole::activation); act >= 0) {
      const Node& a = g.nodes[static_cast<size_t>(act)];
      const Activation f = op_info(a.op).fusable_activation(a.attrs);
      if (f != Activation::linear) {
        p.fuse_act = f;
        take(act);
      }
    }
  }
  plan.prepared_floats = prepared;
}

void plan_inference(const Graph& g, MemoryPlan& plan) {
  const int count = static_cast<int>(g.nodes.size());
  std::vector<int> last_use(g.nodes.size(), -1);
  for (int i = 1; i < count; ++i) {
    const Node& n = g.nodes[static_cast<size_t>(i)];
    if (!n.inference) continue;
    for (int in : n.inputs) {
      const int r = root(plan.nodes, in);
      last_use[static_cast<size_t>(r)] = std::max(last_use[static_cast<size_t>(r)], i);
    }
  }
  for (const Output& o : g.outputs)
    if (!o.training_only) last_use[static_cast<size_t>(root(plan.nodes, o.node))] = count;

  std::vector<Block> live;
  for (int i = 1; i < count; ++i) {
    const Node& n = g.nodes[static_cast<size_t>(i)];
    NodePlan& p = plan.nodes[static_cast<size_t>(i)];
    if (!n.inference || p.view_of >= 0) continue;
    p.inf = first_fit(live, aligned(p.size), i);
    const int64_t end = p.inf + aligned(p.size);
    plan.inference_arena = std::max(plan.inference_arena, end);
    // Free what this node was the last to read (never its own output).
    std::erase_if(live, [&](const Block& b) {
      return b.owner != i && last_use[static_cast<size_t>(b.owner)] == i;
    });
    if (last_use[static_cast<size_t>(i)] < 0)  // computed but never read: free at once
      std::erase_if(live, [&](const Block& b) { return b.owner == i; });
  }
  for (int i = 1; i < count; ++i) {
    NodePlan& p = plan.nodes[static_cast<size_t>(i)];
    if (g.nodes[static_cast<size_t>(i)].inference && p.view_of >= 0)
      p.inf = plan.nodes[static_cast<size_t>(root(plan.nodes, i))].inf;  // -1 for the input
  }
}

void plan_training(const Graph& g, MemoryPlan& plan) {
  int64_t at = 0;
  auto take = [&](int64_t n) {
    const int64_t o = at;
    at += aligned(n);
    return o;
  };
  for (size_t i = 1; i < g.nodes.size(); ++i) {
    const Node& n = g.nodes[i];
    NodePlan& p = plan.nodes[i];
    if (p.train_view_of >= 0 || p.skip_training) continue;
    p.trn = take(p.size);
    if (p.split_head) p.logits = take(p.size);
    const OpInfo& op = op_info(n.op);
    // 0 saved floats: nothing kept (conv2d/dense keep their pre-activation only
    // for some activations), and no `a_` offset.
    if (const int64_t saved = op.saved_floats ? op.saved_floats(n) : 0; saved > 0)
      p.aux = take(saved);
    if (op.saves_mask) {
      p.mask = plan.masks;
      plan.masks += aligned(p.size);
    }
  }
  for (OutputPlan& o : plan.outputs) o.probs = o.absorbed != Activation::linear ? take(o.size) : -1;
  plan.grad_begin = at;
  plan.nodes[0].grad = take(plan.nodes[0].size);
  for (size_t i = 1; i < g.nodes.size(); ++i) {
    NodePlan& p = plan.nodes[i];
    if (p.train_view_of < 0 && !p.skip_training) p.grad = take(p.size);
    if (p.split_head) p.logits_grad = take(p.size);
  }
  plan.grad_end = at;
  plan.training_arena = at;
  // Views and skipped softmax heads resolve to their source.
  for (size_t i = 1; i < g.nodes.size(); ++i) {
    NodePlan& p = plan.nodes[i];
    int src =
        p.train_view_of >= 0 ? p.train_view_of : (p.skip_training ? g.nodes[i].inputs[0] : -1);
    if (src < 0) continue;
    while (plan.nodes[static_cast<size_t>(src)].train_view_of >= 0)
      src = plan.nodes[static_cast<size_t>(src)].train_view_of;
    p.trn = plan.nodes[static_cast<size_t>(src)].trn;  // -1 when src is the model input
    p.grad = plan.nodes[static_cast<size_t>(src)].grad;
  }
  for (OutputPlan& o : plan.outputs) {
    const NodePlan& p = plan.nodes[static_cast<size_t>(o.logits_node)];
    const bool split = o.logits_node == o.node && p.split_head && o.absorbed != Activation::linear;
    o.logits = split ? p.logits : p.trn;
    o.logits_grad = split ? p.logits_grad : p.grad;
    if (o.absorbed == Activation::linear) o.probs = o.logits;
  }
}

}  // namespace

bool plan_memory(const Graph& g, MemoryPlan& plan, Diagnostics& diags, bool fuse) {
  plan = MemoryPlan{};
  plan.nodes.resize(g.nodes.size());
  std::vector<int> consumers(g.nodes.size(), 0);
  for (const Node& n : g.nodes)
    for (int in : n.inputs) ++consumers[static_cast<size_t>(in)];

  for (size_t i = 0; i < g.nodes.size(); ++i) {
    const Node& n = g.nodes[i];
    NodePlan& p = plan.nodes[i];
    const OpInfo& op = op_info(n.op);
    p.size = product_sat(n.shape);
    if (op.view != ViewRule::none) p.view_of = n.inputs[0];
    if (op.view == ViewRule::always) p.train_view_of = n.inputs[0];
    if (op.workspace_floats)
      plan.im2col_floats = std::max(plan.im2col_floats, op.workspace_floats(n, input_shape(g, n)));
  }

  // Loss heads (see NodePlan): which take in their node's activation, and
  // whether the node's output is read elsewhere (by layers or other outputs).
  std::vector<int> head_uses(g.nodes.size(), 0);
  for (const Output& o : g.outputs) ++head_uses[static_cast<size_t>(o.node)];
  for (const Output& o : g.outputs) {
    const auto node = static_cast<size_t>(o.node);
    const Node& n = g.nodes[node];
    OutputPlan op{.node = o.node,
                  .size = plan.nodes[node].size,
                  .loss_weight = o.loss_weight,
                  .training_only = o.training_only,
                  .loss = o.loss,
                  .absorbed = absorbed(n, o.loss),
                  .logits_node = o.node};
    if (op.absorbed != Activation::linear) {
      NodePlan& p = plan.nodes[node];
      const bool shared = consumers[node] > 0 || head_uses[node] > 1;
      if (!head_activation(n).standalone) {
        p.logits_head = true;
        p.split_head = shared;
      } else {
        const int in = n.inputs[0];
        if (in == 0) {
          diags
              .error(o.loc, fmt::format("output '{}': the loss takes in this {} and so needs "
                                        "its logits from a layer, but its input is the model "
                                        "input itself (nothing to train)",
                                        n.name, activation_name(op.absorbed)))
              .note(n.loc, "the head is defined here");
          return false;
        }
        op.logits_node = in;
        // Skipped in training when nothing else reads its output; the logits
        // (its input) may feed other layers either way: their gradients add.
        if (!shared) p.skip_training = true;
      }
    }
    plan.outputs.push_back(op);
  }

  fuse_into_convs(g, plan, fuse);
  plan_inference(g, plan);
  plan_training(g, plan);
  for (OutputPlan& o : plan.outputs)
    if (!o.training_only) o.inf = plan.nodes[static_cast<size_t>(o.node)].inf;
  return true;
}

std::string memory_plan_text(const Graph& g, const MemoryPlan& plan, int64_t batch) {
  int64_t weights = 0;
  for (const Node& n : g.nodes)
    for (const Param& p : n.params) weights += p.count();
  auto mb = [](int64_t floats) { return static_cast<double>(floats) * 4.0 / 1048576.0; };
  std::string s = fmt::format("Memory plan (float32; per image and at batch {}):\n", batch);
  s += fmt::format("  {:<34}{:>14}{:>16}\n", "", "per image", fmt::format("batch {}", batch));
  auto row = [&](std::string_view what, double per_image_mb, double total_mb) {
    s += fmt::format("  {:<34}{:>10.2f} MiB{:>12.2f} MiB\n", what, per_image_mb, total_mb);
  };
  // In double: a per-image arena times the batch may not fit in int64.
  const auto n = static_cast<double>(batch);
  s += fmt::format("  {:<34}{:>14}{:>12.2f} MiB\n", "weights (not per image)", "-", mb(weights));
  row("inference activation arena", mb(plan.inference_arena), mb(plan.inference_arena) * n);
  row("training arena (+ gradients)", mb(plan.training_arena), mb(plan.training_arena) * n);
  row("largest im2col matrix", mb(plan.im2col_floats), mb(plan.im2col_floats) * n);
  s += fmt::format(
      "  training also keeps one gradient per trainable weight and, once used, the\n"
      "  optimiser's state (SGD momentum: 1x, Adam: 2x the trainable weights).\n");
  return s;
}

}  // namespace modelc
