// Each op's shape rule, resolved pads, parameter shapes and MACs, on small
// odd sizes, valid/same/explicit padding and stride 2; and their errors.
#include <fmt/format.h>

#include "ops/op.hpp"
#include "passes/plan.hpp"
#include "test_util.hpp"

using namespace modelc;
using namespace modelc::test;

namespace {

std::string spec_of(std::string_view input_shape, std::string_view layer) {
  return fmt::format("name: T\ninput: {{shape: {}}}\nlayers:\n  - {}\n", input_shape, layer);
}

// The passes through infer_shapes only: these are shape rules, and a layer on
// the input can be what the memory plan rejects as a loss head (a softmax of
// the input: tests/compiler/bad_specs/softmax_of_input.yaml).
Compiled shapes_of(std::string_view input_shape, std::string_view layer) {
  Compiled c;
  PipelineOptions options;
  options.last = Stage::infer_shapes;
  Compilation out;
  if (run_passes("test.yaml", spec_of(input_shape, layer), options, out, c.diags))
    c.graph = std::move(out.graph);
  return c;
}

Node one(std::string_view input_shape, std::string_view layer) {
  const Compiled c = shapes_of(input_shape, layer);
  INFO(c.errors());
  REQUIRE(c.graph.has_value());
  return c.graph->nodes.back();
}

std::string one_error(std::string_view input_shape, std::string_view layer) {
  const Compiled c = shapes_of(input_shape, layer);
  REQUIRE_FALSE(c.graph.has_value());
  REQUIRE_FALSE(c.diags.empty());
  return c.diags.all().front().message;
}

using S = Shape;

}  // namespace

TEST_SUITE("ops") {
  TEST_CASE("conv2d valid, stride 2, odd sizes") {
    const Node n = one("[5, 7, 3]", "{op: conv2d, name: c, filters: 4, kernel: 3, stride: 2}");
    CHECK(n.shape == S{2, 3, 4});
    CHECK(n.attrs.padding == Padding::valid);
    CHECK(n.attrs.pad_top + n.attrs.pad_bottom + n.attrs.pad_left + n.attrs.pad_right == 0);
    REQUIRE(n.params.size() == 2);
    CHECK(n.params[0].name == "kernel");
    CHECK(n.params[0].shape == S{3, 3, 3, 4});
    CHECK(n.params[1].name == "bias");
    CHECK(n.params[1].shape == S{4});
    CHECK(n.macs == 2 * 3 * 4 * (3 * 3 * 3));
    CHECK(n.weight_name(n.params[0]) == "c.kernel");
  }

  TEST_CASE("conv2d same: ceil(in / s), extra padding at the bottom/right") {
    const Node n =
        one("[5, 7, 3]", "{op: conv2d, filters: 2, kernel: 3, stride: 2, padding: same}");
    CHECK(n.shape == S{3, 4, 2});
    CHECK(n.attrs.pad_top == 1);
    CHECK(n.attrs.pad_bottom == 1);
    CHECK(n.attrs.pad_left == 1);
    CHECK(n.attrs.pad_right == 1);
    const Node even =
        one("[5, 5, 1]", "{op: conv2d, filters: 1, kernel: 4, stride: 2, padding: same}");
    CHECK(even.shape == S{3, 3, 1});
    CHECK(even.attrs.pad_top == 1);
    CHECK(even.attrs.pad_bottom == 2);  // total 3: the extra one at the bottom
    const Node s1 = one("[6, 6, 1]", "{op: conv2d, filters: 1, kernel: 2, padding: same}");
    CHECK(s1.shape == S{6, 6, 1});
    CHECK(s1.attrs.pad_top == 0);
    CHECK(s1.attrs.pad_bottom == 1);
  }

  TEST_CASE("conv2d explicit padding: int and [ph, pw]; rectangular kernels") {
    const Node n = one("[5, 7, 3]", "{op: conv2d, filters: 2, kernel: 3, stride: 2, padding: 1}");
    CHECK(n.shape == S{3, 4, 2});  // floor((5 + 2 - 3) / 2) + 1, floor((7 + 2 - 3) / 2) + 1
    CHECK(n.attrs.padding == Padding::explicit_pad);
    CHECK(n.attrs.pad_top == 1);
    CHECK(n.attrs.pad_right == 1);
    const Node r = one(
        "[5, 7, 3]", "{op: conv2d, filters: 2, kernel: [3, 1], padding: [0, 2], use_bias: false}");
    CHECK(r.shape == S{3, 11, 2});
    CHECK(r.attrs.pad_top == 0);
    CHECK(r.attrs.pad_left == 2);
    REQUIRE(r.params.size() == 1);
    CHECK(r.params[0].shape == S{3, 1, 3, 2});
    const Node st = one("[9, 9, 1]", "{op: conv2d, filters: 1, kernel: 3, stride: [2, 3]}");
    CHECK(st.shape == S{4, 3, 1});
  }

  TEST_CASE("conv2d activation, l2 and errors") {
    const Node n =
        one("[4, 4, 1]", "{op: conv2d, filters: 1, kernel: 1, activation: tanh, l2: 0.5}");
    CHECK(n.attrs.activation == Activation::tanh);
    CHECK(n.attrs.l2 == 0.5);
    CHECK(one_error("[4, 4, 1]", "{op: conv2d, name: c, filters: 1, kernel: 5}") ==
          "conv2d 'c': window 5x5 does not fit the input [4, 4, 1] from 'input' with padding "
          "'valid': the height is 4");
    CHECK(one_error("[4, 4, 1]", "{op: conv2d, name: c, filters: 0, kernel: 1}") ==
          "conv2d 'c': filters must be a positive integer, got 0");
    CHECK(one_error("[4, 4, 1]", "{op: conv2d, name: c, filters: 1, kernel: [1, 2, 3]}") ==
          "conv2d 'c': kernel must be a positive integer or a pair [h, w], got [1, 2, 3]");
    CHECK(one_error("[4, 4, 1]", "{op: conv2d, name: c, filters: 1, kernel: 1, stride: -2}") ==
          "conv2d 'c': stride must be a positive integer or a pair [h, w], got -2");
    CHECK(one_error("[4, 4, 1]", "{op: conv2d, name: c, filters: 1, kernel: 1, padding: full}") ==
          "conv2d 'c': padding must be 'valid', 'same', an integer >= 0 or a pair [ph, pw], got "
          "'full'");
    CHECK(one_error("[16]", "{op: conv2d, name: c, filters: 1, kernel: 1}") ==
          "conv2d 'c': needs a 3-d input [H, W, C], got [16] from 'input'");
  }

  TEST_CASE("conv2d_transpose valid: H*s + max(k - s, 0); Keras kernel layout and fans") {
    const Node n =
        one("[5, 7, 3]", "{op: conv2d_transpose, name: t, filters: 4, kernel: 3, stride: 2}");
    CHECK(n.shape == S{11, 15, 4});  // 5*2 + 1, 7*2 + 1
    CHECK(n.attrs.pad_top + n.attrs.pad_left == 0);
    REQUIRE(n.params.size() == 2);
    CHECK(n.params[0].name == "kernel");
    CHECK(n.params[0].shape == S{3, 3, 4, 3});  // [kh, kw, filters, cin]
    CHECK(n.params[0].init == Init::glorot_uniform);
    CHECK(n.params[0].fan_in == 3 * 3 * 4);   // Keras compute_fans: kh*kw*shape[-2]
    CHECK(n.params[0].fan_out == 3 * 3 * 3);  // kh*kw*shape[-1]
    CHECK(n.params[1].shape == S{4});
    CHECK(n.macs == 5 * 7 * 3 * (3 * 3) * 4);  // input pixels x taps
    // k < s: the windows leave gaps, H*s.
    CHECK(one("[5, 7, 3]", "{op: conv2d_transpose, filters: 2, kernel: 2, stride: 3}").shape ==
          S{15, 21, 2});
    CHECK(one("[5, 7, 3]", "{op: conv2d_transpose, filters: 2, kernel: [3, 1]}").shape ==
          S{7, 7, 2});
    const Node nb = one("[4, 4, 2]",
                        "{op: conv2d_transpose, filters: 2, kernel: 1, use_bias: false, "
                        "activation: gelu, l2: 0.25}");
    REQUIRE(nb.params.size() == 1);
    CHECK(nb.params[0].l2 == 0.25);
    CHECK(nb.attrs.activation == Activation::gelu);
  }

  TEST_CASE("conv2d_transpose same: H*s, the adjoint conv2d's same padding (extra at the end)") {
    const Node n =
        one("[5, 7, 3]", "{op: conv2d_transpose, filters: 4, kernel: 3, stride: 2, padding: same}");
    CHECK(n.shape == S{10, 14, 4});
    CHECK(n.attrs.pad_top == 0);  // total max(k - s, 0) = 1, at the bottom/right
    CHECK(n.attrs.pad_bottom == 1);
    CHECK(n.attrs.pad_left == 0);
    CHECK(n.attrs.pad_right == 1);
    const Node k4 =
        one("[5, 5, 1]", "{op: conv2d_transpose, filters: 1, kernel: 4, stride: 2, padding: same}");
    CHECK(k4.shape == S{10, 10, 1});
    CHECK(k4.attrs.pad_top == 1);
    CHECK(k4.attrs.pad_bottom == 1);
    const Node s1 =
        one("[5, 6, 1]", "{op: conv2d_transpose, filters: 1, kernel: 3, padding: same}");
    CHECK(s1.shape == S{5, 6, 1});
    CHECK(s1.attrs.pad_top == 1);
    const Node st = one("[5, 6, 1]",
                        "{op: conv2d_transpose, filters: 1, kernel: 2, stride: [3, 1], padding: "
                        "same}");
    CHECK(st.shape == S{15, 6, 1});
    CHECK(st.attrs.pad_bottom == 0);  // k < s: no padding
    CHECK(st.attrs.pad_right == 1);   // stride 1, kernel 2: one column at the right
  }

  TEST_CASE("conv2d_transpose explicit padding: (H - 1)*s + k - 2p + output_padding") {
    const Node n = one("[5, 7, 3]",
                       "{op: conv2d_transpose, filters: 4, kernel: 3, stride: 2, padding: 1, "
                       "output_padding: 1}");
    CHECK(n.shape == S{10, 14, 4});  // 4*2 + 3 - 2 + 1, 6*2 + 3 - 2 + 1
    CHECK(n.attrs.padding == Padding::explicit_pad);
    CHECK(n.attrs.pad_top == 1);
    CHECK(n.attrs.out_pad_h == 1);
    CHECK(n.attrs.out_pad_w == 1);
    const Node p = one("[5, 7, 3]",
                       "{op: conv2d_transpose, filters: 4, kernel: 3, stride: [2, 3], "
                       "padding: [1, 0], output_padding: [1, 2]}");
    CHECK(p.shape == S{10, 23, 4});  // 4*2 + 3 - 2 + 1, 6*3 + 3 - 0 + 2
    const Node z =
        one("[5, 7, 3]", "{op: conv2d_transpose, filters: 4, kernel: 3, stride: 2, padding: 1}");
    CHECK(z.shape == S{9, 13, 4});  // output_padding 0
    CHECK(z.attrs.out_pad_h == 0);
  }

  TEST_CASE("conv2d_transpose errors: output_padding, cropping, unknown keys") {
    CHECK(one_error("[5, 7, 3]",
                    "{op: conv2d_transpose, name: t, filters: 1, kernel: 3, stride: 2, padding: 1, "
                    "output_padding: 2}") ==
          "conv2d_transpose 't': output_padding 2x2 must be smaller than the stride 2x2 on its "
          "axis (the height: 2 >= 2)");
    CHECK(one_error("[5, 7, 3]",
                    "{op: conv2d_transpose, name: t, filters: 1, kernel: 3, stride: [2, 1], "
                    "padding: 1, output_padding: [1, 1]}") ==
          "conv2d_transpose 't': output_padding 1x1 must be smaller than the stride 2x1 on its "
          "axis (the width: 1 >= 1)");
    CHECK(one_error("[5, 7, 3]",
                    "{op: conv2d_transpose, name: t, filters: 1, kernel: 3, padding: 1, "
                    "output_padding: 1}") ==
          "conv2d_transpose 't': output_padding 1x1 must be smaller than the stride 1x1 on its "
          "axis (the height: 1 >= 1)");
    CHECK(one_error("[5, 7, 3]",
                    "{op: conv2d_transpose, name: t, filters: 1, kernel: 3, stride: 2, "
                    "padding: same, output_padding: 1}") ==
          "conv2d_transpose 't': output_padding needs explicit padding (an integer or [ph, pw]), "
          "got padding 'same'");
    CHECK(one_error("[5, 7, 3]",
                    "{op: conv2d_transpose, name: t, filters: 1, kernel: 3, stride: 2, "
                    "output_padding: 0}") ==
          "conv2d_transpose 't': output_padding needs explicit padding (an integer or [ph, pw]), "
          "got padding 'valid'");
    CHECK(one_error("[5, 7, 3]",
                    "{op: conv2d_transpose, name: t, filters: 1, kernel: 3, stride: 2, "
                    "padding: 1, output_padding: [1, 2, 3]}") ==
          "conv2d_transpose 't': output_padding must be an integer >= 0 or a pair [h, w], got "
          "[1, 2, 3]");
    CHECK(one_error("[5, 7, 3]",
                    "{op: conv2d_transpose, name: t, filters: 1, kernel: 3, stride: 2, "
                    "padding: 1, output_padding: -1}") ==
          "conv2d_transpose 't': output_padding must be an integer >= 0 or a pair [h, w], got -1");
    CHECK(one_error("[1, 1, 2]",
                    "{op: conv2d_transpose, name: t, filters: 1, kernel: 1, padding: 1}") ==
          "conv2d_transpose 't': padding 1x1 crops the whole output of kernel 1x1, stride 1x1 on "
          "the input [1, 1, 2] from 'input': the height would be -1");
    CHECK(one_error("[16]", "{op: conv2d_transpose, name: t, filters: 1, kernel: 1}") ==
          "conv2d_transpose 't': needs a 3-d input [H, W, C], got [16] from 'input'");
    for (const char* key : {"groups: 2", "dilation: 2"}) {
      CAPTURE(key);
      const std::string e = one_error(
          "[5, 7, 4]", fmt::format("{{op: conv2d_transpose, filters: 4, kernel: 3, {}}}", key));
      CHECK(e.find("unknown key '") == 0);
      CHECK(e.find("in conv2d_transpose") != std::string::npos);
    }
  }

  TEST_CASE("every row of modelc/activation.def parses by its name, and the error lists them all") {
    std::string all;
    for (size_t i = 0; i < kActivationCount; ++i) {
      const auto act = static_cast<Activation>(i);
      const std::string name(kActivationNames[i]);
      CAPTURE(name);
      const Node n = one("[6]", "{op: dense, units: 2, activation: " + name + "}");
      CHECK(n.attrs.activation == act);
      CHECK(activation_name(act) == name);
      all += (i == 0 ? "" : i + 1 == kActivationCount ? " or " : ", ") + name;
    }
    CHECK(all ==
          "linear, relu, sigmoid, tanh, softmax, relu6, elu, gelu, silu, hard_sigmoid or "
          "hard_swish");
    CHECK(one_error("[6]", "{op: dense, name: fc, units: 2, activation: swish}") ==
          "dense 'fc': activation must be " + all + ", got 'swish'");
  }

  TEST_CASE("dense acts on the last axis at any rank") {
    const Node v = one("[9216]", "{op: dense, name: fc, units: 4096, activation: relu}");
    CHECK(v.shape == S{4096});
    REQUIRE(v.params.size() == 2);
    CHECK(v.params[0].shape == S{9216, 4096});
    CHECK(v.params[1].shape == S{4096});
    CHECK(v.macs == 9216 * 4096);
    CHECK(v.attrs.activation == Activation::relu);
    const Node m = one("[3, 5, 7]", "{op: dense, units: 2, use_bias: false}");
    CHECK(m.shape == S{3, 5, 2});
    REQUIRE(m.params.size() == 1);
    CHECK(m.params[0].shape == S{7, 2});
    CHECK(m.macs == 3 * 5 * 2 * 7);
  }

  TEST_CASE("maxpool and avgpool: valid and same, stride defaults to the pool") {
    const Node a = one("[7, 5, 3]", "{op: maxpool, pool: 2}");
    CHECK(a.shape == S{3, 2, 3});
    CHECK(a.attrs.sh == 2);
    CHECK(a.attrs.sw == 2);
    const Node b = one("[7, 5, 3]", "{op: maxpool, pool: 2, padding: same}");
    CHECK(b.shape == S{4, 3, 3});
    CHECK(b.attrs.pad_bottom == 1);
    const Node c = one("[55, 55, 96]", "{op: maxpool, pool: 3, stride: 2}");
    CHECK(c.shape == S{27, 27, 96});
    const Node d = one("[14, 14, 512]", "{op: avgpool, pool: 5, stride: 3}");
    CHECK(d.shape == S{4, 4, 512});
    CHECK(d.params.empty());
    CHECK(d.macs == 0);
    const Node e = one("[7, 7, 2]", "{op: avgpool, pool: 3, stride: 2, padding: same}");
    CHECK(e.shape == S{4, 4, 2});
    const Node f = one("[7, 9, 2]", "{op: avgpool, pool: [3, 1], stride: [1, 2]}");
    CHECK(f.shape == S{5, 5, 2});
    CHECK(one_error("[4, 4, 1]", "{op: avgpool, name: p, pool: 5}") ==
          "avgpool 'p': window 5x5 does not fit the input [4, 4, 1] from 'input' with padding "
          "'valid': the height is 4");
  }

  // PyTorch's MaxPool2d/AvgPool2d arithmetic: explicit and asymmetric padding,
  // ceil_mode (the last window dropped when it would start in the padding),
  // count_include_pad.
  TEST_CASE("pools: explicit padding, ceil and count_padding") {
    const Node r = one("[112, 112, 64]", "{op: maxpool, pool: 3, stride: 2, padding: 1}");
    CHECK(r.shape == S{56, 56, 64});  // ResNet's stem pool
    CHECK(r.attrs.padding == Padding::explicit_pad);
    CHECK(r.attrs.pad_top == 1);
    CHECK(r.attrs.pad_right == 1);
    CHECK(
        one("[112, 112, 64]", "{op: maxpool, pool: 3, stride: 2, padding: 1, ceil: true}").shape ==
        S{57, 57, 64});
    CHECK(one("[112, 112, 64]", "{op: maxpool, pool: 3, stride: 2, ceil: true}").shape ==
          S{56, 56, 64});  // GoogLeNet's pools: ceil((112 - 3) / 2) + 1
    // 5 + 2 - 2 = 5: ceil(5 / 2) + 1 = 4, but the 4th window would start at 6 = 5 + 1: dropped.
    CHECK(one("[5, 5, 1]", "{op: maxpool, pool: 2, stride: 2, padding: 1, ceil: true}").shape ==
          S{3, 3, 1});
    const Node a =
        one("[7, 5, 3]", "{op: avgpool, pool: 2, padding: [1, 0, 0, 1], count_padding: true}");
    CHECK(a.shape == S{4, 3, 3});
    CHECK(a.attrs.pad_top == 1);
    CHECK(a.attrs.pad_bottom == 0);
    CHECK(a.attrs.pad_left == 0);
    CHECK(a.attrs.pad_right == 1);
    CHECK(a.attrs.count_padding);
    CHECK(dump_ir(must_compile(spec_of("[5, 5, 1]",
                                       "{op: avgpool, pool: 2, padding: 1, ceil: true, "
                                       "count_padding: true}")))
              .find(" pad=explicit [1,1,1,1] ceil count_padding ") != std::string::npos);
    CHECK(one_error("[4, 4, 1]", "{op: maxpool, name: p, pool: 2, padding: same, ceil: true}")
              .find("ceil: true cannot be combined with padding: same") != std::string::npos);
    CHECK(one_error("[4, 4, 1]", "{op: maxpool, name: p, pool: 2, count_padding: true}") ==
          "unknown key 'count_padding' in maxpool");
  }

  TEST_CASE("global_avgpool, flatten") {
    CHECK(one("[7, 7, 2048]", "{op: global_avgpool}").shape == S{2048});
    CHECK(one("[6, 6, 256]", "{op: flatten}").shape == S{9216});
    CHECK(one("[5, 3]", "{op: flatten}").shape == S{15});
    CHECK(one_error("[10]", "{op: global_avgpool, name: g}") ==
          "global_avgpool 'g': needs a 3-d input [H, W, C], got [10] from 'input'");
  }

  TEST_CASE("element-wise ops keep the shape") {
    for (const char* op : {"relu", "sigmoid", "tanh", "softmax"}) {
      CAPTURE(op);
      const Node n = one("[3, 5, 7]", fmt::format("{{op: {}}}", op));
      CHECK(n.shape == S{3, 5, 7});
      CHECK(n.params.empty());
    }
    const Node d = one("[11]", "{op: dropout, rate: 0.25}");
    CHECK(d.shape == S{11});
    CHECK(d.attrs.rate == 0.25);
    CHECK(one_error("[11]", "{op: dropout, name: d}") == "dropout 'd': missing attribute 'rate'");
    CHECK(one_error("[11]", "{op: relu, name: r, rate: 0.5}").find("unknown key 'rate' in relu") !=
          std::string::npos);
  }

  TEST_CASE("leaky_relu: alpha required, >= 0; same shape, no weights") {
    const Node n = one("[3, 5, 7]", "{op: leaky_relu, alpha: 0.2}");
    CHECK(n.shape == S{3, 5, 7});
    CHECK(n.params.empty());
    CHECK(n.attrs.alpha == doctest::Approx(0.2));
    CHECK(one("[4]", "{op: leaky_relu, alpha: 0}").attrs.alpha == 0.0);
    CHECK(one_error("[4]", "{op: leaky_relu, name: l}") ==
          "leaky_relu 'l': missing attribute 'alpha'");
    CHECK(one_error("[4]", "{op: leaky_relu, name: l, alpha: -1}")
              .find("alpha must be a number in [0, inf)") != std::string::npos);
    CHECK(dump_ir(must_compile(spec_of("[4]", "{op: leaky_relu, alpha: 0.25}")))
              .find(" alpha=0.25 ") != std::string::npos);
  }

  TEST_CASE("upsample: size int or pair (default 2), nearest or bilinear; no weights, no MACs") {
    const Node d = one("[5, 7, 3]", "{op: upsample}");
    CHECK(d.shape == S{10, 14, 3});
    CHECK(d.attrs.interpolation == Interpolation::nearest);
    CHECK(d.params.empty());
    CHECK(d.macs == 0);
    const Node n = one("[5, 7, 3]", "{op: upsample, size: 3, interpolation: bilinear}");
    CHECK(n.shape == S{15, 21, 3});
    CHECK(n.attrs.interpolation == Interpolation::bilinear);
    CHECK(n.macs ==
          0);  // summary's MACs are the convolutions' and dense layers' (published counts)
    const Node p = one("[5, 7, 3]", "{op: upsample, size: [2, 3], interpolation: nearest}");
    CHECK(p.shape == S{10, 21, 3});
    CHECK(p.attrs.up_h == 2);
    CHECK(p.attrs.up_w == 3);
    CHECK(one("[5, 7, 3]", "{op: upsample, size: [1, 1]}").shape == S{5, 7, 3});
    CHECK(one_error("[5, 7, 3]", "{op: upsample, name: u, interpolation: bicubic}") ==
          "upsample 'u': interpolation must be 'nearest' or 'bilinear', got 'bicubic'");
    CHECK(one_error("[5, 7, 3]", "{op: upsample, name: u, interpolation: 1}") ==
          "upsample 'u': interpolation must be 'nearest' or 'bilinear', got 1");
    CHECK(one_error("[5, 7, 3]", "{op: upsample, name: u, size: 0}") ==
          "upsample 'u': size must be a positive integer or a pair [h, w], got 0");
    CHECK(one_error("[5, 7, 3]", "{op: upsample, name: u, size: [2, 2, 2]}").find("size must be") !=
          std::string::npos);
    CHECK(one_error("[16]", "{op: upsample, name: u}") ==
          "upsample 'u': needs a 3-d input [H, W, C], got [16] from 'input'");
    CHECK(one_error("[5, 7, 3]", "{op: upsample, name: u, size: 4294967296}")
              .find("size must be a positive integer") != std::string::npos);
    // Within the per-dimension limit but not after scaling: the output is refused.
    CHECK(one_error("[65536, 1, 1]", "{op: upsample, name: u, size: [65536, 1]}")
              .find("larger than the limit") != std::string::npos);
    const std::string ir = dump_ir(must_compile(
        spec_of("[5, 7, 3]", "{op: upsample, size: [2, 3], interpolation: bilinear}")));
    CHECK(ir.find(" size=[2,3] interpolation=bilinear ") != std::string::npos);
  }

  TEST_CASE("layernorm: epsilon (1e-3) in (0, 1]; gamma ones, beta zeros; any rank") {
    const Node n = one("[5, 7, 3]", "{op: layernorm, epsilon: 1e-6}");
    CHECK(n.shape == S{5, 7, 3});
    CHECK(n.attrs.epsilon == doctest::Approx(1e-6));
    REQUIRE(n.params.size() == 2);
    CHECK(n.params[0].name == "gamma");
    CHECK(n.params[0].shape == S{3});
    CHECK(n.params[0].init == Init::ones);
    CHECK(n.params[1].name == "beta");
    CHECK(n.params[1].init == Init::zeros);
    CHECK(n.params[0].trainable);
    CHECK(n.params[0].l2 == 0.0);
    CHECK(one("[11]", "{op: layernorm}").attrs.epsilon == doctest::Approx(1e-3));
    CHECK(one("[11]", "{op: layernorm}").params[1].shape == S{11});
    CHECK(op_info(OpKind::layernorm).saved_floats(one("[5, 7, 3]", "{op: layernorm}")) == 2 * 35);
    CHECK(one_error("[4]", "{op: layernorm, name: l, epsilon: 0}") ==
          "layernorm 'l': epsilon must be a number in (0, 1], got 0");
    CHECK(one_error("[4]", "{op: layernorm, name: l, epsilon: 2}") ==
          "layernorm 'l': epsilon must be a number in (0, 1], got 2");
    CHECK(one_error("[4]", "{op: layernorm, name: l, momentum: 0.9}")
              .find("unknown key 'momentum' in layernorm") != std::string::npos);
  }

  TEST_CASE("scale: gamma [C] starts at init (1.0), any finite value; any rank") {
    const Node d = one("[5, 7, 3]", "{op: scale}");
    CHECK(d.shape == S{5, 7, 3});
    REQUIRE(d.params.size() == 1);
    CHECK(d.params[0].name == "gamma");
    CHECK(d.params[0].shape == S{3});
    CHECK(d.params[0].init == Init::constant);
    CHECK(d.params[0].value == 1.0);
    CHECK(d.params[0].trainable);
    const Node n = one("[9]", "{op: scale, init: 1e-6}");
    CHECK(n.params[0].shape == S{9});
    CHECK(n.params[0].value == doctest::Approx(1e-6));
    CHECK(one("[9]", "{op: scale, init: -2}").params[0].value == -2.0);
    CHECK(one_error("[4]", "{op: scale, name: s, init: .inf}") ==
          "scale 's': init must be a finite number, got .inf");
    CHECK(one_error("[4]", "{op: scale, name: s, init: one}") ==
          "scale 's': init must be a finite number, got 'one'");
    CHECK(dump_ir(must_compile(spec_of("[4]", "{op: scale, init: 0.5}"))).find(" init=0.5 ") !=
          std::string::npos);
  }

  TEST_CASE("v2 activations: ops of the same shape, no weights; elu's alpha (1.0, >= 0)") {
    for (const char* name : {"relu6", "elu", "gelu", "silu", "hard_sigmoid", "hard_swish"}) {
      CAPTURE(name);
      const Node n = one("[3, 5, 7]", fmt::format("{{op: {}}}", name));
      CHECK(op_name(n.op) == name);
      CHECK(n.shape == S{3, 5, 7});
      CHECK(n.params.empty());
      CHECK(n.macs == 0);
      // The same name is an `activation:` value of conv2d and dense.
      const Node d = one("[6]", fmt::format("{{op: dense, units: 2, activation: {}}}", name));
      CHECK(activation_name(d.attrs.activation) == name);
      CHECK(activation_reads_input(d.attrs.activation));
      const Node c = one("[5, 7, 3]", fmt::format("{{op: conv2d, filters: 2, kernel: 3, "
                                                  "activation: {}}}",
                                                  name));
      CHECK(activation_name(c.attrs.activation) == name);
    }
    CHECK(one("[4]", "{op: elu}").attrs.alpha == 1.0);
    CHECK(one("[4]", "{op: elu, alpha: 0.5}").attrs.alpha == 0.5);
    CHECK(one("[4]", "{op: elu, alpha: 0}").attrs.alpha == 0.0);
    CHECK(one_error("[4]", "{op: elu, name: e, alpha: -0.5}") ==
          "elu 'e': alpha must be a number in [0, inf), got -0.5");
    CHECK(one_error("[4]", "{op: elu, name: e, alpha: fast}").find("alpha must be a number") !=
          std::string::npos);
    CHECK(one_error("[4]", "{op: relu6, name: r, alpha: 1}").find("unknown key 'alpha' in relu6") !=
          std::string::npos);
    CHECK(dump_ir(must_compile(spec_of("[4]", "{op: elu}"))).find(" alpha=1 ") !=
          std::string::npos);
    // v1 activations keep reading their output: nothing more is kept for them.
    for (Activation a : {Activation::linear, Activation::relu, Activation::sigmoid,
                         Activation::tanh, Activation::softmax})
      CHECK(!activation_reads_input(a));
  }

  TEST_CASE("batchnorm: four [C] parameters, moving statistics non-trainable") {
    const Node n = one("[5, 7, 3]", "{op: batchnorm, epsilon: 1.001e-5, momentum: 0.9}");
    CHECK(n.shape == S{5, 7, 3});
    CHECK(n.attrs.epsilon == doctest::Approx(1.001e-5));
    CHECK(n.attrs.momentum == doctest::Approx(0.9));
    REQUIRE(n.params.size() == 4);
    const char* names[] = {"gamma", "beta", "moving_mean", "moving_variance"};
    const bool trainable[] = {true, true, false, false};
    for (size_t i = 0; i < 4; ++i) {
      CHECK(n.params[i].name == names[i]);
      CHECK(n.params[i].shape == S{3});
      CHECK(n.params[i].trainable == trainable[i]);
    }
    // Keras's initialisers: gamma and the moving variance start at one.
    CHECK(n.params[0].init == Init::ones);
    CHECK(n.params[1].init == Init::zeros);
    CHECK(n.params[2].init == Init::zeros);
    CHECK(n.params[3].init == Init::ones);
    const Node dflt = one("[4]", "{op: batchnorm}");
    CHECK(dflt.attrs.epsilon == doctest::Approx(1e-3));
    CHECK(dflt.attrs.momentum == doctest::Approx(0.99));
  }

  TEST_CASE("kernels: glorot_uniform with the fans of their layout, l2 on the kernel only") {
    const Node c = one("[9, 9, 3]", "{op: conv2d, filters: 8, kernel: [3, 5], l2: 0.01}");
    REQUIRE(c.params.size() == 2);
    CHECK(c.params[0].init == Init::glorot_uniform);
    CHECK(c.params[0].fan_in == 3 * 5 * 3);
    CHECK(c.params[0].fan_out == 3 * 5 * 8);
    CHECK(c.params[0].l2 == doctest::Approx(0.01));
    CHECK(c.params[1].init == Init::zeros);
    CHECK(c.params[1].l2 == 0.0);
    const Node d = one("[4, 6]", "{op: dense, units: 5}");
    CHECK(d.params[0].init == Init::glorot_uniform);
    CHECK(d.params[0].fan_in == 6);
    CHECK(d.params[0].fan_out == 5);
    CHECK(d.params[0].l2 == 0.0);
  }

  // The op records the passes loop over must be complete: a field one pass
  // relies on without its partner would only show up as bad generated code.
  TEST_CASE("every op record is complete") {
    for (const OpInfo* op : all_ops()) {
      CAPTURE(op->name);
      CHECK(op_info(op->kind).name == op->name);
      CHECK(bool(op->shape));
      CHECK(!op->summary.empty());
      if (op->kind == OpKind::input) continue;
      // Everything that runs a kernel emits forward and backward; a view only
      // at inference still runs in training.
      if (op->view != ViewRule::always) {
        CHECK(bool(op->emit_forward));
        CHECK(bool(op->emit_backward));
      }
      CHECK(bool(op->prepared_floats) == bool(op->emit_prepare));
      CHECK(bool(op->saved_floats) == !op->saved.empty());
      if (op->fusion == FusionRole::host) CHECK(bool(op->prepared_floats));
      CHECK((op->fusion == FusionRole::activation) == bool(op->fusable_activation));
      if (!op->attrs.empty()) CHECK(bool(op->print_attrs));
    }
  }

  TEST_CASE("lrn: defaults and attributes") {
    const Node d = one("[5, 5, 8]", "{op: lrn}");
    CHECK(d.shape == S{5, 5, 8});
    CHECK(d.attrs.lrn_size == 5);
    CHECK(d.attrs.lrn_alpha == doctest::Approx(1e-4));
    CHECK(d.attrs.lrn_beta == doctest::Approx(0.75));
    CHECK(d.attrs.lrn_bias == doctest::Approx(1.0));
    const Node n = one("[5, 5, 8]", "{op: lrn, size: 3, alpha: 2e-4, beta: 0.5, bias: 2}");
    CHECK(n.attrs.lrn_size == 3);
    CHECK(n.attrs.lrn_bias == doctest::Approx(2.0));
    CHECK(one_error("[8]", "{op: lrn, name: l, bias: 0}") ==
          "lrn 'l': bias must be a number in (0, inf), got 0");
  }

  TEST_CASE("zeropad: int, [ph, pw], [top, bottom, left, right]") {
    const Node a = one("[224, 224, 3]", "{op: zeropad, padding: 3}");
    CHECK(a.shape == S{230, 230, 3});
    const Node b = one("[5, 7, 3]", "{op: zeropad, padding: [1, 2]}");
    CHECK(b.shape == S{7, 11, 3});
    CHECK(b.attrs.pad_bottom == 1);
    CHECK(b.attrs.pad_right == 2);
    const Node c = one("[5, 7, 3]", "{op: zeropad, padding: [0, 1, 2, 3]}");
    CHECK(c.shape == S{6, 12, 3});
    CHECK(c.attrs.pad_top == 0);
    CHECK(c.attrs.pad_bottom == 1);
    CHECK(c.attrs.pad_left == 2);
    CHECK(c.attrs.pad_right == 3);
    CHECK(one_error("[5, 7, 3]", "{op: zeropad, name: z, padding: [1, 2, 3]}") ==
          "zeropad 'z': padding must be an integer >= 0, [ph, pw] or [top, bottom, left, right], "
          "got [1, 2, 3]");
  }

  TEST_CASE("concat joins on the last axis; add needs equal shapes") {
    const Graph g = must_compile(R"(
name: J
input: {shape: [5, 7, 3]}
layers:
  - {op: conv2d, name: a, filters: 2, kernel: 1}
  - {op: conv2d, name: b, input: input, filters: 5, kernel: 3, padding: same}
  - {op: concat, name: cat, inputs: [a, b, input]}
  - {op: conv2d, name: c, filters: 10, kernel: 1}
  - {op: add, name: sum, inputs: [cat, c, cat]}
)");
    CHECK(node(g, "cat").shape == S{5, 7, 10});
    CHECK(node(g, "cat").inputs == std::vector<int>{1, 2, 0});
    CHECK(node(g, "sum").shape == S{5, 7, 10});
    CHECK(node(g, "sum").inputs.size() == 3);
    const Diagnostic d = must_fail(R"(
name: J
input: {shape: [5, 7, 3]}
layers:
  - {op: relu, name: a}
  - {op: flatten, name: f}
  - {op: concat, name: cat, inputs: [a, f]}
)");
    CHECK(d.message ==
          "concat 'cat': inputs disagree in rank: [5, 7, 3] from 'a' vs [105] from 'f'");
  }

  TEST_CASE("expect hints on strided layers") {
    const Diagnostic d = must_fail(
        spec_of("[224, 224, 3]",
                "{op: conv2d, name: c, filters: 96, kernel: 11, stride: 4, expect: [55, 55, 96]}"));
    CHECK(d.message == "conv2d 'c': expected [55, 55, 96], got [54, 54, 96]");
    std::string notes;
    for (const Note& n : d.notes) notes += n.message + "\n";
    CHECK(notes.find("55 needs an input size of 227..230") != std::string::npos);
    CHECK(notes.find("keep 224 and use padding: 2") != std::string::npos);
  }

}  // TEST_SUITE

TEST_SUITE("v2 shape ops") {
  TEST_CASE("reshape: row-major view, one -1 inferred, element counts must match") {
    const Node a = one("[8, 8, 64]", "{op: reshape, shape: [-1, 64]}");
    CHECK(a.shape == S{64, 64});
    CHECK(a.attrs.target == S{-1, 64});
    CHECK(a.params.empty());
    CHECK(one("[6, 10]", "{op: reshape, shape: [3, 4, 5]}").shape == S{3, 4, 5});
    CHECK(one("[60]", "{op: reshape, shape: [1, 1, -1]}").shape == S{1, 1, 60});
    CHECK(op_info(OpKind::reshape).view == ViewRule::always);
    CHECK(one_error("[5, 7, 3]", "{op: reshape, name: r, shape: [10, 10]}") ==
          "reshape 'r': cannot reshape [5, 7, 3] (105 elements) from 'input' to [10, 10] (100 "
          "elements): the counts must match");
    CHECK(
        one_error("[5, 7, 3]", "{op: reshape, name: r, shape: [-1, 4]}") ==
        "reshape 'r': cannot reshape [5, 7, 3] (105 elements) from 'input' to [-1, 4]: 105 is not "
        "a multiple of 4, the product of the other sizes");
    const std::string expected =
        "shape must be a list of 1 to 4 positive sizes, at most one of them -1 (inferred)";
    const Diagnostic two = must_fail(spec_of("[12]", "{op: reshape, name: r, shape: [-1, 3, -1]}"));
    CHECK(two.message == "reshape 'r': " + expected + ", got [-1, 3, -1]");
    REQUIRE(two.notes.size() == 1);
    CHECK(two.notes[0].message == "only one size can be inferred from the others");
    for (const char* bad : {"[0, 12]", "[-2, 6]", "[]", "[1, 1, 1, 3, 4]", "12", "[1.5, 8]"}) {
      CAPTURE(bad);
      CHECK(one_error("[12]", fmt::format("{{op: reshape, name: r, shape: {}}}", bad)) ==
            fmt::format("reshape 'r': {}, got {}", expected, bad));
    }
    CHECK(one_error("[12]", "{op: reshape, name: r}") == "reshape 'r': missing attribute 'shape'");
    CHECK(dump_ir(must_compile(spec_of("[12]", "{op: reshape, shape: [-1, 3]}")))
              .find(" shape=[-1, 3]") != std::string::npos);
  }

  TEST_CASE("conv2d groups and dilation: kernel [kh, kw, C/groups, filters], dilated window") {
    const Node n = one("[5, 7, 6]", "{op: conv2d, filters: 9, kernel: 3, groups: 3}");
    CHECK(n.shape == S{3, 5, 9});
    REQUIRE(n.params.size() == 2);
    CHECK(n.params[0].shape == S{3, 3, 2, 9});
    CHECK(n.params[0].fan_in == 18);
    CHECK(n.params[0].fan_out == 81);
    CHECK(n.macs == 3 * 5 * 9 * 3 * 3 * 2);
    // Dilation 2: a 3x3 kernel spans 5x5; valid on 5x7 leaves 1x3, same keeps ceil(in / s).
    CHECK(one("[5, 7, 6]", "{op: conv2d, filters: 4, kernel: 3, dilation: 2}").shape == S{1, 3, 4});
    const Node same = one(
        "[5, 7, 6]", "{op: conv2d, filters: 4, kernel: 3, dilation: 2, stride: 2, padding: same}");
    CHECK(same.shape == S{3, 4, 4});
    CHECK(same.attrs.pad_top == 2);
    CHECK(same.attrs.pad_bottom == 2);
    CHECK(same.attrs.pad_left == 1);
    CHECK(same.attrs.pad_right == 2);
    CHECK(one("[5, 7, 6]", "{op: conv2d, filters: 4, kernel: [3, 2], dilation: [1, 3]}").shape ==
          S{3, 4, 4});
    CHECK(one_error("[5, 7, 6]", "{op: conv2d, name: c, filters: 9, kernel: 3, groups: 4}") ==
          "conv2d 'c': groups 4 does not divide the 6 input channels of [5, 7, 6] from 'input'");
    CHECK(one_error("[5, 7, 6]", "{op: conv2d, name: c, filters: 8, kernel: 3, groups: 3}") ==
          "conv2d 'c': groups 3 does not divide filters: 8");
    CHECK(one_error("[5, 7, 6]", "{op: conv2d, name: c, filters: 8, kernel: 3, groups: 0}") ==
          "conv2d 'c': groups must be a positive integer, got 0");
    CHECK(one_error("[5, 7, 6]", "{op: conv2d, name: c, filters: 8, kernel: 3, dilation: 3}")
              .find("window 3x3 (dilated to 7x7 by dilation 3x3) does not fit") !=
          std::string::npos);
    const std::string ir = dump_ir(must_compile(
        spec_of("[5, 7, 6]", "{op: conv2d, filters: 9, kernel: 3, groups: 3, dilation: 2}")));
    CHECK(ir.find(" groups=3") != std::string::npos);
    CHECK(ir.find(" d=2x2") != std::string::npos);
  }

  TEST_CASE("depthwise_conv2d: [H', W', C·dm], Keras kernel [kh, kw, C, dm], dilation") {
    const Node n = one("[5, 7, 6]", "{op: depthwise_conv2d, kernel: 3, stride: 2, padding: same}");
    CHECK(n.shape == S{3, 4, 6});
    REQUIRE(n.params.size() == 2);
    CHECK(n.params[0].name == "depthwise_kernel");
    CHECK(n.params[0].shape == S{3, 3, 6, 1});
    CHECK(n.params[0].fan_in == 54);
    CHECK(n.params[0].fan_out == 9);
    CHECK(n.params[1].shape == S{6});
    CHECK(n.macs == 3 * 4 * 6 * 9);
    const Node m = one("[5, 7, 6]",
                       "{op: depthwise_conv2d, kernel: [3, 2], depth_multiplier: 3, dilation: 2, "
                       "use_bias: false, padding: 1}");
    CHECK(m.shape == S{3, 5, 18});
    REQUIRE(m.params.size() == 1);
    CHECK(m.params[0].shape == S{3, 2, 6, 3});
    CHECK(
        one_error("[5, 7, 6]", "{op: depthwise_conv2d, name: d, kernel: 3, depth_multiplier: 0}") ==
        "depthwise_conv2d 'd': depth_multiplier must be a positive integer, got 0");
    CHECK(one_error("[5, 7, 6]", "{op: depthwise_conv2d, name: d}") ==
          "depthwise_conv2d 'd': missing attribute 'kernel'");
    CHECK(one_error("[6]", "{op: depthwise_conv2d, name: d, kernel: 1}") ==
          "depthwise_conv2d 'd': needs a 3-d input [H, W, C], got [6] from 'input'");
    CHECK(one_error("[5, 7, 6]", "{op: depthwise_conv2d, name: d, kernel: 3, filters: 6}") ==
          "unknown key 'filters' in depthwise_conv2d");
    const std::string ir = dump_ir(must_compile(
        spec_of("[5, 7, 6]", "{op: depthwise_conv2d, kernel: 3, depth_multiplier: 2}")));
    CHECK(ir.find(" depth_multiplier=2 k=3x3") != std::string::npos);
  }

  TEST_CASE("channel_shuffle: same shape, groups must divide the channels, any rank") {
    const Node n = one("[5, 7, 12]", "{op: channel_shuffle, groups: 3}");
    CHECK(n.shape == S{5, 7, 12});
    CHECK(n.attrs.groups == 3);
    CHECK(n.params.empty());
    CHECK(one("[10]", "{op: channel_shuffle, groups: 10}").shape == S{10});
    CHECK(
        one_error("[5, 7, 12]", "{op: channel_shuffle, name: s, groups: 5}") ==
        "channel_shuffle 's': groups 5 does not divide the 12 channels of [5, 7, 12] from 'input'");
    CHECK(one_error("[12]", "{op: channel_shuffle, name: s}") ==
          "channel_shuffle 's': missing attribute 'groups'");
    CHECK(one_error("[12]", "{op: channel_shuffle, name: s, groups: 0}") ==
          "channel_shuffle 's': groups must be a positive integer, got 0");
    CHECK(dump_ir(must_compile(spec_of("[12]", "{op: channel_shuffle, groups: 4}")))
              .find(" groups=4") != std::string::npos);
  }

  TEST_CASE("slice: begin and size on the last axis, -1 to the end, out of range is an error") {
    const Node a = one("[5, 7, 12]", "{op: slice, begin: 4, size: 5}");
    CHECK(a.shape == S{5, 7, 5});
    CHECK(a.params.empty());
    const Node b = one("[5, 7, 12]", "{op: slice, begin: 4, size: -1}");
    CHECK(b.shape == S{5, 7, 8});
    CHECK(b.attrs.size == 8);  // resolved
    CHECK(one("[12]", "{op: slice, begin: 0, size: 12}").shape == S{12});
    CHECK(one("[12]", "{op: slice, begin: 11, size: -1}").shape == S{1});
    CHECK(
        one_error("[5, 7, 12]", "{op: slice, name: s, begin: 8, size: 5}") ==
        "slice 's': begin 8 + size 5 = 13 is more than the 12 channels of [5, 7, 12] from 'input'");
    CHECK(one_error("[12]", "{op: slice, name: s, begin: 12, size: -1}") ==
          "slice 's': begin 12 is past the last of the 12 channels of [12] from 'input'");
    CHECK(one_error("[12]", "{op: slice, name: s, begin: -1, size: 2}") ==
          "slice 's': begin must be an integer >= 0, got -1");
    CHECK(one_error("[12]", "{op: slice, name: s, begin: 0, size: 0}") ==
          "slice 's': size must be a positive integer, or -1 for all that is left, got 0");
    CHECK(one_error("[12]", "{op: slice, name: s, begin: 0, size: -2}") ==
          "slice 's': size must be a positive integer, or -1 for all that is left, got -2");
    CHECK(one_error("[12]", "{op: slice, name: s, size: 2}") ==
          "slice 's': missing attribute 'begin'");
    CHECK(one_error("[12]", "{op: slice, name: s, begin: 2}") ==
          "slice 's': missing attribute 'size'");
    CHECK(dump_ir(must_compile(spec_of("[12]", "{op: slice, begin: 2, size: -1}")))
              .find(" begin=2 size=10") != std::string::npos);
  }

  TEST_CASE("global_maxpool and global_avgpool: keepdims gives [1, 1, C]") {
    for (const char* op : {"global_avgpool", "global_maxpool"}) {
      CAPTURE(op);
      CHECK(one("[5, 7, 16]", fmt::format("{{op: {}}}", op)).shape == S{16});
      CHECK(one("[5, 7, 16]", fmt::format("{{op: {}, keepdims: false}}", op)).shape == S{16});
      CHECK(one("[5, 7, 16]", fmt::format("{{op: {}, keepdims: true}}", op)).shape == S{1, 1, 16});
      CHECK(one_error("[10]", fmt::format("{{op: {}, name: g}}", op)) ==
            fmt::format("{} 'g': needs a 3-d input [H, W, C], got [10] from 'input'", op));
      CHECK(one_error("[5, 7, 16]", fmt::format("{{op: {}, name: g, keepdims: 1}}", op)) ==
            fmt::format("{} 'g': keepdims must be true or false, got 1", op));
    }
  }

  TEST_CASE("multiply and add: equal shapes, or [C] / [1, 1, C] broadcast over [H, W, C]") {
    const Graph g = must_compile(R"(
name: B
input: {shape: [5, 7, 3]}
layers:
  - {op: global_avgpool, name: v}
  - {op: global_avgpool, name: k, input: input, keepdims: true}
  - {op: multiply, name: m1, inputs: [input, v]}
  - {op: multiply, name: m2, inputs: [k, input, v, m1]}
  - {op: add, name: a1, inputs: [k, input]}
  - {op: add, name: a2, inputs: [v, k]}
  - {op: multiply, name: m3, inputs: [v, v]}
  - {op: multiply, name: m4, inputs: [k, k, v]}
)");
    CHECK(node(g, "m1").shape == S{5, 7, 3});
    CHECK(node(g, "m2").shape == S{5, 7, 3});
    CHECK(node(g, "a1").shape == S{5, 7, 3});
    CHECK(node(g, "a2").shape == S{1, 1, 3});
    CHECK(node(g, "m3").shape == S{3});
    CHECK(node(g, "m4").shape == S{1, 1, 3});
    CHECK(node(g, "m1").params.empty());
    CHECK(one("[4, 6]", "{op: multiply, inputs: [input, input]}").shape == S{4, 6});

    const auto fails = [](const char* layers) {
      return must_fail(fmt::format("name: B\ninput: {{shape: [5, 7, 3]}}\nlayers:\n{}", layers));
    };
    for (const char* op : {"multiply", "add"}) {
      CAPTURE(op);
      const Diagnostic c = fails(fmt::format("  - {{op: conv2d, name: c, filters: 4, kernel: 1}}\n"
                                             "  - {{op: global_avgpool, name: v, keepdims: true}}\n"
                                             "  - {{op: {}, name: m, inputs: [input, v]}}\n",
                                             op)
                                     .c_str());
      CHECK(c.message == fmt::format("{} 'm': inputs disagree: [5, 7, 3] from 'input' vs [1, 1, 4] "
                                     "from 'v'",
                                     op));
      CHECK(c.notes.back().message ==
            fmt::format("{} takes inputs of equal shapes, or [C] / [1, 1, C] inputs of the same C "
                        "broadcast over [H, W, C] ones",
                        op));
      // Only H and W broadcast: [1, 7, 3] is not [1, 1, C].
      CHECK(fails(fmt::format("  - {{op: maxpool, name: p, pool: [5, 1]}}\n"
                              "  - {{op: {}, name: m, inputs: [input, p]}}\n",
                              op)
                      .c_str())
                .message == fmt::format("{} 'm': inputs disagree: [5, 7, 3] from 'input' vs "
                                        "[1, 7, 3] from 'p'",
                                        op));
      // [C] against a rank-2 input: broadcasting is for [H, W, C] only.
      CHECK(fails(fmt::format("  - {{op: dense, name: d, units: 3}}\n"
                              "  - {{op: global_avgpool, name: v, input: input}}\n"
                              "  - {{op: reshape, name: r, shape: [35, 3], input: d}}\n"
                              "  - {{op: {}, name: m, inputs: [r, v]}}\n",
                              op)
                      .c_str())
                .message ==
            fmt::format("{} 'm': inputs disagree: [35, 3] from 'r' vs [3] from 'v'", op));
      CHECK(fails(fmt::format("  - {{op: {}, name: m, input: input}}\n", op).c_str()).message ==
            fmt::format("{} 'm': needs 2 or more inputs, got 1", op));
    }
  }

  TEST_CASE("a broadcasting add is never fused into the conv before it; an equal-shape one is") {
    const Graph g = must_compile(R"(
name: F
input: {shape: [5, 7, 3]}
layers:
  - {op: global_avgpool, name: gate, keepdims: true}
  - {op: conv2d, name: gate_c, filters: 4, kernel: 1}
  - {op: conv2d, name: c, input: input, filters: 4, kernel: 1}
  - {op: add, name: bias_like, inputs: [c, gate_c]}
  - {op: conv2d, name: c2, filters: 4, kernel: 1}
  - {op: add, name: res, inputs: [c2, bias_like]}
  - {op: multiply, name: se, inputs: [res, gate_c]}
  - {op: global_maxpool, name: out}
)");
    MemoryPlan plan;
    Diagnostics diags;
    REQUIRE(plan_memory(g, plan, diags));
    const auto at = [&](std::string_view name) {
      for (size_t i = 0; i < g.nodes.size(); ++i)
        if (g.nodes[i].name == name) return i;
      FAIL("no node " << name);
      return size_t{0};
    };
    CHECK(plan.nodes[at("c")].fuse_residual == -1);
    CHECK(plan.nodes[at("bias_like")].view_of == -1);
    CHECK(plan.nodes[at("c2")].fuse_residual == static_cast<int>(at("bias_like")));
    CHECK(plan.nodes[at("res")].view_of == static_cast<int>(at("c2")));
  }

}  // TEST_SUITE("v2 shape ops")
