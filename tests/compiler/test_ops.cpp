// Each op's shape rule, resolved pads, parameter shapes and MACs, on small
// odd sizes, valid/same/explicit padding and stride 2; and their errors.
#include <fmt/format.h>

#include "ops/op.hpp"
#include "test_util.hpp"

using namespace modelc;
using namespace modelc::test;

namespace {

std::string spec_of(std::string_view input_shape, std::string_view layer) {
  return fmt::format("name: T\ninput: {{shape: {}}}\nlayers:\n  - {}\n", input_shape, layer);
}

Node one(std::string_view input_shape, std::string_view layer) {
  Graph g = must_compile(spec_of(input_shape, layer));
  return g.nodes.back();
}

std::string one_error(std::string_view input_shape, std::string_view layer) {
  return must_fail(spec_of(input_shape, layer)).message;
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
  const Node n = one("[5, 7, 3]", "{op: conv2d, filters: 2, kernel: 3, stride: 2, padding: same}");
  CHECK(n.shape == S{3, 4, 2});
  CHECK(n.attrs.pad_top == 1);
  CHECK(n.attrs.pad_bottom == 1);
  CHECK(n.attrs.pad_left == 1);
  CHECK(n.attrs.pad_right == 1);
  const Node even = one("[5, 5, 1]", "{op: conv2d, filters: 1, kernel: 4, stride: 2, padding: same}");
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
  const Node r = one("[5, 7, 3]", "{op: conv2d, filters: 2, kernel: [3, 1], padding: [0, 2], use_bias: false}");
  CHECK(r.shape == S{3, 11, 2});
  CHECK(r.attrs.pad_top == 0);
  CHECK(r.attrs.pad_left == 2);
  REQUIRE(r.params.size() == 1);
  CHECK(r.params[0].shape == S{3, 1, 3, 2});
  const Node st = one("[9, 9, 1]", "{op: conv2d, filters: 1, kernel: 3, stride: [2, 3]}");
  CHECK(st.shape == S{4, 3, 1});
}

TEST_CASE("conv2d activation, l2 and errors") {
  const Node n = one("[4, 4, 1]", "{op: conv2d, filters: 1, kernel: 1, activation: tanh, l2: 0.5}");
  CHECK(n.attrs.activation == Activation::tanh);
  CHECK(n.attrs.l2 == 0.5);
  CHECK(one_error("[4, 4, 1]", "{op: conv2d, name: c, filters: 1, kernel: 5}") ==
        "conv2d 'c': window 5x5 does not fit the input [4, 4, 1] from 'input' with padding 'valid': the height is 4");
  CHECK(one_error("[4, 4, 1]", "{op: conv2d, name: c, filters: 0, kernel: 1}") ==
        "conv2d 'c': filters must be a positive integer, got 0");
  CHECK(one_error("[4, 4, 1]", "{op: conv2d, name: c, filters: 1, kernel: [1, 2, 3]}") ==
        "conv2d 'c': kernel must be a positive integer or a pair [h, w], got [1, 2, 3]");
  CHECK(one_error("[4, 4, 1]", "{op: conv2d, name: c, filters: 1, kernel: 1, stride: -2}") ==
        "conv2d 'c': stride must be a positive integer or a pair [h, w], got -2");
  CHECK(one_error("[4, 4, 1]", "{op: conv2d, name: c, filters: 1, kernel: 1, padding: full}") ==
        "conv2d 'c': padding must be 'valid', 'same', an integer >= 0 or a pair [ph, pw], got 'full'");
  CHECK(one_error("[16]", "{op: conv2d, name: c, filters: 1, kernel: 1}") ==
        "conv2d 'c': needs a 3-d input [H, W, C], got [16] from 'input'");
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
  CHECK(all == "linear, relu, sigmoid, tanh, softmax, relu6, elu, gelu, silu, hard_sigmoid or "
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
        "avgpool 'p': window 5x5 does not fit the input [4, 4, 1] from 'input' with padding 'valid': the height is 4");
  CHECK(one_error("[4, 4, 1]", "{op: maxpool, name: p, pool: 2, padding: [1, 1]}") ==
        "maxpool 'p': padding must be 'valid' or 'same', got [1, 1]");
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
  CHECK(one_error("[11]", "{op: relu, name: r, rate: 0.5}").find("unknown key 'rate' in relu") != std::string::npos);
}

TEST_CASE("leaky_relu: alpha required, >= 0; same shape, no weights") {
  const Node n = one("[3, 5, 7]", "{op: leaky_relu, alpha: 0.2}");
  CHECK(n.shape == S{3, 5, 7});
  CHECK(n.params.empty());
  CHECK(n.attrs.alpha == doctest::Approx(0.2));
  CHECK(one("[4]", "{op: leaky_relu, alpha: 0}").attrs.alpha == 0.0);
  CHECK(one_error("[4]", "{op: leaky_relu, name: l}") == "leaky_relu 'l': missing attribute 'alpha'");
  CHECK(one_error("[4]", "{op: leaky_relu, name: l, alpha: -1}").find("alpha must be a number in [0, inf)") !=
        std::string::npos);
  CHECK(dump_ir(must_compile(spec_of("[4]", "{op: leaky_relu, alpha: 0.25}"))).find(" alpha=0.25 ") !=
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
                                                "activation: {}}}", name));
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
  CHECK(dump_ir(must_compile(spec_of("[4]", "{op: elu}"))).find(" alpha=1 ") != std::string::npos);
  // v1 activations keep reading their output: nothing more is kept for them.
  for (Activation a : {Activation::linear, Activation::relu, Activation::sigmoid, Activation::tanh,
                       Activation::softmax})
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
  CHECK(one_error("[8]", "{op: lrn, name: l, bias: 0}") == "lrn 'l': bias must be a number in (0, inf), got 0");
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
        "zeropad 'z': padding must be an integer >= 0, [ph, pw] or [top, bottom, left, right], got [1, 2, 3]");
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
  CHECK(d.message == "concat 'cat': inputs disagree in rank: [5, 7, 3] from 'a' vs [105] from 'f'");
}

TEST_CASE("expect hints on strided layers") {
  const Diagnostic d = must_fail(spec_of("[224, 224, 3]", "{op: conv2d, name: c, filters: 96, kernel: 11, stride: 4, expect: [55, 55, 96]}"));
  CHECK(d.message == "conv2d 'c': expected [55, 55, 96], got [54, 54, 96]");
  std::string notes;
  for (const Note& n : d.notes) notes += n.message + "\n";
  CHECK(notes.find("55 needs an input size of 227..230") != std::string::npos);
  CHECK(notes.find("keep 224 and use padding: 2") != std::string::npos);
}

}  // TEST_SUITE
