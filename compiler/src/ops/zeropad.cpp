// zeropad: [H, W, C] -> [top + H + bottom, left + W + right, C], zeros around.
// padding: p (all four sides) | [ph, pw] | [top, bottom, left, right]
// {op: zeropad, padding: 3}: [224, 224, 3] -> [230, 230, 3]
#include "emit/emit.hpp"
#include "ops/op.hpp"

#include <fmt/format.h>

namespace modelc {

namespace {

const AttrSpec kAttrs[] = {
    {"padding", AttrType::zero_padding, true,
     [](Attrs& a, const AttrValue& v) {
       a.pad_top = v.ints[0], a.pad_bottom = v.ints[1];
       a.pad_left = v.ints[2], a.pad_right = v.ints[3];
     }},
};

bool shape(ShapeCtx& ctx) {
  if (!ctx.require_rank(3, "[H, W, C]")) return false;
  const Attrs& a = ctx.node.attrs;
  const Shape& x = ctx.in();
  ctx.node.shape = {x[0] + a.pad_top + a.pad_bottom, x[1] + a.pad_left + a.pad_right, x[2]};
  return true;
}

void geometry(const EmitCtx& c, CodeWriter& w) {
  const Shape& in = c.input_node().shape;
  const Attrs& a = c.node().attrs;
  w.line(
      "constexpr modelc::ZeropadGeom {}{{.n = 1, .h = {}, .w = {}, .c = {}, .top = {}, .bottom = "
      "{}, "
      ".left = {}, .right = {}}};",
      c.geom(), in[0], in[1], in[2], a.pad_top, a.pad_bottom, a.pad_left, a.pad_right);
}

void forward(const EmitCtx& c, CodeWriter& w) {
  w.line("modelc::zeropad_forward({}, {}, modelc::at({}, n));", c.y(), c.x(), c.geom());
}

void backward(const EmitCtx& c, CodeWriter& w) {
  w.line("modelc::zeropad_backward({}, {}, modelc::at({}, n));", c.dx(), c.dy(), c.geom());
}

std::string print_attrs(const Attrs& a) {
  return fmt::format(" pad=[{},{},{},{}]", a.pad_top, a.pad_bottom, a.pad_left, a.pad_right);
}

}  // namespace

const OpInfo ops::op_zeropad = {
    .kind = OpKind::zeropad,
    .name = "zeropad",
    .summary = "zero padding around H and W",
    .attrs = kAttrs,
    .print_attrs = print_attrs,
    .shape = shape,
    .emit_geometry = geometry,
    .emit_forward = forward,
    .emit_backward = backward,
};

}  // namespace modelc
