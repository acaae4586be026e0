// Attributes and rules shared by maxpool and avgpool (the two differ only in
// what the runtime does inside the window): `pool`, `stride` (= pool by
// default), `padding` valid | same | p | [ph, pw] | [top, bottom, left, right],
// `ceil` (PyTorch's ceil_mode); [H, W, C] -> [H', W', C], no weights.
#pragma once

#include <fmt/format.h>

#include "ops/window.hpp"

namespace modelc::pool {

inline void store_padding(Attrs& a, const AttrValue& v) {
  a.padding = v.padding;
  if (v.padding == Padding::explicit_pad)
    a.pad_top = v.ints[0], a.pad_bottom = v.ints[1], a.pad_left = v.ints[2],
    a.pad_right = v.ints[3];
}

#define MODELC_POOL_ATTRS                                                                       \
  {"ceil", AttrType::boolean, false, [](Attrs& a, const AttrValue& v) { a.ceil = v.boolean; }}, \
      {"padding", AttrType::pool_padding, false, pool::store_padding},                          \
      {"pool", AttrType::int_pair, true,                                                        \
       [](Attrs& a, const AttrValue& v) { a.kh = v.ints[0], a.kw = v.ints[1]; }},               \
  {                                                                                             \
    "stride", AttrType::int_pair, false,                                                        \
        [](Attrs& a, const AttrValue& v) { a.sh = v.ints[0], a.sw = v.ints[1]; }                \
  }

inline const AttrSpec kAttrs[] = {MODELC_POOL_ATTRS};

// The stride defaults to the window.
inline void finish(Attrs& a, std::span<const std::string_view> given) {
  for (std::string_view k : given)
    if (k == "stride") return;
  a.sh = a.kh, a.sw = a.kw;
}

// The window rule, then the refusals of SPEC_FORMAT's "v2 rules at the edges":
// `ceil` with `same`, and windows that hold no real element (which PyTorch
// would average over nothing or max over -inf).
inline bool shape(ShapeCtx& ctx) {
  const Attrs& a = ctx.node.attrs;
  if (a.ceil && a.padding == Padding::same)
    return ctx.fail(
        "ceil: true cannot be combined with padding: same (same already rounds up); "
        "use explicit padding with ceil, or drop ceil");
  if (!window_shape(ctx, ctx.in().size() == 3 ? ctx.in()[2] : 0)) return false;
  const Shape& x = ctx.in();
  struct Axis {
    const char* name;
    int64_t in, k, s, before, out;
  };
  for (const Axis& ax : {Axis{"height", x[0], a.kh, a.sh, a.pad_top, ctx.node.shape[0]},
                         Axis{"width", x[1], a.kw, a.sw, a.pad_left, ctx.node.shape[1]}}) {
    if (ax.before >= ax.k)
      return ctx.fail(
          fmt::format("the first window along the {} lies wholly in the padding "
                      "({} before, pool {}): pad less than the pool",
                      ax.name, ax.before, ax.k));
    if ((ax.out - 1) * ax.s - ax.before >= ax.in)
      return ctx.fail(
          fmt::format("the last window along the {} lies wholly in the padding "
                      "(it starts at {} of an input of {}): pad less after",
                      ax.name, (ax.out - 1) * ax.s - ax.before, ax.in));
  }
  return true;
}

inline void hint(const Node& n, const Shape& in, const Shape& expected, Diagnostic& d) {
  window_expect_hint(n, in, expected, /*allow_explicit=*/false, d);
}

inline std::string print_attrs(const Attrs& a) {
  std::string s = window_attrs_text(a);
  if (a.ceil) s += " ceil";
  if (a.count_padding) s += " count_padding";
  return s;
}

}  // namespace modelc::pool
