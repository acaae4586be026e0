// Stage 4, infer_shapes: runs each node's shape rule (ops/*.cpp) in
// topological order, checks the size limits, computes parameters and MACs,
// and checks `expect`. After an error the node's shape stays unknown and
// nodes that depend on it are skipped, so every error reported is independent.
#include <fmt/format.h>

#include "ir/limits.hpp"
#include "ops/op.hpp"
#include "passes/pipeline.hpp"

namespace modelc {

namespace {

class Inferrer {
 public:
  Inferrer(Graph& g, Diagnostics& diags) : g_(g), diags_(diags) {}

  void run() {
    tainted_.assign(g_.nodes.size(), false);
    size_t next_expect = 0;
    if (g_.input().shape.empty()) return;  // reported by build_graph
    for (size_t i = 0; i < g_.nodes.size(); ++i) {
      if (i > 0) infer(g_.nodes[i]);
      for (; next_expect < g_.expects.size() && g_.expects[next_expect].node == static_cast<int>(i);
           ++next_expect)
        check_expect(g_.expects[next_expect]);
    }
  }

 private:
  std::string who(const Node& n) const { return fmt::format("{} '{}'", op_name(n.op), n.name); }

  // Notes naming the block instances a node was expanded from, innermost first.
  void add_instance_notes(int instance, Diagnostic& d) const {
    for (int k = instance; k >= 0; k = g_.instances[static_cast<size_t>(k)].parent) {
      const BlockInstance& inst = g_.instances[static_cast<size_t>(k)];
      d.note(inst.loc, fmt::format("in instance '{}' of block '{}'", inst.path, inst.block));
    }
  }

  void fail(Node& n, Diagnostic d) {
    d.loc = n.loc;
    d.message = who(n) + ": " + d.message;
    add_instance_notes(n.instance, d);
    n.shape.clear();
    diags_.add(std::move(d));
  }

  void infer(Node& n) {
    ShapeCtx ctx{n, {}, {}};
    for (int in : n.inputs) {
      const Node& x = g_.nodes[static_cast<size_t>(in)];
      if (x.shape.empty()) return;  // an earlier error: stay unknown
      if (tainted_[static_cast<size_t>(in)]) tainted_[&n - g_.nodes.data()] = true;
      ctx.inputs.push_back(&x);
    }
    const OpInfo& op = op_info(n.op);
    if (!op.shape(ctx)) return fail(n, std::move(ctx.error));
    for (int64_t d : n.shape)
      if (d > limits::kMaxDim) {
        ctx.error.message = fmt::format("output {} has a dimension larger than the limit {}",
                                        shape_str(n.shape), with_commas(limits::kMaxDim));
        return fail(n, std::move(ctx.error));
      }
    if (product_sat(n.shape) > limits::kMaxElements) {
      ctx.error.message =
          fmt::format("output {} has {} elements; the limit is {} per tensor", shape_str(n.shape),
                      with_commas(product_sat(n.shape)), with_commas(limits::kMaxElements));
      return fail(n, std::move(ctx.error));
    }
    const Shape& in = ctx.inputs.front()->shape;
    if (op.params) op.params(n, in, n.params);
    if (op.macs) n.macs = op.macs(n, in);
    int64_t params = 0;
    for (const Param& p : n.params) params = add_sat(params, p.count());
    total_params_ = add_sat(total_params_, params);
    total_macs_ = add_sat(total_macs_, n.macs);
    if (!limit_reported_ &&
        (total_params_ > limits::kMaxParams || total_macs_ > limits::kMaxMacs)) {
      const bool p = total_params_ > limits::kMaxParams;
      ctx.error.message = fmt::format(
          "the model reaches {} {} here ({} in this layer); the limit is {}",
          with_commas(p ? total_params_ : total_macs_), p ? "parameters" : "MACs",
          with_commas(p ? params : n.macs), with_commas(p ? limits::kMaxParams : limits::kMaxMacs));
      limit_reported_ = true;
      return fail(n, std::move(ctx.error));
    }
  }

  void check_expect(const Expect& e) {
    Node& n = g_.nodes[static_cast<size_t>(e.node)];
    if (n.shape.empty() || n.shape == e.dims) return;
    const bool cascaded = tainted_[static_cast<size_t>(e.node)];
    tainted_[static_cast<size_t>(e.node)] = true;
    if (cascaded) return;  // a consequence of an earlier expect mismatch
    Diagnostic d;
    d.loc = e.loc;
    if (e.instance >= 0) {
      const BlockInstance& inst = g_.instances[static_cast<size_t>(e.instance)];
      d.message = fmt::format("{} '{}': expected {}, got {}", inst.block, inst.path,
                              shape_str(e.dims), shape_str(n.shape));
      d.note(n.loc, fmt::format("the instance's output is its last layer, {}", who(n)));
    } else {
      d.message =
          fmt::format("{}: expected {}, got {}", who(n), shape_str(e.dims), shape_str(n.shape));
    }
    if (n.inputs.size() == 1) {
      const Node& x = g_.nodes[static_cast<size_t>(n.inputs[0])];
      d.note(x.loc, fmt::format("its input '{}' is {}", x.name, shape_str(x.shape)));
      if (auto* hint = op_info(n.op).expect_hint) hint(n, x.shape, e.dims, d);
    } else {
      for (int in : n.inputs) {
        const Node& x = g_.nodes[static_cast<size_t>(in)];
        d.note(x.loc, fmt::format("input '{}' is {}", x.name, shape_str(x.shape)));
      }
    }
    add_instance_notes(
        e.instance >= 0 ? g_.instances[static_cast<size_t>(e.instance)].parent : n.instance, d);
    if (&e != &g_.expects.back() && g_.expects.back().node > e.node)
      d.note("later expects that depend on this layer are not checked until this one passes");
    diags_.add(std::move(d));
  }

  Graph& g_;
  Diagnostics& diags_;
  std::vector<bool> tainted_;  // downstream of a failed expect
  int64_t total_params_ = 0, total_macs_ = 0;
  bool limit_reported_ = false;
};

}  // namespace

void infer_shapes(Graph& g, Diagnostics& diags) { Inferrer(g, diags).run(); }

}  // namespace modelc
