// slice: channels begin .. begin + size - 1 of the last axis, any rank:
// [H, W, C] -> [H, W, size] ([C] -> [size]); `size: -1` means to the end and
// is resolved here. Both are required; begin + size must not pass C. No weights.
// {op: slice, begin: 16, size: 16}: [8, 8, 64] -> [8, 8, 16]
#include <fmt/format.h>

#include "emit/emit.hpp"
#include "ops/op.hpp"

namespace modelc {

namespace {

const AttrSpec kAttrs[] = {
    {"begin", AttrType::nonneg_int, /*required=*/true,
     [](Attrs& a, const AttrValue& v) { a.begin = v.ints[0]; }},
    {"size", AttrType::size_or_rest, /*required=*/true,
     [](Attrs& a, const AttrValue& v) { a.size = v.ints[0]; }},
};

bool shape(ShapeCtx& ctx) {
  if (!ctx.require_min_rank(1)) return false;
  Attrs& a = ctx.node.attrs;
  const int64_t c = ctx.in().back();
  const std::string& from = ctx.inputs[0]->name;
  if (a.begin >= c)
    return ctx.fail(fmt::format("begin {} is past the last of the {} channels of {} from '{}'",
                                a.begin, c, shape_str(ctx.in()), from));
  if (a.size == -1) a.size = c - a.begin;  // resolved: print_attrs and emit see the real size
  if (a.begin + a.size > c)
    return ctx.fail(
        fmt::format("begin {} + size {} = {} is more than the {} channels of {} from "
                    "'{}'",
                    a.begin, a.size, a.begin + a.size, c, shape_str(ctx.in()), from));
  Shape out = ctx.in();
  out.back() = a.size;
  ctx.node.shape = std::move(out);
  return true;
}

void forward(const EmitCtx& c, CodeWriter& w) {
  const Attrs& a = c.node().attrs;
  w.line("modelc::slice_forward({}, {}, n * {}, {}, {}, {});", c.y(), c.x(), c.rows(),
         c.input_node().shape.back(), a.begin, a.size);
}

void backward(const EmitCtx& c, CodeWriter& w) {
  const Attrs& a = c.node().attrs;
  w.line("modelc::slice_backward({}, {}, n * {}, {}, {}, {});", c.dx(), c.dy(), c.rows(),
         c.input_node().shape.back(), a.begin, a.size);
}

}  // namespace

const OpInfo ops::op_slice = {
    .kind = OpKind::slice,
    .name = "slice",
    .summary = "channels begin .. begin + size - 1 of the last axis",
    .attrs = kAttrs,
    .print_attrs = [](const Attrs& a) { return fmt::format(" begin={} size={}", a.begin, a.size); },
    .shape = shape,
    .emit_forward = forward,
    .emit_backward = backward,
};

}  // namespace modelc
