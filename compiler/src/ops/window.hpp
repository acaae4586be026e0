// Sliding-window geometry shared by conv2d, maxpool and avgpool: output size
// and resolved pads per axis through modelc/geometry.hpp (the one size
// formula shared with the runtime), and the fix-it hint for `expect`.
#pragma once

#include "ops/op.hpp"

namespace modelc {

// [H, W, C] -> [H', W', out_channels]; resolves node.attrs.pad_* from the
// padding mode; fails when the window does not fit.
bool window_shape(ShapeCtx& ctx, int64_t out_channels);

// For an `expect` mismatch in H or W: which input size or padding gives the
// expected size (explicit padding is offered only when `allow_explicit`).
void window_expect_hint(const Node& node, const Shape& input, const Shape& expected,
                        bool allow_explicit, Diagnostic& d);

// The resolved window attributes for dump_ir: " k=3x3 s=1x1 pad=same [1,1,1,1]".
std::string window_attrs_text(const Attrs& a);

// The per-image Window2d initializer of a conv2d/pool node for generated code:
// "{.n = 1, .h = ..., .ow = ...}", every field by name.
std::string window2d_literal(const EmitCtx& c);

}  // namespace modelc
