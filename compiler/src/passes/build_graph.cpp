// Stage 3, build_graph: FlatSpec -> Graph. Every attribute is validated once,
// centrally, against its op's schema (ops/*.cpp: kAttrs) and stored in the
// node's resolved Attrs; `defaults` apply first; input counts, the input shape
// and `expect` shapes are checked. Shapes are left to infer_shapes.
#include <algorithm>
#include <cmath>
#include <iterator>
#include <map>

#include <fmt/format.h>

#include "ir/limits.hpp"
#include "ops/op.hpp"
#include "passes/pipeline.hpp"

namespace modelc {

namespace {

bool positive_int(const Value& v, int64_t& out, std::string& why) {
  if (v.kind != Value::Kind::integer || v.integer < 1) return false;
  if (v.integer > limits::kMaxDim) {
    why = fmt::format("{} is larger than the limit {}", with_commas(v.integer),
                      with_commas(limits::kMaxDim));
    return false;
  }
  out = v.integer;
  return true;
}

bool nonneg_int(const Value& v, int64_t& out, std::string& why) {
  if (v.kind == Value::Kind::integer && v.integer == 0) return out = 0, true;
  return positive_int(v, out, why);
}

// Reads `v` as a list of n integers (each accepted by `elem`).
bool int_list(const Value& v, size_t n, int64_t* out, std::string& why,
              bool (*elem)(const Value&, int64_t&, std::string&)) {
  if (v.kind != Value::Kind::list || v.items.size() != n) return false;
  for (size_t i = 0; i < n; ++i)
    if (!elem(v.items[i], out[i], why)) return false;
  return true;
}

// "linear, relu, sigmoid, tanh or softmax": the accepted values of `activation`,
// from the table (modelc/activation.def), so the message lists exactly what parses.
const std::string& activation_choices() {
  static const std::string text = [] {
    std::string s;
    for (size_t i = 0; i < kActivationCount; ++i) {
      if (i > 0) s += i + 1 == kActivationCount ? " or " : ", ";
      s += kActivationNames[i];
    }
    return s;
  }();
  return text;
}

// Validates one attribute value against its schema entry.
bool resolve_attr(const AttrSpec& spec, const Value& v, AttrValue& out, std::string& expected,
                  std::string& why) {
  int64_t* ints = out.ints;
  switch (spec.type) {
    case AttrType::positive_int:
      expected = "a positive integer";
      return positive_int(v, ints[0], why) && (ints[1] = ints[0], true);
    case AttrType::int_pair:
      expected = "a positive integer or a pair [h, w]";
      if (v.kind == Value::Kind::list) return int_list(v, 2, ints, why, positive_int);
      return positive_int(v, ints[0], why) && (ints[1] = ints[0], true);
    case AttrType::nonneg_pair:
      expected = "an integer >= 0 or a pair [h, w]";
      if (v.kind == Value::Kind::list) return int_list(v, 2, ints, why, nonneg_int);
      return nonneg_int(v, ints[0], why) && (ints[1] = ints[0], true);
    case AttrType::conv_padding:
      expected = "'valid', 'same', an integer >= 0 or a pair [ph, pw]";
      if (v.kind == Value::Kind::string && (v.string == "valid" || v.string == "same"))
        return out.padding = v.string == "valid" ? Padding::valid : Padding::same, true;
      out.padding = Padding::explicit_pad;
      if (v.kind == Value::Kind::list) return int_list(v, 2, ints, why, nonneg_int);
      return nonneg_int(v, ints[0], why) && (ints[1] = ints[0], true);
    case AttrType::pool_padding:
      if (v.kind == Value::Kind::string && (v.string == "valid" || v.string == "same"))
        return out.padding = v.string == "valid" ? Padding::valid : Padding::same, true;
      out.padding = Padding::explicit_pad;
      [[fallthrough]];
    case AttrType::zero_padding:
      expected = spec.type == AttrType::pool_padding
                     ? "'valid', 'same', an integer >= 0, [ph, pw] or [top, bottom, left, right]"
                     : "an integer >= 0, [ph, pw] or [top, bottom, left, right]";
      if (v.kind == Value::Kind::list && v.items.size() == 4)
        return int_list(v, 4, ints, why, nonneg_int);
      if (v.kind == Value::Kind::list && int_list(v, 2, ints, why, nonneg_int)) {
        const int64_t ph = ints[0], pw = ints[1];
        ints[0] = ints[1] = ph, ints[2] = ints[3] = pw;
        return true;
      }
      if (!nonneg_int(v, ints[0], why)) return false;
      ints[1] = ints[2] = ints[3] = ints[0];
      return true;
    case AttrType::boolean:
      expected = "true or false";
      return v.kind == Value::Kind::boolean && (out.boolean = v.boolean, true);
    case AttrType::activation:
      expected = activation_choices();
      for (size_t i = 0; i < kActivationCount; ++i)
        if (v.kind == Value::Kind::string && v.string == kActivationNames[i])
          return out.activation = static_cast<Activation>(i), true;
      return false;
    case AttrType::real: {
      // Bounds at ±1e30 mean none: "[0, inf)", "a finite number".
      const bool no_lo = spec.lo <= -1e30, no_hi = spec.hi >= 1e30;
      const bool open_lo = spec.lo_open || no_lo, open_hi = spec.hi_open || no_hi;
      if (no_lo && no_hi) {
        expected = "a finite number";
      } else {
        expected = fmt::format("a number in {}{}, {}{}", open_lo ? "(" : "[",
                               no_lo ? "-inf" : fmt::format("{}", spec.lo),
                               no_hi ? "inf" : fmt::format("{}", spec.hi), open_hi ? ")" : "]");
      }
      if (!v.is_number()) return false;
      const double x = v.as_double();
      if (!std::isfinite(x) || x < spec.lo || x > spec.hi || (open_lo && x == spec.lo) ||
          (open_hi && x == spec.hi))
        return false;
      return out.real = x, true;
    }
    case AttrType::nonneg_int: expected = "an integer >= 0"; return nonneg_int(v, ints[0], why);
    case AttrType::size_or_rest:
      expected = "a positive integer, or -1 for all that is left";
      if (v.kind == Value::Kind::integer && v.integer == -1) return ints[0] = -1, true;
      return positive_int(v, ints[0], why);
    case AttrType::target_shape: {
      static_assert(std::size(AttrValue{}.ints) >= limits::kMaxRank, "a target shape fits in ints");
      expected = fmt::format("a list of 1 to {} positive sizes, at most one of them -1 (inferred)",
                             limits::kMaxRank);
      if (v.kind != Value::Kind::list || v.items.empty() ||
          v.items.size() > static_cast<size_t>(limits::kMaxRank))
        return false;
      int inferred = 0;
      for (const Value& item : v.items) {
        int64_t& d = ints[out.count++];
        if (item.kind == Value::Kind::integer && item.integer == -1) {
          d = -1;
          if (++inferred > 1) return why = "only one size can be inferred from the others", false;
        } else if (!positive_int(item, d, why)) {
          return false;
        }
      }
      return true;
    }
    case AttrType::choice:
      // "'nearest' or 'bilinear'": quoted like the padding keywords.
      expected.clear();
      for (size_t i = 0; i < spec.choices.size(); ++i) {
        const bool last = i + 1 == spec.choices.size();
        expected += fmt::format("{}'{}'", i == 0 ? "" : last ? " or " : ", ", spec.choices[i]);
      }
      if (v.kind != Value::Kind::string) return false;
      for (size_t i = 0; i < spec.choices.size(); ++i)
        if (v.string == spec.choices[i]) return ints[0] = static_cast<int64_t>(i), true;
      if (const std::string c =
              closest(v.string, std::vector<std::string>(spec.choices.begin(), spec.choices.end()));
          !c.empty())
        why = fmt::format("did you mean '{}'?", c);
      return false;
  }
  return false;
}

class Builder {
 public:
  Builder(const SpecAst& spec, Diagnostics& diags) : spec_(spec), diags_(diags) {}

  Graph run(const FlatSpec& flat) {
    g_.name = spec_.name, g_.spec_path = spec_.path;
    g_.instances = flat.instances;
    g_.outputs = flat.outputs;
    Node input;
    input.name = spec_.input_name, input.op = OpKind::input, input.loc = spec_.input_loc;
    input.shape = shape_of(spec_.input_shape, "shape", fmt::format("input '{}'", input.name));
    g_.input_nchw = spec_.input_nchw;
    if (spec_.input_nchw && !input.shape.empty() && input.shape.size() != 3)
      diags_
          .error(spec_.input_layout_loc, fmt::format("layout: nchw needs a 3-d input shape, got {}",
                                                     shape_str(input.shape)))
          .note(
              "the shape is written [H, W, C] (channels last) as every shape in a spec; nchw "
              "changes only the order of the images the generated API takes");
    g_.nodes.push_back(std::move(input));
    check_defaults();
    for (const FlatLayer& f : flat.layers) add_node(f);
    for (const InstanceExpect& e : flat.instance_expects) {
      const BlockInstance& inst = g_.instances[static_cast<size_t>(e.instance)];
      Shape dims = shape_of(e.expect, "expect", fmt::format("{} '{}'", inst.block, inst.path));
      if (!dims.empty()) g_.expects.push_back({e.node, std::move(dims), e.expect.loc, e.instance});
    }
    std::stable_sort(g_.expects.begin(), g_.expects.end(),
                     [](const Expect& a, const Expect& b) { return a.node < b.node; });
    mark_inference();
    return std::move(g_);
  }

 private:
  void report_attr(const std::string& who, const AttrAst& a, const std::string& expected,
                   const std::string& why) {
    auto& d = diags_.error(a.value.kind == Value::Kind::null ? a.key_loc : a.value.loc,
                           fmt::format("{}{} must be {}, got {}", who.empty() ? "" : who + ": ",
                                       a.key, expected, value_str(a.value)));
    if (!why.empty()) d.note(why);
    note_params(a.value, d);
  }

  // Where each `$param` inside a bad value got its value.
  static void note_params(const Value& v, Diagnostic& d) {
    if (!v.from_param.empty()) {
      d.note(v.arg_loc, fmt::format("{} is {} here", v.from_param, value_str(v)));
      return;
    }
    for (const Value& i : v.items) note_params(i, d);
    for (const Value::Entry& e : v.entries) note_params(e.value, d);
  }

  static const AttrSpec* find_attr(const OpInfo& op, std::string_view key) {
    for (const AttrSpec& s : op.attrs)
      if (s.key == key) return &s;
    return nullptr;
  }

  // Defaults are checked once, where they are written.
  void check_defaults() {
    for (const DefaultsAst& d : spec_.defaults) {
      const OpInfo& op = *find_op(d.op);
      for (const AttrAst& a : d.attrs) {
        const AttrSpec* s = find_attr(op, a.key);
        AttrValue v;
        std::string expected, why;
        if (!s) continue;
        if (resolve_attr(*s, a.value, v, expected, why))
          defaults_[op.kind].push_back({s, v});
        else
          report_attr(fmt::format("defaults of {}", d.op), a, expected, why);
      }
    }
  }

  Shape shape_of(const Value& v, std::string_view what, const std::string& who) {
    Shape s;
    bool ok = v.kind == Value::Kind::list && !v.items.empty() &&
              v.items.size() <= static_cast<size_t>(limits::kMaxRank);
    std::string why;
    for (size_t i = 0; ok && i < v.items.size(); ++i) {
      int64_t d = 0;
      ok = positive_int(v.items[i], d, why);
      s.push_back(d);
    }
    if (ok && product_sat(s) > limits::kMaxElements)
      ok = false, why = fmt::format("{} elements; the limit is {}", with_commas(product_sat(s)),
                                    with_commas(limits::kMaxElements));
    if (ok) return s;
    auto& d = diags_.error(
        v.loc,
        fmt::format("{}: {} must be a list of 1 to {} positive sizes like [224, 224, 3], got {}",
                    who, what, limits::kMaxRank, value_str(v)));
    if (!why.empty()) d.note(why);
    return {};
  }

  void add_node(const FlatLayer& f) {
    const OpInfo& op = op_info(f.op);
    Node n;
    n.name = f.path, n.op = f.op, n.inputs = f.inputs, n.loc = f.ast->loc, n.instance = f.instance;
    const std::string who = fmt::format("{} '{}'", op.name, n.name);
    const int count = static_cast<int>(n.inputs.size());
    if (count < op.min_inputs || (op.max_inputs >= 0 && count > op.max_inputs)) {
      auto& d = diags_.error(
          f.ast->has_inputs ? f.ast->inputs_loc : n.loc,
          op.max_inputs == 1
              ? fmt::format("{}: takes one input, got {}", who, count)
              : fmt::format("{}: needs {} or more inputs, got {}", who, op.min_inputs, count));
      if (op.max_inputs < 0) d.note(fmt::format("write 'inputs: [a, b]' to {} layers", op.name));
    }
    std::vector<std::string_view> given;
    for (const auto& [spec, value] : defaults_[op.kind]) {
      spec->store(n.attrs, value);
      given.push_back(spec->key);
    }
    for (const AttrAst& a : f.attrs) {
      const AttrSpec* s = find_attr(op, a.key);
      AttrValue v;
      std::string expected, why;
      if (!s) continue;         // reported by parse_spec
      given.push_back(s->key);  // even when invalid: no "missing" error on top
      if (!resolve_attr(*s, a.value, v, expected, why)) {
        report_attr(who, a, expected, why);
        continue;
      }
      s->store(n.attrs, v);
    }
    for (const AttrSpec& s : op.attrs)
      if (s.required && std::find(given.begin(), given.end(), s.key) == given.end())
        diags_.error(n.loc, fmt::format("{}: missing attribute '{}'", who, s.key));
    if (op.finish) op.finish(n.attrs, given);
    if (f.expect) {
      Shape dims = shape_of(*f.expect, "expect", who);
      if (!dims.empty())
        g_.expects.push_back(
            {static_cast<int>(g_.nodes.size()), std::move(dims), f.expect->loc, -1});
    }
    g_.nodes.push_back(std::move(n));
  }

  void mark_inference() {
    for (Node& n : g_.nodes) n.inference = false;
    for (const Output& o : g_.outputs)
      if (!o.training_only) g_.nodes[static_cast<size_t>(o.node)].inference = true;
    for (size_t i = g_.nodes.size(); i-- > 0;)
      if (g_.nodes[i].inference)
        for (int in : g_.nodes[i].inputs) g_.nodes[static_cast<size_t>(in)].inference = true;
  }

  const SpecAst& spec_;
  Diagnostics& diags_;
  Graph g_;
  std::map<OpKind, std::vector<std::pair<const AttrSpec*, AttrValue>>> defaults_;
};

}  // namespace

Graph build_graph(const SpecAst& spec, const FlatSpec& flat, Diagnostics& diags) {
  return Builder(spec, diags).run(flat);
}

}  // namespace modelc
