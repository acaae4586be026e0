// Stage 2, expand_blocks: SpecAst -> FlatSpec. Checks everything that does not
// need shapes first, once per layer list (names, duplicates, block arguments,
// `$params`, recursion, and the expanded size, before anything is expanded),
// then instantiates blocks into scoped layers (`3a/b1`), resolving every
// reference to a node index and substituting `$params`.
#include <algorithm>
#include <map>
#include <set>
#include <tuple>

#include <fmt/format.h>

#include "ir/limits.hpp"
#include "ops/op.hpp"
#include "passes/pipeline.hpp"

namespace modelc {

namespace {

using Env = std::map<std::string, Value>;

struct ScopeDef {  // a layer list: the top level or a block's body
  const BlockAst* block = nullptr;
  const std::vector<LayerAst>* layers = nullptr;
  std::vector<std::string> names;    // every layer's name (given or default)
  std::map<std::string, int> index;  // name -> position
};

struct Entry {
  int node = -1;
  int scope = -1;  // for instances: the instance's scope
};

class Expander {
 public:
  Expander(const SpecAst& spec, Diagnostics& diags) : spec_(spec), diags_(diags) {}

  FlatSpec run() {
    top_ = make_def(spec_.layers, nullptr);
    for (size_t b = 0; b < spec_.blocks.size(); ++b) {
      block_index_[spec_.blocks[b].name] = static_cast<int>(b);
      defs_.push_back(make_def(spec_.blocks[b].layers, &spec_.blocks[b]));
    }
    check_def(top_);
    for (const ScopeDef& d : defs_) check_def(d);
    if (!diags_.empty() || !check_size()) return {};
    const auto [scope, last] = expand_list(top_, nullptr, 0, -1, "");
    resolve_outputs(scope, last);
    return std::move(out_);
  }

 private:
  // --- checks on the definitions -------------------------------------------------
  Diagnostic* report(const SourceLoc& loc, std::string message) {
    if (!reported_.emplace(loc.line, loc.col, message).second) return nullptr;
    return &diags_.error(loc, std::move(message));
  }

  static std::string label(const LayerAst& l, const std::string& name, const ScopeDef& def,
                           const std::string& path) {
    if (def.block) return fmt::format("{} '{}' in block '{}'", l.op, name, def.block->name);
    return fmt::format("{} '{}'", l.op, path);
  }

  ScopeDef make_def(const std::vector<LayerAst>& layers, const BlockAst* block) {
    ScopeDef d;
    d.block = block, d.layers = &layers;
    std::map<std::string, int> count;
    for (size_t i = 0; i < layers.size(); ++i) {
      const LayerAst& l = layers[i];
      const int n = ++count[l.op];
      std::string name = l.name.empty() ? fmt::format("{}_{}", l.op, n) : l.name;
      const SourceLoc& at = l.name.empty() ? l.loc : l.name_loc;
      if (auto it = d.index.find(name); it != d.index.end()) {
        auto& e =
            diags_.error(at, fmt::format("duplicate layer name '{}'{}", name,
                                         block ? fmt::format(" in block '{}'", block->name) : ""));
        e.note(layers[static_cast<size_t>(it->second)].loc, "first used here");
        if (l.name.empty())
          e.note(fmt::format("unnamed layers are named <op>_<n>; give this one a name"));
      } else if (!block && name == spec_.input_name) {
        diags_.error(at, fmt::format("layer name '{}' is the model input's name", name))
            .note(spec_.input_loc, "the input is named here");
      }
      d.index.emplace(name, static_cast<int>(i));
      d.names.push_back(std::move(name));
    }
    // `repeat: n` also defines NAME_1 ... NAME_n.
    for (size_t i = 0; i < layers.size(); ++i) {
      if (layers[i].repeat < 2) continue;
      const std::string& base = d.names[i];
      for (size_t j = 0; j < layers.size(); ++j) {
        const std::string& other = d.names[j];
        if (other.size() <= base.size() + 1 || other.compare(0, base.size() + 1, base + "_") != 0)
          continue;
        const std::string suffix = other.substr(base.size() + 1);
        if (suffix.size() < 19 &&
            std::all_of(suffix.begin(), suffix.end(),
                        [](char c) { return c >= '0' && c <= '9'; }) &&
            suffix[0] != '0' && std::stoll(suffix) <= layers[i].repeat)
          diags_
              .error(layers[j].name.empty() ? layers[j].loc : layers[j].name_loc,
                     fmt::format("duplicate layer name '{}'", other))
              .note(layers[i].repeat_loc,
                    fmt::format("'{}' with repeat: {} names its instances {}_1 ... {}_{}", base,
                                layers[i].repeat, base, base, layers[i].repeat));
      }
    }
    return d;
  }

  // Every `$name` in v must be a parameter of the block (and there is none at top level).
  void check_params(const Value& v, const ScopeDef& def) {
    if (v.is_param_ref()) {
      const std::string p = v.string.substr(1);
      if (!def.block) {
        report(v.loc,
               fmt::format("'{}' is used outside a block; parameters exist only inside blocks",
                           v.string));
      } else if (std::find(def.block->params.begin(), def.block->params.end(), p) ==
                 def.block->params.end()) {
        auto* d = report(v.loc, fmt::format("block '{}' has no parameter '{}'{}", def.block->name,
                                            p, did_you_mean(p, def.block->params)));
        if (d)
          d->note(def.block->loc,
                  fmt::format("its params are [{}]", fmt::join(def.block->params, ", ")));
      }
    }
    for (const Value& i : v.items) check_params(i, def);
    for (const Value::Entry& e : v.entries) check_params(e.value, def);
  }

  void check_def(const ScopeDef& def) {
    std::vector<std::string> block_names;
    for (const BlockAst& b : spec_.blocks) block_names.push_back(b.name);
    for (const LayerAst& l : *def.layers) {
      for (const AttrAst& a : l.attrs) check_params(a.value, def);
      if (l.expect) check_params(*l.expect, def);
      if (!l.is_block || l.op.empty()) continue;
      auto it = block_index_.find(l.op);
      if (it == block_index_.end()) {
        auto& d = diags_.error(
            l.op_loc, fmt::format("unknown block '{}'{}", l.op, did_you_mean(l.op, block_names)));
        if (find_op(l.op)) d.note(fmt::format("'{}' is an op: write 'op: {}'", l.op, l.op));
        continue;
      }
      const BlockAst& b = spec_.blocks[static_cast<size_t>(it->second)];
      for (const AttrAst& a : l.attrs)
        if (std::find(b.params.begin(), b.params.end(), a.key) == b.params.end())
          diags_
              .error(a.key_loc, fmt::format("block '{}' has no parameter '{}'{}", b.name, a.key,
                                            did_you_mean(a.key, b.params)))
              .note(b.loc, fmt::format("its params are [{}]", fmt::join(b.params, ", ")));
      for (size_t p = 0; p < b.params.size(); ++p)
        if (std::none_of(l.attrs.begin(), l.attrs.end(),
                         [&](const AttrAst& a) { return a.key == b.params[p]; }))
          diags_
              .error(l.args_loc.valid() ? l.args_loc : l.op_loc,
                     fmt::format("missing argument '{}' for block '{}'", b.params[p], b.name))
              .note(b.param_locs[p], "the parameter is declared here");
    }
  }

  // Recursion, nesting depth and the expanded size, before expanding anything.
  bool check_size() {
    state_.assign(defs_.size(), 0);
    count_.assign(defs_.size(), 0);
    depth_.assign(defs_.size(), 0);
    std::vector<int> chain;
    for (size_t b = 0; b < defs_.size(); ++b)
      if (state_[b] == 0 && !visit(static_cast<int>(b), chain)) return false;
    int64_t total = 1;  // the input
    const LayerAst* biggest = nullptr;
    int64_t biggest_n = 0;
    for (const LayerAst& l : spec_.layers) {
      const int64_t n =
          l.is_block ? mul_sat(l.repeat, count_[static_cast<size_t>(block_index_.at(l.op))]) : 1;
      if (n > biggest_n) biggest_n = n, biggest = &l;
      total = add_sat(total, n);
    }
    if (total <= limits::kMaxLayers) return true;
    auto& d = diags_.error(spec_.layers_loc,
                           fmt::format("the model expands to {} layers; the limit is {}",
                                       total == INT64_MAX ? "too many" : with_commas(total),
                                       with_commas(limits::kMaxLayers)));
    if (biggest && biggest->is_block)
      d.note(biggest->repeat > 1 ? biggest->repeat_loc : biggest->loc,
             fmt::format(
                 "this instance alone expands to {} layers{}",
                 biggest_n == INT64_MAX ? "more than 9e18" : with_commas(biggest_n),
                 biggest->repeat > 1
                     ? fmt::format(
                           " ({} x {})", with_commas(biggest->repeat),
                           with_commas(count_[static_cast<size_t>(block_index_.at(biggest->op))]))
                     : ""));
    return false;
  }

  bool visit(int b, std::vector<int>& chain) {
    state_[static_cast<size_t>(b)] = 1;
    chain.push_back(b);
    int64_t n = 0;
    int depth = 1;  // levels of blocks, this one included
    for (const LayerAst& l : *defs_[static_cast<size_t>(b)].layers) {
      if (!l.is_block) {
        n = add_sat(n, 1);
        continue;
      }
      const int c = block_index_.at(l.op);
      if (state_[static_cast<size_t>(c)] == 1) {
        std::vector<std::string> names;
        auto from = std::find(chain.begin(), chain.end(), c);
        for (auto it = from; it != chain.end(); ++it)
          names.push_back(spec_.blocks[static_cast<size_t>(*it)].name);
        names.push_back(spec_.blocks[static_cast<size_t>(c)].name);
        diags_
            .error(l.op_loc,
                   fmt::format("block '{}' instantiates itself: {}",
                               spec_.blocks[static_cast<size_t>(c)].name, fmt::join(names, " -> ")))
            .note("a block may instantiate other blocks, but not recursively");
        return false;
      }
      if (chain.size() >= static_cast<size_t>(limits::kMaxBlockDepth)) {
        diags_.error(l.op_loc,
                     fmt::format("blocks nest more than {} deep", limits::kMaxBlockDepth));
        return false;
      }
      if (state_[static_cast<size_t>(c)] == 0 && !visit(c, chain)) return false;
      // The chain above bounds this recursion, but only along unvisited blocks:
      // the nesting depth itself is counted here, whatever the visiting order.
      depth = std::max(depth, depth_[static_cast<size_t>(c)] + 1);
      if (depth > limits::kMaxBlockDepth) {
        diags_.error(l.op_loc, fmt::format("blocks nest more than {} deep", limits::kMaxBlockDepth))
            .note(fmt::format("block '{}' instantiates '{}', which nests {} blocks deep",
                              spec_.blocks[static_cast<size_t>(b)].name,
                              spec_.blocks[static_cast<size_t>(c)].name,
                              depth_[static_cast<size_t>(c)]));
        return false;
      }
      n = add_sat(n, mul_sat(l.repeat, count_[static_cast<size_t>(c)]));
    }
    count_[static_cast<size_t>(b)] = n;  // saturates at INT64_MAX
    depth_[static_cast<size_t>(b)] = depth;
    state_[static_cast<size_t>(b)] = 2;
    chain.pop_back();
    return true;
  }

  // --- expansion ------------------------------------------------------------------
  static Value subst(const Value& v, const Env* env) {
    if (!env) return v;
    if (v.is_param_ref()) {
      auto it = env->find(v.string.substr(1));
      if (it == env->end()) return v;
      Value r = it->second;
      r.arg_loc = it->second.arg_loc.valid() ? it->second.arg_loc : it->second.loc;
      r.loc = v.loc, r.from_param = v.string;
      return r;
    }
    Value r = v;
    for (Value& i : r.items) i = subst(i, env);
    for (Value::Entry& e : r.entries) e.value = subst(e.value, env);
    return r;
  }

  int resolve(const RefAst& ref, const ScopeDef& def, size_t pos, int scope, int in_node,
              const std::string& who) {
    if (ref.name == "$in") {
      if (def.block) return in_node;
      report(ref.loc, fmt::format("{}: '$in' exists only inside a block", who));
      return -1;
    }
    if (!ref.name.empty() && ref.name[0] == '$') {
      report(
          ref.loc,
          fmt::format("{}: '{}' cannot name an input; inside a block the instance's input is '$in'",
                      who, ref.name));
      return -1;
    }
    std::vector<std::string> parts;
    for (size_t start = 0;;) {
      const size_t slash = ref.name.find('/', start);
      parts.push_back(
          ref.name.substr(start, slash == std::string::npos ? std::string::npos : slash - start));
      if (slash == std::string::npos) break;
      start = slash + 1;
    }
    const std::map<std::string, Entry>& names = scopes_[static_cast<size_t>(scope)];
    auto it = names.find(parts[0]);
    if (it == names.end()) {
      if (!def.block && parts.size() == 1 && parts[0] == spec_.input_name) return 0;
      if (auto later = def.index.find(parts[0]); later != def.index.end()) {
        const LayerAst& l = (*def.layers)[static_cast<size_t>(later->second)];
        if (static_cast<size_t>(later->second) == pos)
          report(ref.loc, fmt::format("{}: a layer cannot take itself as input", who));
        else if (auto* d = report(
                     ref.loc,
                     fmt::format(
                         "{}: layer '{}' is defined later; a layer can only use earlier layers",
                         who, parts[0])))
          d->note(l.loc, fmt::format("'{}' is defined here", parts[0]));
        return -1;
      }
      std::vector<std::string> visible;
      for (const auto& [n, e] : names) visible.push_back(n);
      visible.push_back(def.block ? "$in" : spec_.input_name);
      auto* d = report(ref.loc, fmt::format("{}: unknown layer '{}'{}", who, parts[0],
                                            did_you_mean(parts[0], visible)));
      if (d && def.block && top_.index.count(parts[0]))
        d->note(
            fmt::format("a block sees only '$in', its own earlier layers and its nested instances; "
                        "'{}' is outside block '{}'",
                        parts[0], def.block->name));
      return -1;
    }
    Entry e = it->second;
    std::string path = parts[0];
    for (size_t k = 1; k < parts.size(); ++k) {
      if (e.scope < 0) {
        report(ref.loc,
               fmt::format("{}: '{}' is a layer, not a block instance, so '{}' does not exist", who,
                           path, ref.name));
        return -1;
      }
      const auto& inner = scopes_[static_cast<size_t>(e.scope)];
      auto jt = inner.find(parts[k]);
      if (jt == inner.end()) {
        std::vector<std::string> visible;
        for (const auto& [n, x] : inner) visible.push_back(n);
        report(ref.loc, fmt::format("{}: instance '{}' has no layer '{}'{}", who, path, parts[k],
                                    did_you_mean(parts[k], visible)));
        return -1;
      }
      e = jt->second;
      path += "/" + parts[k];
    }
    return e.node;
  }

  // Expands one layer list; returns its scope and its last node (the output).
  std::pair<int, int> expand_list(const ScopeDef& def, const Env* env, int in_node, int instance,
                                  const std::string& prefix) {
    const int scope = static_cast<int>(scopes_.size());
    scopes_.emplace_back();
    int prev = in_node;
    for (size_t i = 0; i < def.layers->size(); ++i) {
      const LayerAst& l = (*def.layers)[i];
      const std::string& name = def.names[i];
      const std::string who = label(l, name, def, prefix + name);
      std::vector<int> inputs;
      if (!l.has_inputs) inputs.push_back(prev);
      for (const RefAst& r : l.inputs) inputs.push_back(resolve(r, def, i, scope, in_node, who));
      if (!l.is_block) {
        FlatLayer f;
        f.ast = &l, f.op = find_op(l.op)->kind, f.path = prefix + name;
        f.inputs = std::move(inputs), f.instance = instance;
        for (const AttrAst& a : l.attrs) f.attrs.push_back({a.key, a.key_loc, subst(a.value, env)});
        if (l.expect) f.expect = subst(*l.expect, env);
        out_.layers.push_back(std::move(f));
        prev = static_cast<int>(out_.layers.size());
        scopes_[static_cast<size_t>(scope)][name] = {prev, -1};
        continue;
      }
      const int b = block_index_.at(l.op);
      Env child_env;
      for (const AttrAst& a : l.attrs) child_env[a.key] = subst(a.value, env);
      int input = inputs.empty() ? -1 : inputs[0];
      Entry last;
      for (int64_t r = 1; r <= l.repeat; ++r) {
        const std::string inst_name = l.repeat > 1 ? fmt::format("{}_{}", name, r) : name;
        const int inst = static_cast<int>(out_.instances.size());
        out_.instances.push_back({prefix + inst_name, l.op, l.loc, instance});
        const auto [child, out] = expand_list(defs_[static_cast<size_t>(b)], &child_env, input,
                                              inst, prefix + inst_name + "/");
        last = {out, child};
        if (l.repeat > 1) scopes_[static_cast<size_t>(scope)][inst_name] = last;
        input = out;
      }
      scopes_[static_cast<size_t>(scope)][name] = last;
      if (l.expect)
        out_.instance_expects.push_back(
            {static_cast<int>(out_.instances.size()) - 1, last.node, subst(*l.expect, env)});
      prev = last.node;
    }
    return {scope, prev};
  }

  void resolve_outputs(int scope, int last) {
    if (spec_.outputs.empty()) {
      out_.outputs.push_back({last, 1.0, false, spec_.layers_loc});
      return;
    }
    bool any_inference = false;
    for (const OutputAst& o : spec_.outputs) {
      const int node = resolve(o.layer, top_, top_.layers->size(), scope, 0, "output");
      if (node < 0) continue;
      for (const Output& prev : out_.outputs)
        if (prev.node == node)
          diags_.error(o.layer.loc, fmt::format("output '{}' is listed twice", o.layer.name))
              .note(prev.loc, "first listed here");
      if (node == 0 && o.loss != Loss::none)
        diags_
            .error(o.layer.loc,
                   fmt::format("output '{}' is the model input: a loss on it depends on no "
                               "weight (its target would be the input itself)",
                               o.layer.name))
            .note("give it loss: none to return the input from forward(), or name a layer");
      out_.outputs.push_back({node, o.loss_weight, o.training_only, o.loc, o.loss});
      any_inference |= !o.training_only;
    }
    if (!any_inference && !out_.outputs.empty())
      diags_
          .error(spec_.outputs.front().loc,
                 "every output is training_only; forward() would compute nothing")
          .note("mark at least one output without training_only");
  }

  const SpecAst& spec_;
  Diagnostics& diags_;
  FlatSpec out_;
  ScopeDef top_;
  std::vector<ScopeDef> defs_;
  std::map<std::string, int> block_index_;
  std::vector<std::map<std::string, Entry>> scopes_;
  std::vector<int> state_;
  std::vector<int64_t> count_;
  std::vector<int> depth_;  // levels of blocks inside each block, itself included
  std::set<std::tuple<int, int, std::string>> reported_;
};

}  // namespace

FlatSpec expand_blocks(const SpecAst& spec, Diagnostics& diags) {
  return Expander(spec, diags).run();
}

}  // namespace modelc
