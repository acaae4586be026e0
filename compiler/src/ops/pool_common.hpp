// Attributes and rules shared by maxpool and avgpool (the two differ only in
// what the runtime does inside the window): `pool`, `stride` (= pool by
// default), `padding` valid | same; [H, W, C] -> [H', W', C], no weights.
#pragma once

#include "ops/window.hpp"

namespace modelc::pool {

inline const AttrSpec kAttrs[] = {
    {"padding", AttrType::pool_padding, false,
     [](Attrs& a, const AttrValue& v) { a.padding = v.padding; }},
    {"pool", AttrType::int_pair, true,
     [](Attrs& a, const AttrValue& v) { a.kh = v.ints[0], a.kw = v.ints[1]; }},
    {"stride", AttrType::int_pair, false,
     [](Attrs& a, const AttrValue& v) { a.sh = v.ints[0], a.sw = v.ints[1]; }},
};

// The stride defaults to the window.
inline void finish(Attrs& a, std::span<const std::string_view> given) {
  for (std::string_view k : given)
    if (k == "stride") return;
  a.sh = a.kh, a.sw = a.kw;
}

inline bool shape(ShapeCtx& ctx) { return window_shape(ctx, ctx.in()[2]); }

inline void hint(const Node& n, const Shape& in, const Shape& expected, Diagnostic& d) {
  window_expect_hint(n, in, expected, /*allow_explicit=*/false, d);
}

}  // namespace modelc::pool
