// The spec as parsed (stage 1 output): YAML values with their locations,
// typed as YAML 1.2 core schema, and the spec's structure (layers, blocks,
// outputs). Attribute values stay generic Values here because a `$param`
// may stand for any of them until blocks are expanded.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "modelc/loss.hpp"
#include "spec/source_loc.hpp"

namespace modelc {

struct Value {
  enum class Kind { null, boolean, integer, real, string, list, map };
  struct Entry;  // a map entry (key, key location, value)

  Kind kind = Kind::null;
  SourceLoc loc;
  bool boolean = false;
  int64_t integer = 0;
  double real = 0.0;
  std::string string;          // for strings; `$name` is a parameter reference
  std::vector<Value> items;    // for lists
  std::vector<Entry> entries;  // for maps, in file order
  // Set when this value was substituted for a `$param`: which one, and where
  // the argument was written (the value's own loc is the `$param` site).
  std::string from_param;
  SourceLoc arg_loc;

  bool is_number() const { return kind == Kind::integer || kind == Kind::real; }
  bool is_param_ref() const {
    return kind == Kind::string && string.size() > 1 && string[0] == '$';
  }
  double as_double() const { return kind == Kind::integer ? static_cast<double>(integer) : real; }
};

struct Value::Entry {
  std::string key;
  SourceLoc key_loc;
  Value value;
};

const char* kind_name(Value::Kind k);   // "an integer", "a list", ...
std::string value_str(const Value& v);  // the value as written (short form)

struct RefAst {  // a reference to a layer: `conv1`, `3a/b1`, `$in`
  std::string name;
  SourceLoc loc;
};

struct AttrAst {  // one attribute (or block argument): key: value
  std::string key;
  SourceLoc key_loc;
  Value value;
};

struct LayerAst {
  SourceLoc loc;          // the layer's mapping
  bool is_block = false;  // `block:` instead of `op:`
  std::string op;         // op name, or block name when is_block
  SourceLoc op_loc;
  std::string name;  // "" = default name
  SourceLoc name_loc;
  bool has_inputs = false;  // `input:` or `inputs:` given
  bool inputs_is_list = false;
  SourceLoc inputs_loc;
  std::vector<RefAst> inputs;
  std::optional<Value> expect;
  int64_t repeat = 1;  // blocks only
  SourceLoc repeat_loc;
  std::vector<AttrAst> attrs;  // op attributes, or block `args`
  SourceLoc args_loc;
};

struct BlockAst {
  std::string name;
  SourceLoc loc;
  std::vector<std::string> params;
  std::vector<SourceLoc> param_locs;
  std::vector<LayerAst> layers;
};

struct DefaultsAst {  // `defaults: {conv2d: {...}}`: one entry per op
  std::string op;
  SourceLoc loc;
  std::vector<AttrAst> attrs;
};

struct OutputAst {
  RefAst layer;
  SourceLoc loc;
  double loss_weight = 1.0;
  bool training_only = false;
  Loss loss = Loss::softmax_crossentropy;
};

struct SpecAst {
  std::string path;
  std::string name;
  SourceLoc name_loc;
  std::string input_name;
  SourceLoc input_loc;
  Value input_shape;
  bool input_nchw = false;  // `layout: nchw`: the generated API takes [C, H, W] images
  SourceLoc input_layout_loc;
  std::vector<DefaultsAst> defaults;
  std::vector<BlockAst> blocks;
  std::vector<LayerAst> layers;
  SourceLoc layers_loc;
  std::vector<OutputAst> outputs;  // empty = the last layer
};

}  // namespace modelc
