#include "ops/window.hpp"

#include "emit/emit.hpp"

#include <fmt/format.h>

#include "modelc/geometry.hpp"

namespace modelc {

namespace {

struct Axis {
  const char* name;
  int64_t in, k, s, pad_before, pad_after;
};

// `ceil` (pools only, never with same): PyTorch's ceil_mode, the last window
// dropped when it would start at or past the input's end (in + pad_before).
Window1d window(Padding p, const Axis& a, bool ceil) {
  switch (p) {
    case Padding::valid:
      return ceil ? window_ceil(a.in, a.k, a.s, 0, 0) : window_valid(a.in, a.k, a.s);
    case Padding::same: return window_same(a.in, a.k, a.s);
    case Padding::explicit_pad:
      return ceil ? window_ceil(a.in, a.k, a.s, a.pad_before, a.pad_after)
                  : window_explicit(a.in, a.k, a.s, a.pad_before, a.pad_after);
  }
  return {};
}

std::string padding_desc(const Attrs& a) {
  if (a.padding != Padding::explicit_pad) return fmt::format("'{}'", padding_name(a.padding));
  if (a.pad_top != a.pad_bottom || a.pad_left != a.pad_right)
    return fmt::format("[{}, {}, {}, {}]", a.pad_top, a.pad_bottom, a.pad_left, a.pad_right);
  return fmt::format("{}x{}", a.pad_top, a.pad_left);
}

// Inputs [lo, hi] that give `out` for kernel k, stride s and total padding `pads`.
std::pair<int64_t, int64_t> inputs_for(int64_t out, int64_t k, int64_t s, int64_t pads) {
  const int64_t lo = (out - 1) * s + k - pads;
  return {std::max<int64_t>(lo, 1), lo + s - 1};
}

std::string range_str(std::pair<int64_t, int64_t> r) {
  return r.first == r.second ? std::to_string(r.first) : fmt::format("{}..{}", r.first, r.second);
}

}  // namespace

bool window_shape(ShapeCtx& ctx, int64_t out_channels) {
  if (!ctx.require_rank(3, "[H, W, C]")) return false;
  Attrs& a = ctx.node.attrs;
  const Shape& x = ctx.in();
  // A dilated window spans (k - 1)·d + 1 inputs.
  const int64_t ekh = (a.kh - 1) * a.dh + 1, ekw = (a.kw - 1) * a.dw + 1;
  const Axis h{"height", x[0], ekh, a.sh, a.pad_top, a.pad_bottom};
  const Axis w{"width", x[1], ekw, a.sw, a.pad_left, a.pad_right};
  const Window1d wh = window(a.padding, h, a.ceil), ww = window(a.padding, w, a.ceil);
  if (wh.out <= 0 || ww.out <= 0) {
    const Axis& bad = wh.out <= 0 ? h : w;
    ctx.fail(
        fmt::format("window {}x{}{} does not fit the input {} from '{}' with padding {}: "
                    "the {} is {}{}",
                    a.kh, a.kw,
                    ekh != a.kh || ekw != a.kw
                        ? fmt::format(" (dilated to {}x{} by dilation {}x{})", ekh, ekw, a.dh, a.dw)
                        : "",
                    shape_str(x), ctx.inputs[0]->name, padding_desc(a), bad.name,
                    bad.in + bad.pad_before + bad.pad_after,
                    a.padding == Padding::valid ? "" : " after padding"));
    ctx.error.note(fmt::format("use padding: same, a smaller window, or a larger input ({} >= {})",
                               bad.name, bad.k));
    return false;
  }
  a.pad_top = wh.pad_before, a.pad_bottom = wh.pad_after;
  a.pad_left = ww.pad_before, a.pad_right = ww.pad_after;
  ctx.node.shape = {wh.out, ww.out, out_channels};
  return true;
}

void window_expect_hint(const Node& node, const Shape& input, const Shape& expected,
                        bool allow_explicit, Diagnostic& d) {
  const Attrs& a = node.attrs;
  if (input.size() != 3 || expected.size() != 3 || node.shape.size() != 3) return;
  const Axis axes[2] = {{"height", input[0], (a.kh - 1) * a.dh + 1, a.sh, a.pad_top, a.pad_bottom},
                        {"width", input[1], (a.kw - 1) * a.dw + 1, a.sw, a.pad_left, a.pad_right}};
  for (int i = 0; i < 2; ++i) {
    const Axis& ax = axes[i];
    const int64_t want = expected[static_cast<size_t>(i)];
    if (want == node.shape[static_cast<size_t>(i)] || want <= 0) continue;
    // Describe both axes at once when they are the same problem.
    const bool both = i == 0 && expected[1] == want && input[1] == input[0] && a.kw == a.kh &&
                      a.sw == a.sh && node.shape[1] == node.shape[0];
    std::vector<std::string> fixes;
    if (a.padding != Padding::valid && window_valid(ax.in, ax.k, ax.s).out == want)
      fixes.push_back("padding: valid");
    if (a.padding != Padding::same && window_same(ax.in, ax.k, ax.s).out == want)
      fixes.push_back("padding: same");
    if (allow_explicit) {
      const int64_t lo = (want - 1) * ax.s + ax.k - ax.in;  // total padding needed, at least
      const int64_t p = lo <= 0 ? 0 : (lo + 1) / 2;
      const bool is_current = a.padding == Padding::explicit_pad && p == ax.pad_before;
      if (p > 0 && !is_current && window_explicit(ax.in, ax.k, ax.s, p, p).out == want)
        fixes.push_back(fmt::format("padding: {}", p));
    }
    const int64_t cur_pads = a.padding == Padding::explicit_pad ? ax.pad_before + ax.pad_after : 0;
    const auto need = a.padding == Padding::same ? inputs_for(want, 1, ax.s, 0)
                                                 : inputs_for(want, ax.k, ax.s, cur_pads);
    std::string text = fmt::format(
        "with window {}, stride {} and padding {}, {} {} give{} {}; {} needs an input {} of {}",
        ax.k, ax.s, padding_desc(a), both ? "height and width" : ax.name, ax.in, both ? "" : "s",
        node.shape[static_cast<size_t>(i)], want, both ? "size" : ax.name, range_str(need));
    if (a.padding != Padding::valid)
      text +=
          fmt::format(" (or {} with padding 'valid')", range_str(inputs_for(want, ax.k, ax.s, 0)));
    if (!fixes.empty())
      text += fmt::format(", or keep {} and use {}", ax.in, fmt::join(fixes, " or "));
    d.note(node.loc, text);
    if (both) break;
  }
}

std::string window_attrs_text(const Attrs& a) {
  return fmt::format(" k={}x{} s={}x{}{} pad={} [{},{},{},{}]", a.kh, a.kw, a.sh, a.sw,
                     a.dh != 1 || a.dw != 1 ? fmt::format(" d={}x{}", a.dh, a.dw) : "",
                     padding_name(a.padding), a.pad_top, a.pad_bottom, a.pad_left, a.pad_right);
}

std::string window2d_literal(const EmitCtx& c) {
  const Node& n = c.node();
  const Shape& in = c.input_node().shape;
  const Attrs& a = n.attrs;
  return fmt::format(
      "{{.n = 1, .h = {}, .w = {}, .c = {}, .kh = {}, .kw = {}, .sh = {}, .sw = {}, "
      ".pad_top = {}, .pad_left = {}, .oh = {}, .ow = {}{}}}",
      in[0], in[1], in[2], a.kh, a.kw, a.sh, a.sw, a.pad_top, a.pad_left, n.shape[0], n.shape[1],
      a.dh != 1 || a.dw != 1 ? fmt::format(", .dh = {}, .dw = {}", a.dh, a.dw) : "");
}

}  // namespace modelc
