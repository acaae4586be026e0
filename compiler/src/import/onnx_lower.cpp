// ONNX nodes to modelc layers (docs/import.md has the table). Each ONNX value is
// a constant (folded), a tensor a spec layer computes (with the layout its ONNX
// axes have: NCHW maps, NHWC maps after a Transpose, flat [N, F] vectors), or
// poisoned by an earlier unsupported node (so one problem is reported once,
// not again by every node after it).
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>
#include <set>
#include <sstream>

#include "import/onnx_import.hpp"
#include "import/onnx_model.hpp"

namespace modelc {

ImportError::ImportError(const std::vector<std::string>& messages)
    : std::runtime_error(messages.empty() ? "import failed" : messages.front()),
      messages_(messages) {}

namespace onnx_import {
namespace {

enum class Layout { nchw, nhwc, flat };

// A tensor computed by the spec: `ref` is the layer (or the input) that holds it.
struct Act {
  std::string ref;
  Layout layout = Layout::nchw;
  std::vector<int64_t> dims;  // ONNX dims, batch first
  // A flat vector made by flattening an NCHW map with H·W > 1 and C > 1: its
  // ONNX order is C, H, W, modelc's H, W, C. A Gemm on it reorders its rows.
  std::array<int64_t, 3> chw{0, 0, 0};
};

struct Value {
  enum Kind { constant, act, poison } kind = poison;
  Const c;
  Act a;
};

struct SpecLayer {
  std::string comment;
  std::string name, op;
  std::vector<std::string> inputs;
  std::vector<std::pair<std::string, std::string>> attrs;  // YAML text
  std::vector<int64_t> expect;
};

std::string yaml_list(const std::vector<int64_t>& v) {
  return fmt::format("[{}]", fmt::join(v, ", "));
}
std::string yaml_float(double x) { return fmt::format("{}", static_cast<float>(x)); }
// `k` or `[a, b]`, as the spec writes a pair.
std::string yaml_pair(int64_t a, int64_t b) {
  return a == b ? std::to_string(a) : fmt::format("[{}, {}]", a, b);
}

bool near(double a, double b, double tol = 1e-6) {
  return std::abs(a - b) <= tol * std::max(1.0, std::abs(b));
}

// The modelc shape (no batch, channels last) of an act.
std::vector<int64_t> modelc_shape(const Act& a) {
  const auto& d = a.dims;
  if (a.layout == Layout::nchw && d.size() == 4) return {d[2], d[3], d[1]};
  if (a.layout == Layout::nhwc && d.size() == 4) return {d[1], d[2], d[3]};
  return std::vector<int64_t>(d.begin() + 1, d.end());
}

int64_t channels(const Act& a) {
  return a.layout == Layout::nchw && a.dims.size() == 4 ? a.dims[1] : a.dims.back();
}

// The ONNX axis that is modelc's channel (last) axis.
int64_t channel_axis(const Act& a) {
  return a.layout == Layout::nchw && a.dims.size() == 4 ? 1
                                                        : static_cast<int64_t>(a.dims.size()) - 1;
}

// Every op type the lowering (or the constant folder) handles in some form; a
// node of another type is reported even after an earlier problem.
bool known_op(const std::string& op) {
  static const std::set<std::string> ops = {"Add",
                                            "AveragePool",
                                            "BatchNormalization",
                                            "Cast",
                                            "Ceil",
                                            "Clip",
                                            "Concat",
                                            "Constant",
                                            "ConstantOfShape",
                                            "Conv",
                                            "ConvTranspose",
                                            "Div",
                                            "Dropout",
                                            "Elu",
                                            "Erf",
                                            "Flatten",
                                            "Floor",
                                            "Gather",
                                            "Gemm",
                                            "GlobalAveragePool",
                                            "GlobalMaxPool",
                                            "HardSigmoid",
                                            "HardSwish",
                                            "Identity",
                                            "LayerNormalization",
                                            "LeakyRelu",
                                            "MatMul",
                                            "MaxPool",
                                            "Mul",
                                            "Neg",
                                            "Pad",
                                            "Pow",
                                            "Reciprocal",
                                            "ReduceMax",
                                            "ReduceMean",
                                            "Relu",
                                            "Reshape",
                                            "Resize",
                                            "Shape",
                                            "Sigmoid",
                                            "Slice",
                                            "Softmax",
                                            "Split",
                                            "Sqrt",
                                            "Squeeze",
                                            "Sub",
                                            "Tanh",
                                            "Transpose",
                                            "Unsqueeze",
                                            "Upsample"};
  return ops.contains(op);
}

class Lowering {
 public:
  Lowering(const LoadedModel& m, const std::string& dir, const ImportOptions& options)
      : m_(m), g_(m.proto.graph()), dir_(dir), options_(options) {}

  ImportResult run();

 private:
  const LoadedModel& m_;
  const onnx::GraphProto& g_;
  std::string dir_;
  const ImportOptions& options_;

  std::map<std::string, Value> values_;
  std::map<std::string, std::vector<int>> consumers_;
  std::set<std::string> graph_outputs_;
  std::vector<bool> consumed_;
  std::vector<SpecLayer> layers_;
  std::vector<ImportedTensor> weights_;
  std::map<std::string, std::string> metadata_;
  std::set<std::string> used_names_;
  std::vector<std::string> errors_;
  std::string input_name_;
  std::vector<int64_t> input_shape_;

  const onnx::NodeProto& node(int i) const { return g_.node(i); }

  // ---- values ----
  const Value* value(const std::string& name) const {
    auto it = values_.find(name);
    return it == values_.end() ? nullptr : &it->second;
  }
  const Act& act_in(const onnx::NodeProto& n, int k) const {
    const Value* v = k < n.input_size() ? value(n.input(k)) : nullptr;
    if (!v || v->kind != Value::act)
      throw NodeError{fmt::format("input {} must be a computed tensor, not a constant", k + 1)};
    return v->a;
  }
  const Const* const_in(const onnx::NodeProto& n, int k) const {
    if (k >= n.input_size() || n.input(k).empty()) return nullptr;
    const Value* v = value(n.input(k));
    return v && v->kind == Value::constant ? &v->c : nullptr;
  }
  const Const& need_const(const onnx::NodeProto& n, int k, const char* what) const {
    const Const* c = const_in(n, k);
    if (!c)
      throw NodeError{
          fmt::format("its {} (input {}) must be a constant (an initializer)", what, k + 1)};
    return *c;
  }
  bool is_act(const std::string& name) const {
    const Value* v = value(name);
    return v && v->kind == Value::act;
  }
  void set_act(const std::string& name, Act a) {
    values_[name] = Value{Value::act, {}, std::move(a)};
  }
  void set_const(const std::string& name, Const c) {
    values_[name] = Value{Value::constant, std::move(c), {}};
  }

  // The only node reading `value`, when it is not a graph output; else -1.
  int single_consumer(const std::string& v) const {
    if (graph_outputs_.contains(v)) return -1;
    auto it = consumers_.find(v);
    if (it == consumers_.end() || it->second.size() != 1) return -1;
    return it->second[0];
  }
  int consumer_count(const std::string& v) const {
    auto it = consumers_.find(v);
    return it == consumers_.end() ? 0 : static_cast<int>(it->second.size());
  }

  // ---- names and layers ----
  std::string unique(std::string base) {
    if (base.empty()) base = "layer";
    std::string name = base;
    for (int k = 2; used_names_.contains(name); ++k) name = fmt::format("{}_{}", base, k);
    used_names_.insert(name);
    return name;
  }

  // "/features/features.1/features.1.0/block/block.0/Conv" -> "features_1_0_block_0_conv".
  static std::string name_from(const std::string& onnx_name, const std::string& op) {
    std::vector<std::string> parts;
    std::string cur, prev;
    std::vector<std::string> comps;
    for (char ch : onnx_name + "/") {
      if (ch == '/') {
        if (!cur.empty()) comps.push_back(cur);
        cur.clear();
      } else {
        cur += ch;
      }
    }
    if (comps.empty()) comps.push_back(op);
    for (const std::string& c : comps) {
      std::string local = c;
      if (!prev.empty() && c.starts_with(prev + ".")) local = c.substr(prev.size() + 1);
      prev = c;
      parts.push_back(local);
    }
    // "/relu/Relu" -> "relu", "/layer1/layer1.0/conv1/Conv" -> "layer1_0_conv1": the op
    // is dropped when the module's own name already says it.
    if (parts.size() > 1) {
      auto lower = [](std::string t) {
        for (char& ch : t) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
        return t;
      };
      std::string op_base = lower(parts.back());
      op_base = op_base.substr(0, op_base.find('_'));
      if (!op_base.empty() && lower(parts[parts.size() - 2]).starts_with(op_base)) parts.pop_back();
    }
    std::string out;
    for (const std::string& p : parts) {
      if (!out.empty()) out += '_';
      for (char ch : p)
        out += std::isalnum(static_cast<unsigned char>(ch))
                   ? static_cast<char>(std::tolower(static_cast<unsigned char>(ch)))
                   : '_';
    }
    std::string squeezed;
    for (char ch : out)
      if (!(ch == '_' && (squeezed.empty() || squeezed.back() == '_'))) squeezed += ch;
    while (!squeezed.empty() && squeezed.back() == '_') squeezed.pop_back();
    return squeezed;
  }

  // The node's module path with `tail` for its last part: ".../block.4/Div" -> "..._block_4_gelu".
  static std::string renamed(const std::string& onnx_name, const std::string& tail) {
    const std::string base = name_from(onnx_name, tail);
    const size_t pos = base.rfind('_');
    return pos == std::string::npos ? tail : base.substr(0, pos + 1) + tail;
  }

  std::string describe(const onnx::NodeProto& n) const {
    std::vector<std::string> shapes;
    for (const std::string& in : n.input()) {
      if (in.empty()) continue;
      auto it = m_.shapes.find(in);
      shapes.push_back(it == m_.shapes.end() ? "?" : yaml_list(it->second));
    }
    return fmt::format("node '{}' ({}, inputs {})", n.name().empty() ? n.output(0) : n.name(),
                       n.op_type(),
                       shapes.empty() ? "none" : fmt::format("{}", fmt::join(shapes, " ")));
  }

  // Adds a layer computing `out_dims` (ONNX dims) in `layout` from `ins`; returns its act.
  Act emit(const onnx::NodeProto& n, const std::string& op, const std::vector<const Act*>& ins,
           std::vector<std::pair<std::string, std::string>> attrs, Layout layout,
           std::vector<int64_t> out_dims, const std::string& comment_extra = "",
           const std::string& name_hint = "") {
    SpecLayer l;
    l.name = unique(name_hint.empty() ? name_from(n.name(), n.op_type()) : name_hint);
    l.op = op;
    for (const Act* a : ins) l.inputs.push_back(a->ref);
    l.attrs = std::move(attrs);
    l.comment = fmt::format("{} {}{}", n.op_type(), n.name().empty() ? n.output(0) : n.name(),
                            comment_extra);
    Act a;
    a.ref = l.name;
    a.layout = layout;
    a.dims = std::move(out_dims);
    l.expect = modelc_shape(a);
    layers_.push_back(std::move(l));
    return a;
  }

  void add_weight(const std::string& layer, const std::string& w, std::vector<int64_t> shape,
                  std::vector<float> data, const std::string& source, const std::string& to_modelc,
                  const std::string& to_onnx) {
    const std::string name = layer + "." + w;
    metadata_[name] = fmt::format("onnx={}; to_modelc={}; to_onnx={}",
                                  source.empty() ? "(computed)" : source, to_modelc, to_onnx);
    weights_.push_back({name, std::move(shape), std::move(data)});
  }

  static std::vector<float> floats(const Const& c) {
    std::vector<float> f(c.v.size());
    for (size_t i = 0; i < c.v.size(); ++i) f[i] = static_cast<float>(c.v[i]);
    return f;
  }

  // ---- lowering ----
  void lower(int i);
  bool try_patterns(int i);
  bool gelu(int i);
  bool layernorm(int i);
  bool self_gate(int i);
  bool channel_shuffle(int i);
  void conv(const onnx::NodeProto& n);
  void conv_transpose(const onnx::NodeProto& n);
  void pool(const onnx::NodeProto& n, bool max);
  void dense(const onnx::NodeProto& n, const Act& x, const Const& w, bool w_is_out_in, double alpha,
             const Const* bias, double beta, const std::string& comment_extra, int bias_node);
  void elementwise_binary(const onnx::NodeProto& n);
  void resize(const onnx::NodeProto& n);
  void slice_act(const onnx::NodeProto& n, const Act& x, int64_t axis, int64_t begin, int64_t end,
                 const std::string& out, const std::string& suffix);

  std::vector<int64_t> out_dims(const onnx::NodeProto& n, int k = 0) const {
    auto it = m_.shapes.find(n.output(k));
    if (it == m_.shapes.end())
      throw NodeError{"ONNX shape inference gave its output no shape; give --input-shape"};
    for (int64_t d : it->second)
      if (d < 0)
        throw NodeError{fmt::format("its output shape {} is dynamic; give --input-shape",
                                    yaml_list(it->second))};
    return it->second;
  }

  std::string spec_text() const;
};

ImportResult Lowering::run() {
  for (const auto& o : g_.output()) graph_outputs_.insert(o.name());
  for (int i = 0; i < g_.node_size(); ++i)
    for (const std::string& in : node(i).input())
      if (!in.empty()) consumers_[in].push_back(i);
  consumed_.assign(static_cast<size_t>(g_.node_size()), false);
  for (const auto& [name, c] : m_.initializers) set_const(name, c);

  // The one real input.
  for (const auto& in : g_.input()) {
    if (m_.initializers.contains(in.name())) continue;
    const auto& dims = m_.shapes.at(in.name());
    input_name_ = unique(name_from(in.name(), "input"));
    Act a;
    a.ref = input_name_;
    a.dims = dims;
    if (dims.size() == 4) {
      a.layout = Layout::nchw;
    } else if (dims.size() == 2) {
      a.layout = Layout::flat;
    } else {
      throw ImportError(
          {fmt::format("{}: input '{}' has shape {}; modelc imports [N, C, H, W] "
                       "images and [N, F] vectors",
                       m_.label, in.name(), yaml_list(dims))});
    }
    input_shape_ = modelc_shape(a);
    set_act(in.name(), a);
  }

  for (int i = 0; i < g_.node_size(); ++i) {
    if (consumed_[static_cast<size_t>(i)]) continue;
    const auto& n = node(i);
    bool poisoned = false;
    for (const std::string& in : n.input())
      if (!in.empty()) {
        const Value* v = value(in);
        if (!v) {
          errors_.push_back(fmt::format("{}: {}: its input '{}' is not computed by any node",
                                        m_.label, describe(n), in));
          poisoned = true;
        } else if (v->kind == Value::poison) {
          poisoned = true;
        }
      }
    if (!poisoned) {
      try {
        lower(i);
      } catch (const NodeError& e) {
        errors_.push_back(fmt::format("{}: {}: {}", m_.label, describe(n), e.what));
        poisoned = true;
      } catch (const std::exception& e) {  // a malformed node the checks above missed
        errors_.push_back(fmt::format("{}: {}: malformed ({})", m_.label, describe(n), e.what()));
        poisoned = true;
      }
    } else if (!known_op(n.op_type())) {  // after an earlier problem: still worth knowing
      errors_.push_back(fmt::format("{}: {}: modelc has no mapping for ONNX op {}", m_.label,
                                    describe(n), n.op_type()));
    }
    if (poisoned)
      for (const std::string& out : n.output())
        if (!out.empty() && !is_act(out)) values_[out] = Value{};
  }

  // Outputs.
  std::vector<std::string> outputs;
  for (const auto& o : g_.output()) {
    const Value* v = value(o.name());
    if (!v || v->kind == Value::poison) continue;
    if (v->kind == Value::constant) {
      errors_.push_back(fmt::format("{}: output '{}' is a constant; modelc's outputs are computed",
                                    m_.label, o.name()));
      continue;
    }
    if (v->a.ref == input_name_) {
      errors_.push_back(
          fmt::format("{}: output '{}' is the model's input unchanged", m_.label, o.name()));
      continue;
    }
    if (v->a.chw[0] != 0) {
      errors_.push_back(fmt::format(
          "{}: output '{}' is an NCHW map flattened in C, H, W order; modelc's flatten is H, W, "
          "C, so this output's elements would come out in another order",
          m_.label, o.name()));
      continue;
    }
    outputs.push_back(v->a.ref);
  }
  if (!errors_.empty()) {
    std::vector<std::string> all = errors_;
    all.push_back(fmt::format(
        "{}: {} problem{}; modelc imports the ops listed in docs/import.md (Conv, "
        "ConvTranspose, Gemm, MatMul, BatchNormalization, LayerNormalization, pools, "
        "activations, Add, Mul, Concat, Flatten, Reshape, Transpose, Slice, Split, Pad, Resize, "
        "Softmax)",
        m_.label, errors_.size(), errors_.size() == 1 ? "" : "s"));
    throw ImportError(all);
  }

  ImportResult r;
  r.weights = std::move(weights_);
  r.metadata = std::move(metadata_);
  r.metadata["modelc.import.source"] =
      std::filesystem::path(options_.model_path).filename().string();
  r.metadata["modelc.import.format"] =
      "each value: onnx=<initializer>; to_modelc=<numpy expression of x, the ONNX tensor>; "
      "to_onnx=<numpy expression of x, the modelc tensor>";
  std::string spec = spec_text();
  spec += "outputs:\n";
  for (const std::string& o : outputs) {
    const SpecLayer* l = nullptr;
    for (const SpecLayer& s : layers_)
      if (s.name == o) l = &s;
    const bool vector = l && l->expect.size() == 1;
    spec += vector ? fmt::format("  - {{layer: {}}}\n", o)
                   : fmt::format("  - {{layer: {}, loss: mse}}\n", o);
  }
  r.spec = spec;
  return r;
}

std::string Lowering::spec_text() const {
  std::string name = options_.name;
  if (name.empty()) {
    name = name_from(std::filesystem::path(options_.model_path).stem().string(), "model");
    if (name.empty() || std::isdigit(static_cast<unsigned char>(name[0]))) name = "model_" + name;
  }
  std::string producer = m_.proto.producer_name();
  if (!m_.proto.producer_version().empty()) producer += " " + m_.proto.producer_version();
  std::string out = fmt::format(
      "# Imported by `modelc import` from {} (ONNX opset {}{}).\n"
      "# Weights: {} (modelc names, Keras layouts; its __metadata__ maps every\n"
      "# tensor to the ONNX initializer it came from). Each layer's comment names\n"
      "# the ONNX node(s) it came from. The input is NCHW, as in PyTorch; outputs\n"
      "# are channels-last (NHWC) like every modelc output.\n",
      std::filesystem::path(options_.model_path).filename().string(), m_.opset,
      producer.empty() ? "" : ", " + producer,
      options_.weights_label.empty() ? "(not written)" : options_.weights_label);
  out += fmt::format("name: {}\n", name);
  if (input_shape_.size() == 3)
    out += fmt::format("input: {{name: {}, shape: {}, layout: nchw}}\n", input_name_,
                       yaml_list(input_shape_));
  else
    out += fmt::format("input: {{name: {}, shape: {}}}\n", input_name_, yaml_list(input_shape_));
  out += "layers:\n";
  std::string prev = input_name_;
  for (const SpecLayer& l : layers_) {
    out += fmt::format("  # {}\n", l.comment);
    std::string line = fmt::format("  - {{op: {}, name: {}", l.op, l.name);
    if (l.inputs.size() == 1 && l.inputs[0] != prev)
      line += fmt::format(", input: {}", l.inputs[0]);
    else if (l.inputs.size() > 1)
      line += fmt::format(", inputs: [{}]", fmt::join(l.inputs, ", "));
    for (const auto& [k, v] : l.attrs) line += fmt::format(", {}: {}", k, v);
    line += fmt::format(", expect: {}}}\n", yaml_list(l.expect));
    out += line;
    prev = l.name;
  }
  return out;
}

void Lowering::lower(int i) {
  const auto& n = node(i);
  const std::string& op = n.op_type();
  if (!n.domain().empty() && n.domain() != "ai.onnx")
    throw NodeError{
        fmt::format("op domain '{}' is not ONNX's; modelc imports the default domain", n.domain())};
  // Constant subgraphs fold (Shape of a computed tensor is its static shape).
  bool all_const = true;
  std::vector<const Const*> cins;
  for (int k = 0; k < n.input_size(); ++k) {
    if (n.input(k).empty()) {
      cins.push_back(nullptr);
      continue;
    }
    const Value* v = value(n.input(k));
    cins.push_back(v->kind == Value::constant ? &v->c : nullptr);
    if (v->kind != Value::constant) all_const = false;
  }
  if (op == "Shape" && is_act(n.input(0))) {
    const Act& a = act_in(n, 0);
    Const c{{static_cast<int64_t>(a.dims.size())}, {}, true, ""};
    for (int64_t d : a.dims) c.v.push_back(static_cast<double>(d));
    set_const(n.output(0), c);
    return;
  }
  if (all_const) {
    if (auto r = fold(n, cins, dir_)) {
      for (int k = 0; k < n.output_size() && k < static_cast<int>(r->size()); ++k)
        set_const(n.output(k), (*r)[static_cast<size_t>(k)]);
      return;
    }
    if (n.input_size() > 0)
      throw NodeError{
          "a constant subgraph with an op modelc does not fold; export with "
          "do_constant_folding=True"};
  }
  if (try_patterns(i)) return;

  auto same = [&](const std::string& mop,
                  std::vector<std::pair<std::string, std::string>> attrs = {}) {
    const Act& x = act_in(n, 0);
    Act a = emit(n, mop, {&x}, std::move(attrs), x.layout, x.dims);
    a.chw = x.chw;
    set_act(n.output(0), a);
  };
  auto alias = [&](const Act& x) { set_act(n.output(0), x); };

  if (op == "Identity") return alias(act_in(n, 0));
  if (op == "Dropout") {
    if (n.output_size() > 1 && !n.output(1).empty() && consumer_count(n.output(1)) > 0)
      throw NodeError{"its mask output is used; modelc's dropout has none"};
    return alias(act_in(n, 0));
  }
  if (op == "Relu") return same("relu");
  if (op == "Sigmoid") return same("sigmoid");
  if (op == "Tanh") return same("tanh");
  if (op == "HardSwish") return same("hard_swish");
  if (op == "Elu") return same("elu", {{"alpha", yaml_float(attr_float(n, "alpha", 1.0f))}});
  if (op == "LeakyRelu")
    return same("leaky_relu", {{"alpha", yaml_float(attr_float(n, "alpha", 0.01f))}});
  if (op == "HardSigmoid") {
    const float a = attr_float(n, "alpha", 0.2f), b = attr_float(n, "beta", 0.5f);
    if (!near(a, 1.0 / 6.0, 1e-5) || !near(b, 0.5))
      throw NodeError{
          fmt::format("HardSigmoid with alpha {} and beta {}; modelc's hard_sigmoid "
                      "is relu6(x + 3) / 6 (alpha 1/6, beta 0.5, PyTorch's)",
                      a, b)};
    return same("hard_sigmoid");
  }
  if (op == "Clip") {
    double lo = -INFINITY, hi = INFINITY;
    if (m_.opset < 11) {
      lo = attr_float(n, "min", -INFINITY);
      hi = attr_float(n, "max", INFINITY);
    } else {
      if (n.input_size() > 1 && !n.input(1).empty()) lo = need_const(n, 1, "min").v.at(0);
      if (n.input_size() > 2 && !n.input(2).empty()) hi = need_const(n, 2, "max").v.at(0);
    }
    if (lo == 0 && hi == 6) return same("relu6");
    if (lo == 0 && std::isinf(hi)) return same("relu");
    throw NodeError{
        fmt::format("Clip to [{}, {}]; modelc maps Clip(0, 6) to relu6 and Clip(0) to "
                    "relu",
                    lo, hi)};
  }
  if (op == "Softmax") {
    const Act& x = act_in(n, 0);
    const int64_t axis = attr_int(n, "axis", m_.opset >= 13 ? -1 : 1);
    const auto rank = static_cast<int64_t>(x.dims.size());
    const int64_t ax = axis < 0 ? axis + rank : axis;
    if (ax != channel_axis(x) || (m_.opset < 13 && ax != rank - 1))
      throw NodeError{
          fmt::format("Softmax over axis {}; modelc's softmax is over the channels "
                      "(the last axis of a vector)",
                      axis)};
    if (x.chw[0] != 0) throw NodeError{"Softmax over a flattened NCHW map (C, H, W order)"};
    return same("softmax");
  }
  if (op == "BatchNormalization") {
    const Act& x = act_in(n, 0);
    if (channel_axis(x) != 1 && x.layout != Layout::flat)
      throw NodeError{"BatchNormalization on a channels-last (transposed) tensor"};
    if (n.output_size() > 1 && consumer_count(n.output(1)) + consumer_count(n.output(2)) > 0)
      throw NodeError{"training-mode BatchNormalization (its running statistics are used)"};
    if (x.chw[0] != 0) throw NodeError{"BatchNormalization on a flattened NCHW map"};
    const Const& s = need_const(n, 1, "scale");
    const Const& b = need_const(n, 2, "bias");
    const Const& mean = need_const(n, 3, "mean");
    const Const& var = need_const(n, 4, "variance");
    const int64_t c = channels(x);
    for (const Const* t : {&s, &b, &mean, &var})
      if (t->count() != c)
        throw NodeError{fmt::format("a parameter of {} values for {} channels", t->count(), c)};
    Act a = emit(n, "batchnorm", {&x},
                 {{"epsilon", yaml_float(attr_float(n, "epsilon", 1e-5f))},
                  {"momentum", yaml_float(attr_float(n, "momentum", 0.9f))}},
                 x.layout, x.dims);
    add_weight(a.ref, "gamma", {c}, floats(s), s.source, "x", "x");
    add_weight(a.ref, "beta", {c}, floats(b), b.source, "x", "x");
    add_weight(a.ref, "moving_mean", {c}, floats(mean), mean.source, "x", "x");
    add_weight(a.ref, "moving_variance", {c}, floats(var), var.source, "x", "x");
    set_act(n.output(0), a);
    return;
  }
  if (op == "LayerNormalization") {
    const Act& x = act_in(n, 0);
    const auto rank = static_cast<int64_t>(x.dims.size());
    int64_t axis = attr_int(n, "axis", -1);
    if (axis < 0) axis += rank;
    if (axis != rank - 1 || channel_axis(x) != rank - 1)
      throw NodeError{"LayerNormalization over other than the channels (last) axis"};
    const int64_t c = channels(x);
    const Const& s = need_const(n, 1, "scale");
    const Const* b = const_in(n, 2);
    Act a = emit(n, "layernorm", {&x}, {{"epsilon", yaml_float(attr_float(n, "epsilon", 1e-5f))}},
                 x.layout, x.dims);
    add_weight(a.ref, "gamma", {c}, floats(s), s.source, fmt::format("x.reshape({})", c),
               "x.reshape(" + yaml_list(s.dims).substr(1, yaml_list(s.dims).size() - 2) + ")");
    add_weight(a.ref, "beta", {c}, b ? floats(*b) : std::vector<float>(static_cast<size_t>(c), 0.f),
               b ? b->source : "(none: zeros)", "x", "x");
    set_act(n.output(0), a);
    return;
  }
  if (op == "Conv") return conv(n);
  if (op == "ConvTranspose") return conv_transpose(n);
  if (op == "MaxPool") return pool(n, true);
  if (op == "AveragePool") return pool(n, false);
  if (op == "GlobalAveragePool" || op == "GlobalMaxPool") {
    const Act& x = act_in(n, 0);
    if (x.layout != Layout::nchw || x.dims.size() != 4)
      throw NodeError{"a global pool on other than an NCHW map"};
    Act a = emit(n, op == "GlobalAveragePool" ? "global_avgpool" : "global_maxpool", {&x},
                 {{"keepdims", "true"}}, Layout::nchw, {x.dims[0], x.dims[1], 1, 1});
    set_act(n.output(0), a);
    return;
  }
  if (op == "ReduceMean" || op == "ReduceMax") {
    const Act& x = act_in(n, 0);
    std::vector<int64_t> axes;
    if (auto a = attr_ints(n, "axes"))
      axes = *a;
    else if (const Const* c = const_in(n, 1))
      for (double v : c->v) axes.push_back(static_cast<int64_t>(v));
    const auto rank = static_cast<int64_t>(x.dims.size());
    for (int64_t& a : axes) a = a < 0 ? a + rank : a;
    std::sort(axes.begin(), axes.end());
    const std::vector<int64_t> hw =
        x.layout == Layout::nchw ? std::vector<int64_t>{2, 3} : std::vector<int64_t>{1, 2};
    if (rank != 4 || axes != hw)
      throw NodeError{
          fmt::format("{} over axes {}; modelc maps a mean or max over H and W (a "
                      "global pool)",
                      op, yaml_list(axes))};
    const bool keep = attr_int(n, "keepdims", 1) != 0;
    std::vector<int64_t> od = out_dims(n);
    Act a = emit(n, op == "ReduceMean" ? "global_avgpool" : "global_maxpool", {&x},
                 {{"keepdims", keep ? "true" : "false"}}, keep ? x.layout : Layout::flat, od);
    set_act(n.output(0), a);
    return;
  }
  if (op == "Flatten" || op == "Reshape" || op == "Squeeze" || op == "Unsqueeze") {
    const Act& x = act_in(n, 0);
    const std::vector<int64_t> od = out_dims(n);
    if (od == x.dims) return alias(x);
    const bool to_flat = od.size() == 2 && od[0] == x.dims[0];
    if (to_flat && x.layout == Layout::flat) return alias(x);
    if (to_flat && x.dims.size() == 4) {
      const auto ms = modelc_shape(x);
      Act a = emit(n, "flatten", {&x}, {}, Layout::flat, od);
      if (x.layout == Layout::nchw && ms[0] * ms[1] > 1 && ms[2] > 1) a.chw = {ms[2], ms[0], ms[1]};
      set_act(n.output(0), a);
      return;
    }
    if (x.layout == Layout::flat && od.size() == 4 && od[0] == x.dims[0] && od[2] == 1 &&
        od[3] == 1 && x.chw[0] == 0) {
      Act a = emit(n, "reshape", {&x}, {{"shape", yaml_list({1, 1, od[1]})}}, Layout::nchw, od);
      set_act(n.output(0), a);
      return;
    }
    throw NodeError{
        fmt::format("{} from {} to {}; modelc maps reshapes that flatten a map, or "
                    "ShuffleNet's channel shuffle",
                    op, yaml_list(x.dims), yaml_list(od))};
  }
  if (op == "Transpose") {
    const Act& x = act_in(n, 0);
    const auto perm = attr_ints(n, "perm").value_or(std::vector<int64_t>{});
    if (x.dims.size() == 4 && x.layout == Layout::nchw &&
        perm == std::vector<int64_t>{0, 2, 3, 1}) {
      Act a = x;
      a.layout = Layout::nhwc;
      a.dims = {x.dims[0], x.dims[2], x.dims[3], x.dims[1]};
      return alias(a);
    }
    if (x.dims.size() == 4 && x.layout == Layout::nhwc &&
        perm == std::vector<int64_t>{0, 3, 1, 2}) {
      Act a = x;
      a.layout = Layout::nchw;
      a.dims = {x.dims[0], x.dims[3], x.dims[1], x.dims[2]};
      return alias(a);
    }
    throw NodeError{
        fmt::format("Transpose with perm {}; modelc maps NCHW <-> NHWC permutes "
                    "(0,2,3,1 and 0,3,1,2) and ShuffleNet's channel shuffle",
                    yaml_list(perm))};
  }
  if (op == "Concat") {
    std::vector<const Act*> ins;
    for (int k = 0; k < n.input_size(); ++k) ins.push_back(&act_in(n, k));
    if (ins.size() == 1) return alias(*ins[0]);
    const Act& x = *ins[0];
    const auto rank = static_cast<int64_t>(x.dims.size());
    int64_t axis = attr_int(n, "axis", 1);
    if (axis < 0) axis += rank;
    for (const Act* a : ins)
      if (a->layout != x.layout || a->chw[0] != 0)
        throw NodeError{"Concat of tensors in different layouts"};
    if (axis != channel_axis(x))
      throw NodeError{fmt::format("Concat on axis {}; modelc concatenates channels", axis)};
    set_act(n.output(0), emit(n, "concat", ins, {}, x.layout, out_dims(n)));
    return;
  }
  if (op == "Add" || op == "Mul" || op == "Div" || op == "Sub") return elementwise_binary(n);
  if (op == "Gemm") {
    const Act& x = act_in(n, 0);
    if (attr_int(n, "transA", 0) != 0) throw NodeError{"Gemm with transA = 1"};
    const Const& w = need_const(n, 1, "B");
    return dense(n, x, w, attr_int(n, "transB", 0) != 0, attr_float(n, "alpha", 1.0f),
                 const_in(n, 2), attr_float(n, "beta", 1.0f), "", -1);
  }
  if (op == "MatMul") {
    const Act& x = act_in(n, 0);
    const Const& w = need_const(n, 1, "weight");
    // A following Add of a constant vector is the bias.
    const int j = single_consumer(n.output(0));
    if (j >= 0 && node(j).op_type() == "Add") {
      const auto& add = node(j);
      const int other = add.input(0) == n.output(0) ? 1 : 0;
      const Const* b = const_in(add, other);
      if (b && w.dims.size() == 2 && b->count() == w.dims[1]) {
        consumed_[static_cast<size_t>(j)] = true;
        dense(n, x, w, false, 1.0, b, 1.0, " + Add " + add.name(), j);
        return;
      }
    }
    return dense(n, x, w, false, 1.0, nullptr, 1.0, "", -1);
  }
  if (op == "Pad") {
    const Act& x = act_in(n, 0);
    const std::string mode = attr_string(n, "mode", "constant");
    if (mode != "constant")
      throw NodeError{fmt::format("Pad mode '{}'; modelc pads with zeros", mode)};
    std::vector<int64_t> pads;
    double value = 0;
    if (m_.opset < 11) {
      pads = attr_ints(n, "pads").value_or(std::vector<int64_t>{});
      value = attr_float(n, "value", 0.0f);
    } else {
      for (double v : need_const(n, 1, "pads").v) pads.push_back(static_cast<int64_t>(v));
      if (const Const* c = const_in(n, 2)) value = c->v.empty() ? 0 : c->v[0];
    }
    if (value != 0)
      throw NodeError{fmt::format("Pad with value {}; modelc pads with zeros", value)};
    if (x.layout != Layout::nchw || pads.size() != 8)
      throw NodeError{"Pad of other than an NCHW map"};
    if (pads[0] || pads[1] || pads[4] || pads[5])
      throw NodeError{"Pad of the batch or channel axis"};
    if (*std::min_element(pads.begin(), pads.end()) < 0) throw NodeError{"Pad with negative pads"};
    if (std::all_of(pads.begin(), pads.end(), [](int64_t p) { return p == 0; })) return alias(x);
    set_act(n.output(0),
            emit(n, "zeropad", {&x}, {{"padding", yaml_list({pads[2], pads[6], pads[3], pads[7]})}},
                 Layout::nchw, out_dims(n)));
    return;
  }
  if (op == "Resize" || op == "Upsample") return resize(n);
  if (op == "Slice") {
    const Act& x = act_in(n, 0);
    std::vector<int64_t> starts, ends, axes, steps;
    auto ints_of = [](const Const& c) {
      std::vector<int64_t> r;
      for (double v : c.v) r.push_back(v >= 9.2e18 ? INT64_MAX : static_cast<int64_t>(v));
      return r;
    };
    if (m_.opset < 10) {
      starts = attr_ints(n, "starts").value_or(starts);
      ends = attr_ints(n, "ends").value_or(ends);
      axes = attr_ints(n, "axes").value_or(axes);
    } else {
      starts = ints_of(need_const(n, 1, "starts"));
      ends = ints_of(need_const(n, 2, "ends"));
      if (const Const* c = const_in(n, 3)) axes = ints_of(*c);
      if (const Const* c = const_in(n, 4)) steps = ints_of(*c);
    }
    if (axes.empty())
      for (size_t k = 0; k < starts.size(); ++k) axes.push_back(static_cast<int64_t>(k));
    if (starts.size() != 1 || ends.size() != 1 || axes.size() != 1)
      throw NodeError{"Slice on several axes; modelc slices channels"};
    if (!steps.empty() && steps[0] != 1) throw NodeError{"Slice with a step other than 1"};
    const auto rank = static_cast<int64_t>(x.dims.size());
    const int64_t axis = axes[0] < 0 ? axes[0] + rank : axes[0];
    if (axis != channel_axis(x) || x.chw[0] != 0)
      throw NodeError{fmt::format("Slice on axis {}; modelc slices channels", axes[0])};
    const int64_t len = x.dims[static_cast<size_t>(axis)];
    int64_t s = starts[0] < 0 ? starts[0] + len : starts[0];
    int64_t e = ends[0] < 0 ? ends[0] + len : std::min(ends[0], len);
    s = std::clamp<int64_t>(s, 0, len);
    e = std::clamp<int64_t>(e, 0, len);
    slice_act(n, x, axis, s, e, n.output(0), "");
    return;
  }
  if (op == "Split") {
    const Act& x = act_in(n, 0);
    const auto rank = static_cast<int64_t>(x.dims.size());
    int64_t axis = attr_int(n, "axis", 0);
    if (axis < 0) axis += rank;
    if (axis != channel_axis(x)) throw NodeError{fmt::format("Split on axis {}", axis)};
    std::vector<int64_t> split;
    if (auto a = attr_ints(n, "split"))
      split = *a;
    else if (const Const* c = const_in(n, 1))
      for (double v : c->v) split.push_back(static_cast<int64_t>(v));
    const int64_t len = x.dims[static_cast<size_t>(axis)];
    if (split.empty())
      split.assign(static_cast<size_t>(n.output_size()), len / std::max(1, n.output_size()));
    int64_t at = 0;
    for (int k = 0; k < n.output_size(); ++k) {
      const int64_t sz = split.at(static_cast<size_t>(k));
      slice_act(n, x, axis, at, at + sz, n.output(k), fmt::format("_{}", k));
      at += sz;
    }
    if (at != len) throw NodeError{"Split sizes that do not add up to the axis"};
    return;
  }
  throw NodeError{fmt::format("modelc has no mapping for ONNX op {}", op)};
}

void Lowering::slice_act(const onnx::NodeProto& n, const Act& x, int64_t axis, int64_t begin,
                         int64_t end, const std::string& out, const std::string& suffix) {
  if (end <= begin) throw NodeError{"an empty Slice"};
  std::vector<int64_t> od = x.dims;
  od[static_cast<size_t>(axis)] = end - begin;
  Act a = emit(n, "slice", {&x},
               {{"begin", std::to_string(begin)}, {"size", std::to_string(end - begin)}}, x.layout,
               od, "", name_from(n.name(), n.op_type()) + suffix);
  set_act(out, a);
}

void Lowering::elementwise_binary(const onnx::NodeProto& n) {
  const std::string& op = n.op_type();
  const bool a0 = is_act(n.input(0)), a1 = is_act(n.input(1));
  if (a0 && a1) {
    if (op != "Add" && op != "Mul")
      throw NodeError{fmt::format("{} of two computed tensors; modelc has add and multiply", op)};
    const Act& x = act_in(n, 0);
    const Act& y = act_in(n, 1);
    if (x.layout != y.layout && !(x.dims.size() == 4 && y.dims.size() == 4))
      throw NodeError{"operands in different layouts"};
    if (x.chw[0] != 0 || y.chw[0] != 0) throw NodeError{"an operand is a flattened NCHW map"};
    // Broadcast over H and W only ([N, C, 1, 1] with [N, C, H, W]).
    const std::vector<int64_t> od = out_dims(n);
    for (const Act* a : {&x, &y})
      if (a->dims != od && !(a->dims.size() == 4 && channels(*a) == channels(x) &&
                             modelc_shape(*a)[0] == 1 && modelc_shape(*a)[1] == 1))
        throw NodeError{
            fmt::format("{} broadcasting {} to {}; modelc broadcasts [N, C, 1, 1] "
                        "over H and W only",
                        op, yaml_list(a->dims), yaml_list(od))};
    const Act& big = x.dims == od ? x : y;
    set_act(n.output(0), emit(n, op == "Add" ? "add" : "multiply", {&x, &y}, {}, big.layout, od));
    return;
  }
  const Act& x = a0 ? act_in(n, 0) : act_in(n, 1);
  const Const& c = a0 ? need_const(n, 1, "operand") : need_const(n, 0, "operand");
  if ((op == "Sub" || op == "Div") && !a0)
    throw NodeError{fmt::format("{} of a constant by a computed tensor", op)};
  const bool all = std::all_of(c.v.begin(), c.v.end(), [&](double v) { return v == c.v[0]; });
  const double neutral = (op == "Add" || op == "Sub") ? 0.0 : 1.0;
  if (!c.v.empty() && all && c.v[0] == neutral && c.count() <= 1) {
    set_act(n.output(0), x);
    return;
  }
  if (op == "Mul" || op == "Div") {
    // A per-channel (or scalar) factor: modelc's scale op, its gamma the constant.
    const int64_t ch = channels(x);
    const bool scalar = c.count() == 1;
    const bool per_channel =
        c.count() == ch &&
        (x.layout == Layout::nchw ? (c.dims.size() >= 3 && c.dims[c.dims.size() - 3] == ch)
                                  : c.dims.back() == ch);
    if ((scalar || per_channel) && x.chw[0] == 0) {
      std::vector<float> gamma(static_cast<size_t>(ch));
      for (int64_t k = 0; k < ch; ++k) {
        const double v = c.v[scalar ? 0 : static_cast<size_t>(k)];
        gamma[static_cast<size_t>(k)] = static_cast<float>(op == "Mul" ? v : 1.0 / v);
      }
      Act a = emit(n, "scale", {&x}, {}, x.layout, x.dims);
      const std::string dims = fmt::format("{}", fmt::join(c.dims, ", "));
      add_weight(a.ref, "gamma", {ch}, std::move(gamma), c.source,
                 fmt::format("{}np.broadcast_to(x, ({})).reshape({})", op == "Div" ? "1 / " : "",
                             scalar ? std::to_string(ch) : dims, ch),
                 scalar ? fmt::format("{}x[:1].reshape({})", op == "Div" ? "1 / " : "", dims)
                        : fmt::format("{}x.reshape({})", op == "Div" ? "1 / " : "", dims));
      set_act(n.output(0), a);
      return;
    }
  }
  throw NodeError{
      fmt::format("{} of a computed tensor and a constant of shape {}; modelc maps a "
                  "per-channel or scalar Mul/Div (its scale op), and a bias Add after "
                  "MatMul",
                  op, yaml_list(c.dims))};
}

void Lowering::dense(const onnx::NodeProto& n, const Act& x, const Const& w, bool w_is_out_in,
                     double alpha, const Const* bias, double beta, const std::string& extra,
                     int bias_node) {
  if (w.dims.size() != 2) throw NodeError{fmt::format("a weight of shape {}", yaml_list(w.dims))};
  if (x.layout == Layout::nchw && x.dims.size() == 4)
    throw NodeError{"a matrix product over the W axis of an NCHW map"};
  const int64_t in = w_is_out_in ? w.dims[1] : w.dims[0];
  const int64_t out = w_is_out_in ? w.dims[0] : w.dims[1];
  if (channels(x) != in)
    throw NodeError{fmt::format("a weight for {} inputs on a tensor of {}", in, channels(x))};
  std::vector<int64_t> od = x.dims;
  od.back() = out;
  Act a = emit(n, "dense", {&x},
               {{"units", std::to_string(out)}, {"use_bias", bias ? "true" : "false"}},
               x.layout == Layout::flat ? Layout::flat : x.layout, od, extra);
  // kernel [in, out], rows in modelc's element order.
  std::vector<float> k(static_cast<size_t>(in * out));
  const auto [C, H, W] = x.chw;
  for (int64_t r = 0; r < in; ++r) {
    // modelc row r is ONNX row src.
    int64_t src = r;
    if (C != 0) {
      const int64_t c = r % C, hw = r / C;
      src = c * H * W + hw;
    }
    for (int64_t o = 0; o < out; ++o)
      k[static_cast<size_t>(r * out + o)] = static_cast<float>(
          alpha * w.v[static_cast<size_t>(w_is_out_in ? o * in + src : src * out + o)]);
  }
  std::string to_modelc = w_is_out_in ? "x.T" : "x";
  std::string to_onnx = w_is_out_in ? "x.T" : "x";
  if (C != 0) {
    to_modelc = fmt::format("{}.reshape({}, {}, {}, {}).transpose(1, 2, 0, 3).reshape({}, {})",
                            to_modelc, C, H, W, out, in, out);
    to_onnx = fmt::format("x.reshape({}, {}, {}, {}).transpose(2, 0, 1, 3).reshape({}, {}){}", H, W,
                          C, out, in, out, w_is_out_in ? ".T" : "");
  }
  if (alpha != 1.0) {
    to_modelc = fmt::format("({}) * {}", to_modelc, alpha);
    to_onnx = fmt::format("({}) / {}", to_onnx, alpha);
  }
  add_weight(a.ref, "kernel", {in, out}, std::move(k), w.source, to_modelc, to_onnx);
  if (bias) {
    if (bias->count() != out && bias->count() != 1)
      throw NodeError{fmt::format("a bias of shape {} for {} outputs", yaml_list(bias->dims), out)};
    std::vector<float> b(static_cast<size_t>(out));
    for (int64_t o = 0; o < out; ++o)
      b[static_cast<size_t>(o)] =
          static_cast<float>(beta * bias->v[bias->count() == 1 ? 0 : static_cast<size_t>(o)]);
    add_weight(a.ref, "bias", {out}, std::move(b), bias->source,
               beta != 1.0 ? fmt::format("x.reshape({}) * {}", out, beta)
                           : fmt::format("x.reshape({})", out),
               beta != 1.0 ? fmt::format("x.reshape({}) / {}", yaml_list(bias->dims), beta)
                           : fmt::format("x.reshape({})", fmt::join(bias->dims, ", ")));
  }
  set_act(bias_node >= 0 ? node(bias_node).output(0) : n.output(0), a);
}

// ONNX pads [top, left, bottom, right] (begins then ends).
struct Pads {
  int64_t t = 0, l = 0, b = 0, r = 0;
  bool zero() const { return !t && !l && !b && !r; }
  bool symmetric() const { return t == b && l == r; }
};

Pads read_pads(const onnx::NodeProto& n, const std::vector<int64_t>& in_hw,
               const std::vector<int64_t>& k, const std::vector<int64_t>& s,
               const std::vector<int64_t>& d) {
  Pads p;
  const std::string auto_pad = attr_string(n, "auto_pad", "NOTSET");
  if (auto_pad == "NOTSET" || auto_pad.empty()) {
    const auto pads = attr_ints(n, "pads").value_or(std::vector<int64_t>{0, 0, 0, 0});
    if (pads.size() != 4) throw NodeError{"pads of other than 4 values (a 2-D op)"};
    p = {pads[0], pads[1], pads[2], pads[3]};
  } else if (auto_pad == "VALID") {
  } else if (auto_pad == "SAME_UPPER" || auto_pad == "SAME_LOWER") {
    int64_t tot[2];
    for (int a = 0; a < 2; ++a) {
      const int64_t out = (in_hw[a] + s[a] - 1) / s[a];
      tot[a] = std::max<int64_t>(0, (out - 1) * s[a] + (k[a] - 1) * d[a] + 1 - in_hw[a]);
    }
    const bool upper = auto_pad == "SAME_UPPER";
    p.t = upper ? tot[0] / 2 : tot[0] - tot[0] / 2;
    p.b = tot[0] - p.t;
    p.l = upper ? tot[1] / 2 : tot[1] - tot[1] / 2;
    p.r = tot[1] - p.l;
  } else {
    throw NodeError{fmt::format("auto_pad '{}'", auto_pad)};
  }
  if (std::min({p.t, p.l, p.b, p.r}) < 0) throw NodeError{"negative pads"};
  return p;
}

void Lowering::conv(const onnx::NodeProto& n) {
  const Act& x0 = act_in(n, 0);
  if (x0.layout != Layout::nchw || x0.dims.size() != 4)
    throw NodeError{"Conv on other than an NCHW 2-D map (modelc has 2-D convolutions)"};
  const Const& w = need_const(n, 1, "weight");
  const Const* b = const_in(n, 2);
  if (n.input_size() > 2 && !n.input(2).empty() && !b) need_const(n, 2, "bias");
  if (w.dims.size() != 4) throw NodeError{"a Conv weight of other than 4 dimensions"};
  const int64_t cout = w.dims[0], cin_g = w.dims[1], kh = w.dims[2], kw = w.dims[3];
  const int64_t cin = x0.dims[1];
  const int64_t groups = attr_int(n, "group", 1);
  if (groups < 1 || cin % groups || cout % groups || cin / groups != cin_g)
    throw NodeError{fmt::format("group {} with {} input channels and a weight {}", groups, cin,
                                yaml_list(w.dims))};
  const auto s = attr_ints(n, "strides").value_or(std::vector<int64_t>{1, 1});
  const auto d = attr_ints(n, "dilations").value_or(std::vector<int64_t>{1, 1});
  if (s.size() != 2 || d.size() != 2)
    throw NodeError{"strides or dilations of other than 2 values"};
  const Pads p = read_pads(n, {x0.dims[2], x0.dims[3]}, {kh, kw}, s, d);
  const std::string base = name_from(n.name(), n.op_type());
  const Act* x = &x0;
  Act padded;
  std::string padding = p.zero() ? "" : yaml_pair(p.t, p.l);
  if (!p.symmetric()) {
    padded = emit(n, "zeropad", {&x0}, {{"padding", yaml_list({p.t, p.b, p.l, p.r})}}, Layout::nchw,
                  {x0.dims[0], cin, x0.dims[2] + p.t + p.b, x0.dims[3] + p.l + p.r},
                  " (its asymmetric pads)", base + "_pad");
    x = &padded;
    padding.clear();
  }
  std::vector<std::pair<std::string, std::string>> attrs;
  const bool depthwise = groups == cin && cin > 1;
  if (!depthwise) attrs.emplace_back("filters", std::to_string(cout));
  attrs.emplace_back("kernel", yaml_pair(kh, kw));
  if (s[0] != 1 || s[1] != 1) attrs.emplace_back("stride", yaml_pair(s[0], s[1]));
  if (!padding.empty()) attrs.emplace_back("padding", padding);
  if (d[0] != 1 || d[1] != 1) attrs.emplace_back("dilation", yaml_pair(d[0], d[1]));
  if (groups != 1 && !depthwise) attrs.emplace_back("groups", std::to_string(groups));
  if (depthwise && cout != cin) attrs.emplace_back("depth_multiplier", std::to_string(cout / cin));
  if (!b) attrs.emplace_back("use_bias", "false");
  Act a = emit(n, depthwise ? "depthwise_conv2d" : "conv2d", {x}, attrs, Layout::nchw, out_dims(n),
               "", base);
  std::vector<float> k(static_cast<size_t>(w.count()));
  if (depthwise) {
    const int64_t dm = cout / cin;
    // depthwise_kernel [kh, kw, cin, dm] from [cin * dm, 1, kh, kw].
    for (int64_t c = 0; c < cin; ++c)
      for (int64_t j = 0; j < dm; ++j)
        for (int64_t i = 0; i < kh; ++i)
          for (int64_t q = 0; q < kw; ++q)
            k[static_cast<size_t>(((i * kw + q) * cin + c) * dm + j)] =
                static_cast<float>(w.v[static_cast<size_t>(((c * dm + j) * kh + i) * kw + q)]);
    add_weight(a.ref, "depthwise_kernel", {kh, kw, cin, dm}, std::move(k), w.source,
               fmt::format("x.reshape({}, {}, {}, {}).transpose(2, 3, 0, 1)", cin, dm, kh, kw),
               fmt::format("x.transpose(2, 3, 0, 1).reshape({}, 1, {}, {})", cout, kh, kw));
  } else {
    // kernel [kh, kw, cin/groups, cout] from OIHW.
    for (int64_t o = 0; o < cout; ++o)
      for (int64_t c = 0; c < cin_g; ++c)
        for (int64_t i = 0; i < kh; ++i)
          for (int64_t q = 0; q < kw; ++q)
            k[static_cast<size_t>(((i * kw + q) * cin_g + c) * cout + o)] =
                static_cast<float>(w.v[static_cast<size_t>(((o * cin_g + c) * kh + i) * kw + q)]);
    add_weight(a.ref, "kernel", {kh, kw, cin_g, cout}, std::move(k), w.source,
               "x.transpose(2, 3, 1, 0)", "x.transpose(3, 2, 0, 1)");
  }
  if (b) {
    if (b->count() != cout) throw NodeError{"a bias of the wrong size"};
    add_weight(a.ref, "bias", {cout}, floats(*b), b->source, "x", "x");
  }
  set_act(n.output(0), a);
}

void Lowering::conv_transpose(const onnx::NodeProto& n) {
  const Act& x = act_in(n, 0);
  if (x.layout != Layout::nchw || x.dims.size() != 4)
    throw NodeError{"ConvTranspose on other than an NCHW 2-D map"};
  const Const& w = need_const(n, 1, "weight");
  const Const* b = const_in(n, 2);
  if (w.dims.size() != 4) throw NodeError{"a weight of other than 4 dimensions"};
  if (attr_int(n, "group", 1) != 1)
    throw NodeError{"a grouped ConvTranspose (modelc's has no groups)"};
  const auto d = attr_ints(n, "dilations").value_or(std::vector<int64_t>{1, 1});
  if (d != std::vector<int64_t>{1, 1}) throw NodeError{"a dilated ConvTranspose"};
  const int64_t cin = w.dims[0], cout = w.dims[1], kh = w.dims[2], kw = w.dims[3];
  if (cin != x.dims[1]) throw NodeError{"a weight for another number of input channels"};
  const auto s = attr_ints(n, "strides").value_or(std::vector<int64_t>{1, 1});
  const auto op = attr_ints(n, "output_padding").value_or(std::vector<int64_t>{0, 0});
  const std::string auto_pad = attr_string(n, "auto_pad", "NOTSET");
  if (auto_pad != "NOTSET" && !auto_pad.empty())
    throw NodeError{fmt::format("ConvTranspose with auto_pad '{}'", auto_pad)};
  const auto pads = attr_ints(n, "pads").value_or(std::vector<int64_t>{0, 0, 0, 0});
  if (pads.size() != 4 || pads[0] != pads[2] || pads[1] != pads[3])
    throw NodeError{fmt::format("ConvTranspose pads {}; modelc's are symmetric", yaml_list(pads))};
  const std::vector<int64_t> od = out_dims(n);
  const int64_t want_h = (x.dims[2] - 1) * s[0] + kh - 2 * pads[0] + op[0];
  const int64_t want_w = (x.dims[3] - 1) * s[1] + kw - 2 * pads[1] + op[1];
  if (od[2] != want_h || od[3] != want_w)
    throw NodeError{"an output_shape modelc cannot reproduce with its padding rule"};
  std::vector<std::pair<std::string, std::string>> attrs = {{"filters", std::to_string(cout)},
                                                            {"kernel", yaml_pair(kh, kw)}};
  if (s[0] != 1 || s[1] != 1) attrs.emplace_back("stride", yaml_pair(s[0], s[1]));
  attrs.emplace_back("padding", yaml_pair(pads[0], pads[1]));
  if (op[0] || op[1]) attrs.emplace_back("output_padding", yaml_pair(op[0], op[1]));
  if (!b) attrs.emplace_back("use_bias", "false");
  Act a = emit(n, "conv2d_transpose", {&x}, attrs, Layout::nchw, od);
  // kernel [kh, kw, cout, cin] from [cin, cout, kh, kw].
  std::vector<float> k(static_cast<size_t>(w.count()));
  for (int64_t c = 0; c < cin; ++c)
    for (int64_t o = 0; o < cout; ++o)
      for (int64_t i = 0; i < kh; ++i)
        for (int64_t q = 0; q < kw; ++q)
          k[static_cast<size_t>(((i * kw + q) * cout + o) * cin + c)] =
              static_cast<float>(w.v[static_cast<size_t>(((c * cout + o) * kh + i) * kw + q)]);
  add_weight(a.ref, "kernel", {kh, kw, cout, cin}, std::move(k), w.source,
             "x.transpose(2, 3, 1, 0)", "x.transpose(3, 2, 0, 1)");
  if (b) add_weight(a.ref, "bias", {cout}, floats(*b), b->source, "x", "x");
  set_act(n.output(0), a);
}

void Lowering::pool(const onnx::NodeProto& n, bool max) {
  const Act& x = act_in(n, 0);
  if (x.layout != Layout::nchw || x.dims.size() != 4)
    throw NodeError{"a pool on other than an NCHW map"};
  if (max && n.output_size() > 1 && consumer_count(n.output(1)) > 0)
    throw NodeError{"MaxPool's indices output is used"};
  const auto k = attr_ints(n, "kernel_shape").value_or(std::vector<int64_t>{});
  if (k.size() != 2) throw NodeError{"a pool of other than 2-D kernel_shape"};
  const auto s = attr_ints(n, "strides").value_or(std::vector<int64_t>{1, 1});
  const auto d = attr_ints(n, "dilations").value_or(std::vector<int64_t>{1, 1});
  if (d != std::vector<int64_t>{1, 1}) throw NodeError{"a dilated pool"};
  if (max && attr_int(n, "storage_order", 0) != 0) throw NodeError{"storage_order 1"};
  const Pads p = read_pads(n, {x.dims[2], x.dims[3]}, k, s, d);
  std::vector<std::pair<std::string, std::string>> attrs = {{"pool", yaml_pair(k[0], k[1])},
                                                            {"stride", yaml_pair(s[0], s[1])}};
  if (!p.zero()) attrs.emplace_back("padding", yaml_list({p.t, p.b, p.l, p.r}));
  if (attr_int(n, "ceil_mode", 0) != 0) attrs.emplace_back("ceil", "true");
  if (!max && attr_int(n, "count_include_pad", 0) != 0 && !p.zero())
    attrs.emplace_back("count_padding", "true");
  set_act(n.output(0),
          emit(n, max ? "maxpool" : "avgpool", {&x}, attrs, Layout::nchw, out_dims(n)));
}

void Lowering::resize(const onnx::NodeProto& n) {
  const Act& x = act_in(n, 0);
  if (x.layout != Layout::nchw || x.dims.size() != 4)
    throw NodeError{"Resize of other than an NCHW map"};
  const std::vector<int64_t> od = out_dims(n);
  if (od[0] != x.dims[0] || od[1] != x.dims[1]) throw NodeError{"Resize of the batch or channels"};
  if (od[2] % x.dims[2] || od[3] % x.dims[3])
    throw NodeError{fmt::format("Resize from {}x{} to {}x{}; modelc upsamples by integer factors",
                                x.dims[2], x.dims[3], od[2], od[3])};
  const int64_t sh = od[2] / x.dims[2], sw = od[3] / x.dims[3];
  const std::string mode = attr_string(n, "mode", "nearest");
  const std::string ctm = n.op_type() == "Upsample"
                              ? "asymmetric"
                              : attr_string(n, "coordinate_transformation_mode", "half_pixel");
  std::string interp;
  if (mode == "nearest") {
    const std::string nm = attr_string(n, "nearest_mode", "round_prefer_floor");
    if (!(ctm == "asymmetric" && (nm == "floor" || n.op_type() == "Upsample")))
      throw NodeError{
          fmt::format("nearest Resize with coordinate_transformation_mode '{}' and "
                      "nearest_mode '{}'; modelc's nearest is asymmetric + floor "
                      "(PyTorch's)",
                      ctm, nm)};
    interp = "nearest";
  } else if (mode == "linear" || mode == "bilinear") {
    if (ctm != "half_pixel" && ctm != "pytorch_half_pixel")
      throw NodeError{
          fmt::format("linear Resize with coordinate_transformation_mode '{}'; modelc's "
                      "bilinear is half_pixel (align_corners=False)",
                      ctm)};
    interp = "bilinear";
  } else {
    throw NodeError{fmt::format("Resize mode '{}'; modelc has nearest and bilinear", mode)};
  }
  std::vector<std::pair<std::string, std::string>> attrs = {{"size", yaml_pair(sh, sw)}};
  if (interp != "nearest") attrs.emplace_back("interpolation", interp);
  set_act(n.output(0), emit(n, "upsample", {&x}, attrs, Layout::nchw, od));
}

// ---- patterns ----

bool Lowering::try_patterns(int i) {
  const std::string& op = node(i).op_type();
  if (op == "Div" || op == "Mul") return gelu(i);
  if (op == "ReduceMean") return layernorm(i);
  if (op == "Sigmoid" || op == "HardSigmoid") return self_gate(i);
  if (op == "Reshape") return channel_shuffle(i);
  return false;
}

// x / sqrt(2) -> Erf -> + 1 -> * x -> * 0.5 (any order of the two products): gelu.
bool Lowering::gelu(int i) {
  const auto& n = node(i);
  if (!is_act(n.input(0)) || n.input_size() != 2) return false;
  const Const* c = const_in(n, 1);
  if (!c || c->count() != 1) return false;
  if (!(n.op_type() == "Div" ? near(c->v[0], std::sqrt(2.0), 1e-5)
                             : near(c->v[0], 1 / std::sqrt(2.0), 1e-5)))
    return false;
  const std::string& x = n.input(0);
  const int erf = single_consumer(n.output(0));
  if (erf < 0 || node(erf).op_type() != "Erf") return false;
  const int add = single_consumer(node(erf).output(0));
  if (add < 0 || node(add).op_type() != "Add") return false;
  {
    const auto& a = node(add);
    const int other = a.input(0) == node(erf).output(0) ? 1 : 0;
    const Const* one = const_in(a, other);
    if (!one || one->count() != 1 || one->v[0] != 1.0) return false;
  }
  std::string cur = node(add).output(0);
  bool need_x = true, need_half = true;
  std::vector<int> chain = {erf, add};
  for (int step = 0; step < 2; ++step) {
    const int m = single_consumer(cur);
    if (m < 0 || node(m).op_type() != "Mul") return false;
    const auto& mn = node(m);
    const std::string& other = mn.input(0) == cur ? mn.input(1) : mn.input(0);
    if (other == x && need_x) {
      need_x = false;
    } else if (const Value* v = value(other); v && v->kind == Value::constant &&
                                              v->c.count() == 1 && v->c.v[0] == 0.5 && need_half) {
      need_half = false;
    } else {
      return false;
    }
    chain.push_back(m);
    cur = mn.output(0);
  }
  const Act& xa = act_in(n, 0);
  Act a = emit(n, "gelu", {&xa}, {}, xa.layout, xa.dims, " + Erf, Add, Mul, Mul (erf GELU)",
               renamed(n.name(), "gelu"));
  a.chw = xa.chw;
  for (int k : chain) consumed_[static_cast<size_t>(k)] = true;
  set_act(cur, a);
  return true;
}

// ReduceMean -> Sub -> Pow 2 -> ReduceMean -> Add eps -> Sqrt -> Div [-> Mul g][-> Add b].
bool Lowering::layernorm(int i) {
  const auto& n = node(i);
  if (!is_act(n.input(0))) return false;
  const Act& x = act_in(n, 0);
  const auto rank = static_cast<int64_t>(x.dims.size());
  auto last_axis_only = [&](const onnx::NodeProto& r) {
    std::vector<int64_t> axes;
    if (auto a = attr_ints(r, "axes"))
      axes = *a;
    else if (const Const* c = const_in(r, 1))
      for (double v : c->v) axes.push_back(static_cast<int64_t>(v));
    return axes.size() == 1 && (axes[0] == -1 || axes[0] == rank - 1) &&
           attr_int(r, "keepdims", 1) == 1;
  };
  if (!last_axis_only(n) || channel_axis(x) != rank - 1) return false;
  const std::string& xn = n.input(0);
  const int sub = single_consumer(n.output(0));
  if (sub < 0 || node(sub).op_type() != "Sub" || node(sub).input(0) != xn ||
      node(sub).input(1) != n.output(0))
    return false;
  const std::string& d = node(sub).output(0);
  auto it = consumers_.find(d);
  if (it == consumers_.end() || it->second.size() != 2 || graph_outputs_.contains(d)) return false;
  int pow = -1, div = -1;
  for (int c : it->second) {
    if (node(c).op_type() == "Pow") pow = c;
    if (node(c).op_type() == "Div") div = c;
  }
  if (pow < 0 || div < 0 || node(pow).input(0) != d || node(div).input(0) != d) return false;
  const Const* two = const_in(node(pow), 1);
  if (!two || two->count() != 1 || two->v[0] != 2.0) return false;
  const int rm2 = single_consumer(node(pow).output(0));
  if (rm2 < 0 || node(rm2).op_type() != "ReduceMean" || !last_axis_only(node(rm2))) return false;
  const int add = single_consumer(node(rm2).output(0));
  if (add < 0 || node(add).op_type() != "Add") return false;
  const Const* eps = const_in(node(add), node(add).input(0) == node(rm2).output(0) ? 1 : 0);
  if (!eps || eps->count() != 1) return false;
  const int sqrt = single_consumer(node(add).output(0));
  if (sqrt < 0 || node(sqrt).op_type() != "Sqrt" || node(div).input(1) != node(sqrt).output(0))
    return false;
  std::vector<int> chain = {sub, pow, rm2, add, sqrt, div};
  std::string cur = node(div).output(0);
  const int64_t c = channels(x);
  const Const* gamma = nullptr;
  const Const* beta = nullptr;
  if (int m = single_consumer(cur); m >= 0 && node(m).op_type() == "Mul") {
    const Const* g = const_in(node(m), node(m).input(0) == cur ? 1 : 0);
    if (g && g->count() == c) {
      gamma = g;
      chain.push_back(m);
      cur = node(m).output(0);
    }
  }
  if (int a = single_consumer(cur); a >= 0 && node(a).op_type() == "Add") {
    const Const* b = const_in(node(a), node(a).input(0) == cur ? 1 : 0);
    if (b && b->count() == c) {
      beta = b;
      chain.push_back(a);
      cur = node(a).output(0);
    }
  }
  const std::string base = renamed(n.name(), "layernorm");
  Act a = emit(n, "layernorm", {&x}, {{"epsilon", yaml_float(eps->v[0])}}, x.layout, x.dims,
               " + Sub, Pow, ReduceMean, Add, Sqrt, Div, Mul, Add (LayerNorm)", base);
  add_weight(a.ref, "gamma", {c},
             gamma ? floats(*gamma) : std::vector<float>(static_cast<size_t>(c), 1.f),
             gamma ? gamma->source : "(none: ones)", "x", "x");
  add_weight(a.ref, "beta", {c},
             beta ? floats(*beta) : std::vector<float>(static_cast<size_t>(c), 0.f),
             beta ? beta->source : "(none: zeros)", "x", "x");
  for (int k : chain) consumed_[static_cast<size_t>(k)] = true;
  set_act(cur, a);
  return true;
}

// Sigmoid(x) * x: silu; HardSigmoid(x) * x (1/6, 0.5): hard_swish.
bool Lowering::self_gate(int i) {
  const auto& n = node(i);
  if (!is_act(n.input(0))) return false;
  const bool hard = n.op_type() == "HardSigmoid";
  if (hard && (!near(attr_float(n, "alpha", 0.2f), 1.0 / 6.0, 1e-5) ||
               !near(attr_float(n, "beta", 0.5f), 0.5)))
    return false;
  const int m = single_consumer(n.output(0));
  if (m < 0 || node(m).op_type() != "Mul") return false;
  const auto& mn = node(m);
  const std::string& other = mn.input(0) == n.output(0) ? mn.input(1) : mn.input(0);
  if (other != n.input(0)) return false;
  const Act& x = act_in(n, 0);
  Act a =
      emit(n, hard ? "hard_swish" : "silu", {&x}, {}, x.layout, x.dims,
           fmt::format(" + Mul {}", mn.name()), renamed(n.name(), hard ? "hard_swish" : "silu"));
  a.chw = x.chw;
  consumed_[static_cast<size_t>(m)] = true;
  set_act(mn.output(0), a);
  return true;
}

// Reshape [N, C, H, W] -> [N, g, C/g, H, W], Transpose (0, 2, 1, 3, 4), Reshape back.
bool Lowering::channel_shuffle(int i) {
  const auto& n = node(i);
  if (!is_act(n.input(0))) return false;
  const Act& x = act_in(n, 0);
  if (x.layout != Layout::nchw || x.dims.size() != 4) return false;
  auto it = m_.shapes.find(n.output(0));
  if (it == m_.shapes.end() || it->second.size() != 5) return false;
  const auto& d5 = it->second;
  if (d5[0] != x.dims[0] || d5[1] * d5[2] != x.dims[1] || d5[3] != x.dims[2] || d5[4] != x.dims[3])
    return false;
  const int t = single_consumer(n.output(0));
  if (t < 0 || node(t).op_type() != "Transpose" ||
      attr_ints(node(t), "perm").value_or(std::vector<int64_t>{}) !=
          std::vector<int64_t>{0, 2, 1, 3, 4})
    return false;
  const int r = single_consumer(node(t).output(0));
  if (r < 0 || node(r).op_type() != "Reshape") return false;
  auto it2 = m_.shapes.find(node(r).output(0));
  if (it2 == m_.shapes.end() || it2->second != x.dims) return false;
  const std::string base = renamed(n.name(), "channel_shuffle");
  Act a = emit(n, "channel_shuffle", {&x}, {{"groups", std::to_string(d5[1])}}, Layout::nchw,
               x.dims, " + Transpose, Reshape (channel shuffle)", base);
  consumed_[static_cast<size_t>(t)] = consumed_[static_cast<size_t>(r)] = true;
  set_act(node(r).output(0), a);
  return true;
}

}  // namespace
}  // namespace onnx_import

ImportResult import_onnx_bytes(const std::string& bytes, const std::string& label,
                               const std::string& dir, const ImportOptions& options) {
  const onnx_import::LoadedModel m =
      onnx_import::load_model(bytes, label, dir, options.input_shape);
  onnx_import::Lowering lowering(m, dir, options);
  return lowering.run();
}

ImportResult import_onnx(const ImportOptions& options) {
  const std::string& path = options.model_path;
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec))
    throw ImportError({path + ": is a directory; expected an ONNX model file"});
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ImportError({fmt::format("{}: cannot open: {}", path, std::strerror(errno))});
  in.seekg(0, std::ios::end);
  const auto size = static_cast<int64_t>(in.tellg());
  if (size > (int64_t{2} << 30) - 1)
    throw ImportError({path + ": larger than 2 GiB; protobuf cannot hold it (export the weights "
                              "as external data)"});
  in.seekg(0);
  std::string bytes(static_cast<size_t>(std::max<int64_t>(size, 0)), '\0');
  in.read(bytes.data(), size);
  if (!in) throw ImportError({path + ": cannot read"});
  const std::string dir = std::filesystem::path(path).parent_path().string();
  return import_onnx_bytes(bytes, path, dir, options);
}

}  // namespace modelc
