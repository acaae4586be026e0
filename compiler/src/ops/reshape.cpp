// reshape: to `shape` (without the batch), the elements kept in row-major
// (NHWC) order, like Keras Reshape; one size may be -1, inferred from the
// others. The element counts must match. A view for the runtime, as flatten.
// {op: reshape, shape: [-1, 64]}: [8, 8, 64] -> [64, 64]
#include <fmt/format.h>

#include "ops/op.hpp"

namespace modelc {

namespace {

const AttrSpec kAttrs[] = {
    {"shape", AttrType::target_shape, /*required=*/true,
     [](Attrs& a, const AttrValue& v) { a.target.assign(v.ints, v.ints + v.count); }},
};

bool shape(ShapeCtx& ctx) {
  const Shape& target = ctx.node.attrs.target;
  const int64_t elements = product_sat(ctx.in());
  int64_t known = 1;
  Shape out = target;
  int64_t* inferred = nullptr;
  for (int64_t& d : out) {
    if (d == -1)
      inferred = &d;
    else
      known = mul_sat(known, d);
  }
  const std::string from = fmt::format("{} ({} elements) from '{}'", shape_str(ctx.in()),
                                       with_commas(elements), ctx.inputs[0]->name);
  if (inferred) {
    if (elements % known != 0)
      return ctx.fail(
          fmt::format("cannot reshape {} to {}: {} is not a multiple of {}, the "
                      "product of the other sizes",
                      from, shape_str(target), with_commas(elements), with_commas(known)));
    *inferred = elements / known;
  } else if (known != elements) {
    return ctx.fail(fmt::format("cannot reshape {} to {} ({} elements): the counts must match",
                                from, shape_str(target), with_commas(known)));
  }
  ctx.node.shape = std::move(out);
  return true;
}

}  // namespace

const OpInfo ops::op_reshape = {
    .kind = OpKind::reshape,
    .name = "reshape",
    .summary = "to another shape of as many elements, in row-major order (a view)",
    .attrs = kAttrs,
    .print_attrs = [](const Attrs& a) { return fmt::format(" shape={}", shape_str(a.target)); },
    .shape = shape,
    .view = ViewRule::always,
};

}  // namespace modelc
