// The broadcasting shared by add and multiply: inputs of equal shapes, or
// [C] / [1, 1, C] inputs of the same C over the [H, W, C] ones (`[C]` read as
// [1, 1, C]); when every rank-3 input is [1, 1, C], the result is [1, 1, C].
// The shape rule, and the per-input flags the broadcasting kernels take.
#pragma once

#include <string>
#include <vector>

#include <fmt/format.h>

#include "emit/emit.hpp"
#include "ops/op.hpp"

namespace modelc::broadcast {

// [C] or [1, 1, C]: read once per image, for every H, W position.
inline bool per_channel(const Shape& s) {
  return s.size() == 1 || (s.size() == 3 && s[0] == 1 && s[1] == 1);
}

inline bool shape(ShapeCtx& ctx) {
  // The reference: the first full [H, W, C] input (a rank-3 one that is not
  // [1, 1, C]), else the first input; every other must equal it or be a [C] /
  // [1, 1, C] of its C, the reference being of rank 1 or 3.
  size_t ref = 0;
  for (size_t i = 0; i < ctx.inputs.size(); ++i)
    if (ctx.in(i).size() == 3 && !per_channel(ctx.in(i))) {
      ref = i;
      break;
    }
  const Shape& full = ctx.in(ref);
  const bool ref_ok = full.size() == 1 || full.size() == 3;
  bool any_rank3 = false;
  for (size_t i = 0; i < ctx.inputs.size(); ++i) {
    const Shape& x = ctx.in(i);
    any_rank3 = any_rank3 || x.size() == 3;
    if (x == full || (ref_ok && per_channel(x) && x.back() == full.back())) continue;
    const Node& a = *ctx.inputs[ref];
    const Node& b = *ctx.inputs[i];
    ctx.fail(fmt::format("inputs disagree: {} from '{}' vs {} from '{}'", shape_str(full), a.name,
                         shape_str(x), b.name));
    ctx.error.note(a.loc,
                   fmt::format("'{}' ({}) gives {}", a.name, op_name(a.op), shape_str(full)));
    ctx.error.note(b.loc, fmt::format("'{}' ({}) gives {}", b.name, op_name(b.op), shape_str(x)));
    // One path downsampled by an integer factor more than the other: say so.
    const Node& big = full.size() == 3 && x.size() == 3 && full[0] > x[0] ? a : b;
    const Node& small = &big == &a ? b : a;
    if (big.shape.size() == 3 && small.shape.size() == 3 && small.shape[0] < big.shape[0] &&
        small.shape[1] > 0 && big.shape[0] % small.shape[0] == 0 &&
        big.shape[0] / small.shape[0] == big.shape[1] / small.shape[1] && !per_channel(small.shape))
      ctx.error.note(
          fmt::format("'{}' is downsampled {}x more than '{}': a strided layer on one "
                      "path only? (e.g. a shortcut taken from the main path instead "
                      "of the block input)",
                      small.name, big.shape[0] / small.shape[0], big.name));
    ctx.error.note(
        fmt::format("{} takes inputs of equal shapes, or [C] / [1, 1, C] inputs of the "
                    "same C broadcast over [H, W, C] ones",
                    op_name(ctx.node.op)));
    return false;
  }
  // Only [C] and [1, 1, C] inputs, not all equal: [1, 1, C].
  ctx.node.shape = full.size() == 1 && any_rank3 ? Shape{1, 1, full.back()} : full;
  return true;
}

// Whether input i is read once per image (fewer floats than the output).
inline bool broadcasts(const EmitCtx& c, size_t i) {
  return product_sat(c.input_node(i).shape) != product_sat(c.node().shape);
}

inline bool any(const EmitCtx& c) {
  for (size_t i = 0; i < c.node().inputs.size(); ++i)
    if (broadcasts(c, i)) return true;
  return false;
}

// constexpr bool g_x[] = {false, true};: the kernels' bcast flags.
inline void geometry(const EmitCtx& c, CodeWriter& w) {
  std::vector<std::string> flags;
  for (size_t i = 0; i < c.node().inputs.size(); ++i)
    flags.emplace_back(broadcasts(c, i) ? "true" : "false");
  w.line("constexpr bool {}[] = {{{}}};  // inputs read once per image, over H and W", c.geom(),
         fmt::join(flags, ", "));
}

}  // namespace modelc::broadcast
