// upsample: [H, W, C] -> [H·sh, W·sw, C]. `size` (int or [sh, sw], 2) and
// `interpolation`: `nearest` (default) repeats each pixel; `bilinear` samples
// at half-pixel centres, source (i + 0.5)/s − 0.5 clamped to [0, H − 1], no
// antialiasing (PyTorch interpolate(align_corners=False), TF2 resize). No
// weights, and no MACs: like the published counts, summary's MACs are the
// convolutions' and dense layers' only.
// {op: upsample, size: 2, interpolation: bilinear}: [14, 14, 64] -> [28, 28, 64]
#include <fmt/format.h>

#include "emit/emit.hpp"
#include "ops/op.hpp"

namespace modelc {

namespace {

// In the order of Interpolation: the choice's index is the enumerator.
constexpr std::string_view kInterpolations[] = {"nearest", "bilinear"};

const AttrSpec kAttrs[] = {
    {"size", AttrType::int_pair, false,
     [](Attrs& a, const AttrValue& v) { a.up_h = v.ints[0], a.up_w = v.ints[1]; }},
    {"interpolation", AttrType::choice, false,
     [](Attrs& a, const AttrValue& v) { a.interpolation = static_cast<Interpolation>(v.ints[0]); },
     0.0, 0.0, false, false, kInterpolations},
};

bool shape(ShapeCtx& ctx) {
  if (!ctx.require_rank(3, "[H, W, C]")) return false;
  const Attrs& a = ctx.node.attrs;
  const Shape& x = ctx.in();
  // Each factor is at most kMaxDim (the attribute check) and so is each input
  // size, so the products fit in int64; infer_shapes checks the element limit.
  ctx.node.shape = {x[0] * a.up_h, x[1] * a.up_w, x[2]};
  return true;
}

bool bilinear(const EmitCtx& c) { return c.node().attrs.interpolation == Interpolation::bilinear; }

void geometry(const EmitCtx& c, CodeWriter& w) {
  const Shape& in = c.input_node().shape;
  const Attrs& a = c.node().attrs;
  w.line(
      "constexpr modelc::UpsampleGeom {}{{.n = 1, .h = {}, .w = {}, .c = {}, .sh = {}, "
      ".sw = {}}};",
      c.geom(), in[0], in[1], in[2], a.up_h, a.up_w);
}

void forward(const EmitCtx& c, CodeWriter& w) {
  w.line("modelc::upsample_{}_forward({}, {}, modelc::at({}, n));",
         bilinear(c) ? "bilinear" : "nearest", c.y(), c.x(), c.geom());
}

void backward(const EmitCtx& c, CodeWriter& w) {
  w.line("modelc::upsample_{}_backward({}, {}, modelc::at({}, n));",
         bilinear(c) ? "bilinear" : "nearest", c.dx(), c.dy(), c.geom());
}

std::string print_attrs(const Attrs& a) {
  return fmt::format(" size=[{},{}] interpolation={}", a.up_h, a.up_w,
                     kInterpolations[static_cast<size_t>(a.interpolation)]);
}

}  // namespace

const OpInfo ops::op_upsample = {
    .kind = OpKind::upsample,
    .name = "upsample",
    .summary = "upsampling of H and W by integer factors, nearest or bilinear",
    .attrs = kAttrs,
    .print_attrs = print_attrs,
    .shape = shape,
    .emit_geometry = geometry,
    .emit_forward = forward,
    .emit_backward = backward,
};

}  // namespace modelc
