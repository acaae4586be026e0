// What global_avgpool and global_maxpool share (they differ only in the
// kernel they call): `keepdims`, and [H, W, C] -> [C], or [1, 1, C] with keepdims.
#pragma once

#include <fmt/format.h>

#include "ops/op.hpp"

namespace modelc::global_pool {

inline const AttrSpec kAttrs[] = {
    {"keepdims", AttrType::boolean, false,
     [](Attrs& a, const AttrValue& v) { a.keepdims = v.boolean; }},
};

inline bool shape(ShapeCtx& ctx) {
  if (!ctx.require_rank(3, "[H, W, C]")) return false;
  const int64_t c = ctx.in()[2];
  ctx.node.shape = ctx.node.attrs.keepdims ? Shape{1, 1, c} : Shape{c};
  return true;
}

inline std::string print_attrs(const Attrs& a) { return fmt::format(" keepdims={}", a.keepdims); }

}  // namespace modelc::global_pool
