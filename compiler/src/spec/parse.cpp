// Stage 1, parse_spec: the YAML value tree -> SpecAst. Checks the structure
// of the spec: known keys (with "did you mean"), value types, names, `op` or
// `block` on each layer. Attribute values stay generic (a `$param` may stand
// for them) and are type-checked by build_graph against the op's schema.
#include <algorithm>
#include <cctype>
#include <cmath>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "emit/cpp_names.hpp"
#include "ops/op.hpp"
#include "passes/pipeline.hpp"

namespace modelc {

namespace {

// The ops a layer may name (every op but the input).
std::vector<std::string> layer_op_names() {
  std::vector<std::string> names = op_names();
  std::erase(names, std::string(op_info(OpKind::input).name));
  return names;
}

}  // namespace

namespace {

const std::vector<std::string> kTopKeys = {"name",   "input",  "defaults",
                                           "blocks", "layers", "outputs"};
const std::vector<std::string> kCommonKeys = {"op", "name", "input", "inputs", "expect"};
const std::vector<std::string> kBlockLayerKeys = {"block", "name",   "input",
                                                  "args",  "repeat", "expect"};

bool is_name(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
  });
}

class Parser {
 public:
  Parser(const std::string& path, Diagnostics& diags) : diags_(diags) { spec_.path = path; }

  std::optional<SpecAst> run(const Value& doc) {
    if (!is(doc, Value::Kind::map, "the spec", "a mapping with name, input and layers"))
      return std::nullopt;
    check_keys(doc, kTopKeys, "at the top level");
    const Value* name = require(doc, "name", "the spec");
    const Value* input = require(doc, "input", "the spec");
    const Value* layers = require(doc, "layers", "the spec");
    if (name && is(*name, Value::Kind::string, "name", "the model's name, e.g. AlexNet")) {
      spec_.name = name->string, spec_.name_loc = name->loc;
      if (!is_identifier(name->string))
        diags_.error(name->loc, fmt::format("model name '{}' is not a C++ identifier "
                                            "(letters, digits, '_', not starting with a digit)",
                                            name->string));
      else if (std::string why = reserved_class_name(name->string); !why.empty())
        diags_
            .error(name->loc, fmt::format("model name '{}' cannot name the generated C++ class: "
                                          "it is {}",
                                          name->string, why))
            .note(fmt::format("choose another name, e.g. '{}'; docs/spec-format.md lists the "
                              "reserved names",
                              suggest_class_name(name->string)));
    }
    if (input) parse_input(*input);
    if (const Value* d = get(doc, "defaults")) parse_defaults(*d);
    if (const Value* b = get(doc, "blocks")) parse_blocks(*b);
    if (layers) {
      spec_.layers_loc = layers->loc;
      spec_.layers = parse_layers(*layers, "layers");
    }
    if (const Value* o = get(doc, "outputs")) parse_outputs(*o);
    return std::move(spec_);
  }

 private:
  static bool is_identifier(const std::string& s) {
    return is_name(s) && !(s[0] >= '0' && s[0] <= '9');
  }
  // "forward" -> "ForwardNet", "a__b" -> "A_bNet", "__1" -> "My1Net": never reserved.
  static std::string suggest_class_name(const std::string& s) {
    std::string out;
    for (char c : s)
      if (c != '_' || (!out.empty() && out.back() != '_')) out += c;
    if (out.empty() || std::isdigit(static_cast<unsigned char>(out[0]))) return "My" + out + "Net";
    out[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(out[0])));
    return out + "Net";
  }

  const Value* get(const Value& map, std::string_view key) {
    for (const Value::Entry& e : map.entries)
      if (e.key == key) return &e.value;
    return nullptr;
  }
  const Value* require(const Value& map, std::string_view key, std::string_view where) {
    if (const Value* v = get(map, key)) return v;
    diags_.error(map.loc, fmt::format("{} has no '{}'", where, key));
    return nullptr;
  }
  bool is(const Value& v, Value::Kind kind, std::string_view what, std::string_view expected) {
    if (v.kind == kind) return true;
    diags_.error(v.loc, fmt::format("{} must be {}, got {} ({})", what, expected, kind_name(v.kind),
                                    value_str(v)));
    return false;
  }
  void check_duplicates(const Value& map) {
    for (size_t i = 0; i < map.entries.size(); ++i)
      for (size_t j = 0; j < i; ++j)
        if (map.entries[j].key == map.entries[i].key)
          diags_
              .error(map.entries[i].key_loc, fmt::format("duplicate key '{}'", map.entries[i].key))
              .note(map.entries[j].key_loc, "first given here");
  }
  // Unknown and duplicate keys of a mapping.
  void check_keys(const Value& map, const std::vector<std::string>& allowed,
                  std::string_view where) {
    check_duplicates(map);
    for (const Value::Entry& e : map.entries)
      if (std::find(allowed.begin(), allowed.end(), e.key) == allowed.end())
        diags_.error(e.key_loc, fmt::format("unknown key '{}' {}{}", e.key, where,
                                            did_you_mean(e.key, allowed)));
  }
  std::string name_of(const Value& v, std::string_view what) {
    if (v.kind != Value::Kind::string && v.kind != Value::Kind::integer) {
      is(v, Value::Kind::string, what, "a name");
      return {};
    }
    if (!is_name(v.string)) {
      diags_
          .error(v.loc,
                 fmt::format("{} '{}' may only contain letters, digits and '_'", what, v.string))
          .note("'/' and '.' are reserved for scoped paths and weight names");
      return {};
    }
    return v.string;
  }

  void parse_input(const Value& v) {
    spec_.input_loc = v.loc;
    if (!is(v, Value::Kind::map, "input", "a mapping {name: ..., shape: [H, W, C]}")) return;
    check_keys(v, {"layout", "name", "shape"}, "in input");
    spec_.input_name = "input";
    if (const Value* n = get(v, "name")) spec_.input_name = name_of(*n, "input name");
    if (const Value* s = require(v, "shape", "input")) spec_.input_shape = *s;
    if (const Value* l = get(v, "layout");
        l && is(*l, Value::Kind::string, "layout", "'nhwc' or 'nchw'")) {
      spec_.input_layout_loc = l->loc;
      if (l->string == "nchw")
        spec_.input_nchw = true;
      else if (l->string != "nhwc")
        diags_.error(l->loc, fmt::format("layout must be 'nhwc' or 'nchw', got '{}'", l->string));
    }
  }

  std::vector<AttrAst> attrs_of(const Value& map) {
    std::vector<AttrAst> out;
    for (const Value::Entry& e : map.entries) out.push_back({e.key, e.key_loc, e.value});
    return out;
  }

  void parse_defaults(const Value& v) {
    if (!is(v, Value::Kind::map, "defaults", "a mapping from op to attributes")) return;
    const std::vector<std::string> ops = op_names();
    for (const Value::Entry& e : v.entries) {
      const OpInfo* op = find_op(e.key);
      if (!op || op->kind == OpKind::input) {
        diags_.error(e.key_loc,
                     fmt::format("defaults: unknown op '{}'{}", e.key, did_you_mean(e.key, ops)));
        continue;
      }
      if (!is(e.value, Value::Kind::map, fmt::format("defaults of {}", e.key),
              "a mapping of attributes"))
        continue;
      std::vector<std::string> keys;
      for (const AttrSpec& a : op->attrs) keys.emplace_back(a.key);
      check_keys(e.value, keys, fmt::format("in defaults of {}", e.key));
      spec_.defaults.push_back({e.key, e.key_loc, attrs_of(e.value)});
    }
  }

  void parse_blocks(const Value& v) {
    if (!is(v, Value::Kind::map, "blocks", "a mapping from block name to {params, layers}")) return;
    for (const Value::Entry& e : v.entries) {
      BlockAst b;
      b.name = e.key, b.loc = e.key_loc;
      if (!is_name(e.key))
        diags_.error(
            e.key_loc,
            fmt::format("block name '{}' may only contain letters, digits and '_'", e.key));
      for (const BlockAst& other : spec_.blocks)
        if (other.name == e.key)
          diags_.error(e.key_loc, fmt::format("block '{}' is defined twice", e.key))
              .note(other.loc, "first defined here");
      const std::string where = fmt::format("block '{}'", e.key);
      if (!is(e.value, Value::Kind::map, where, "a mapping {params: [...], layers: [...]}"))
        continue;
      check_keys(e.value, {"params", "layers"}, "in " + where);
      if (const Value* p = get(e.value, "params");
          p && is(*p, Value::Kind::list, "params", "a list of names")) {
        for (const Value& item : p->items) {
          std::string n = name_of(item, "parameter");
          if (n.empty()) continue;
          if (n == "in")
            diags_.error(item.loc, "parameter name 'in' is reserved ($in is the block's input)");
          if (std::find(b.params.begin(), b.params.end(), n) != b.params.end())
            diags_.error(item.loc, fmt::format("parameter '{}' is listed twice", n));
          b.params.push_back(n), b.param_locs.push_back(item.loc);
        }
      }
      if (const Value* l = require(e.value, "layers", where))
        b.layers = parse_layers(*l, where + " layers");
      spec_.blocks.push_back(std::move(b));
    }
  }

  std::vector<LayerAst> parse_layers(const Value& v, std::string_view what) {
    std::vector<LayerAst> out;
    if (!is(v, Value::Kind::list, what, "a list of layers")) return out;
    if (v.items.empty()) diags_.error(v.loc, fmt::format("{} is empty", what));
    for (const Value& item : v.items)
      if (is(item, Value::Kind::map, "a layer", "a mapping with 'op:' or 'block:'"))
        out.push_back(parse_layer(item));
    return out;
  }

  void parse_refs(LayerAst& l, const Value& map) {
    const Value* one = get(map, "input");
    const Value* many = get(map, "inputs");
    if (one && many) diags_.error(many->loc, "give 'input' or 'inputs', not both");
    if (one) {
      l.has_inputs = true, l.inputs_loc = one->loc;
      if (one->kind == Value::Kind::list)
        diags_.error(one->loc, "'input' takes one layer name; use 'inputs: [a, b]' for several");
      else if (one->kind == Value::Kind::string || one->kind == Value::Kind::integer)
        l.inputs.push_back({one->string, one->loc});
      else
        is(*one, Value::Kind::string, "input", "a layer name");
    } else if (many) {
      l.has_inputs = true, l.inputs_is_list = true, l.inputs_loc = many->loc;
      if (!is(*many, Value::Kind::list, "inputs", "a list of layer names")) return;
      if (many->items.empty()) diags_.error(many->loc, "'inputs' is empty");
      for (const Value& r : many->items) {
        if (r.kind == Value::Kind::string || r.kind == Value::Kind::integer)
          l.inputs.push_back({r.string, r.loc});
        else
          is(r, Value::Kind::string, "an input", "a layer name");
      }
    }
  }

  LayerAst parse_layer(const Value& map) {
    LayerAst l;
    l.loc = map.loc;
    const Value* op = get(map, "op");
    const Value* block = get(map, "block");
    if (op && block) diags_.error(block->loc, "a layer has 'op' or 'block', not both");
    if (!op && !block) {
      diags_.error(map.loc, "a layer needs 'op:' (or 'block:' to instantiate a block)");
      return l;
    }
    const Value& kind = op ? *op : *block;
    l.is_block = !op, l.op_loc = kind.loc;
    if (!is(kind, Value::Kind::string, op ? "op" : "block", op ? "an op name" : "a block name"))
      return l;
    l.op = kind.string;
    if (const Value* n = get(map, "name")) l.name = name_of(*n, "layer name"), l.name_loc = n->loc;
    if (const Value* e = get(map, "expect")) l.expect = *e;
    parse_refs(l, map);
    if (l.is_block) {
      check_keys(map, kBlockLayerKeys, fmt::format("in block instance of '{}'", l.op));
      if (const Value* r = get(map, "repeat")) {
        l.repeat_loc = r->loc;
        if (r->kind != Value::Kind::integer || r->integer < 1)
          diags_
              .error(r->loc,
                     fmt::format("repeat must be a positive integer, got {}", value_str(*r)))
              .note("repeat is a literal count (a $parameter cannot set it)");
        else
          l.repeat = r->integer;
      }
      if (l.inputs_is_list && l.inputs.size() != 1)
        diags_.error(l.inputs_loc, "a block instance takes one input ($in)");
      if (const Value* a = get(map, "args");
          a && is(*a, Value::Kind::map, "args", "a mapping from parameter to value")) {
        l.args_loc = a->loc;
        check_duplicates(*a);  // the names are checked against the block's params by expand_blocks
        l.attrs = attrs_of(*a);
      }
      return l;
    }
    const OpInfo* info = find_op(l.op);
    if (!info || info->kind == OpKind::input) {
      auto& d = diags_.error(
          kind.loc, fmt::format("unknown op '{}'{}", l.op, did_you_mean(l.op, op_names())));
      if (std::any_of(spec_.blocks.begin(), spec_.blocks.end(),
                      [&](const BlockAst& b) { return b.name == l.op; }))
        d.note(fmt::format("'{}' is a block: write 'block: {}'", l.op, l.op));
      else if (did_you_mean(l.op, op_names()).empty())
        d.note(fmt::format("modelc's ops: {}", fmt::join(layer_op_names(), ", ")));
      return l;
    }
    std::vector<std::string> keys = kCommonKeys;
    for (const AttrSpec& a : info->attrs) keys.emplace_back(a.key);
    check_keys(map, keys, fmt::format("in {}", l.op));
    for (const Value::Entry& e : map.entries)
      if (std::find(kCommonKeys.begin(), kCommonKeys.end(), e.key) == kCommonKeys.end())
        l.attrs.push_back({e.key, e.key_loc, e.value});
    return l;
  }

  void parse_outputs(const Value& v) {
    if (!is(v, Value::Kind::list, "outputs",
            "a list of {layer: NAME, loss, loss_weight, training_only}"))
      return;
    if (v.items.empty()) diags_.error(v.loc, "outputs is empty");
    for (const Value& item : v.items) {
      if (!is(item, Value::Kind::map, "an output", "a mapping {layer: NAME}")) continue;
      check_keys(item, {"layer", "loss", "loss_weight", "training_only"}, "in an output");
      OutputAst o;
      o.loc = item.loc;
      if (const Value* l = require(item, "layer", "an output");
          l &&
          (l->kind == Value::Kind::integer || is(*l, Value::Kind::string, "layer", "a layer name")))
        o.layer = {l->string, l->loc};
      if (const Value* w = get(item, "loss_weight")) {
        if (!w->is_number() || w->as_double() < 0 || !std::isfinite(w->as_double()))
          diags_.error(w->loc,
                       fmt::format("loss_weight must be a number >= 0, got {}", value_str(*w)));
        else
          o.loss_weight = w->as_double();
      }
      if (const Value* t = get(item, "training_only");
          t && is(*t, Value::Kind::boolean, "training_only", "true or false"))
        o.training_only = t->boolean;
      if (const Value* l = get(item, "loss")) parse_loss(*l, o);
      if (o.training_only && o.loss == Loss::none)
        diags_
            .error(item.loc,
                   "an output with training_only and loss: none does nothing: forward() "
                   "does not compute it and training takes no loss from it")
            .note("drop training_only, or give it a loss");
      spec_.outputs.push_back(std::move(o));
    }
  }

  void parse_loss(const Value& v, OutputAst& o) {
    static const std::vector<std::string> names(std::begin(kLossNames), std::end(kLossNames));
    const std::string expected = "softmax_crossentropy, mse, binary_crossentropy or none";
    if (!is(v, Value::Kind::string, "loss", expected)) return;
    for (size_t i = 0; i < names.size(); ++i)
      if (v.string == names[i]) return void(o.loss = static_cast<Loss>(i));
    diags_.error(v.loc, fmt::format("loss must be {}, got '{}'{}", expected, v.string,
                                    did_you_mean(v.string, names)));
  }

  Diagnostics& diags_;
  SpecAst spec_;
};

}  // namespace

std::optional<SpecAst> parse_spec(const std::string& path, const Value& doc, Diagnostics& diags) {
  return Parser(path, diags).run(doc);
}

}  // namespace modelc
