// Sliding-window geometry shared by conv2d, maxpool and avgpool: output size
// and resolved pads per axis through modelc/geometry.hpp (the one size
// formula shared with the runtime), and the fix-it hint for `expect`.
#pragma once

#include "ops/op.hpp"

namespace modelc {

// The attributes the conv family (conv2d, depthwise_conv2d, conv2d_transpose)
// shares, each written once; an op's table lists the ones it takes.
namespace conv_attrs {
inline constexpr AttrSpec activation{
    "activation", AttrType::activation, false,
    [](Attrs& a, const AttrValue& v) { a.activation = v.activation; }};
inline constexpr AttrSpec dilation{
    "dilation", AttrType::int_pair, false,
    [](Attrs& a, const AttrValue& v) { a.dh = v.ints[0], a.dw = v.ints[1]; }};
inline constexpr AttrSpec filters{"filters", AttrType::positive_int, true,
                                  [](Attrs& a, const AttrValue& v) { a.filters = v.ints[0]; }};
inline constexpr AttrSpec kernel{
    "kernel", AttrType::int_pair, true,
    [](Attrs& a, const AttrValue& v) { a.kh = v.ints[0], a.kw = v.ints[1]; }};
inline constexpr AttrSpec l2{
    "l2", AttrType::real, false, [](Attrs& a, const AttrValue& v) { a.l2 = v.real; }, 0.0, 1e30};
inline constexpr AttrSpec padding{"padding", AttrType::conv_padding, false,
                                  [](Attrs& a, const AttrValue& v) {
                                    a.padding = v.padding;
                                    a.pad_top = a.pad_bottom = v.ints[0];
                                    a.pad_left = a.pad_right = v.ints[1];
                                  }};
inline constexpr AttrSpec stride{
    "stride", AttrType::int_pair, false,
    [](Attrs& a, const AttrValue& v) { a.sh = v.ints[0], a.sw = v.ints[1]; }};
inline constexpr AttrSpec use_bias{"use_bias", AttrType::boolean, false,
                                   [](Attrs& a, const AttrValue& v) { a.use_bias = v.boolean; }};
}  // namespace conv_attrs

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
