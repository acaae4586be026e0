// Parsing and block expansion: YAML 1.2 values, defaults, default names,
// scoped names, $params (in lists, nested args), repeat, nested blocks,
// references, outputs, and the IR dump.
#include <algorithm>

#include "test_util.hpp"

using namespace modelc;
using namespace modelc::test;

TEST_SUITE("parse") {
  TEST_CASE("YAML 1.2 scalars") {
    const std::string yaml =
        "a: 1e-5\nb: 0x10\nc: 0o17\nd: yes\ne: \"64\"\nf: ~\ng: -3\nh: .5\ni: True\nj: 1_000\n";
    const Value v = read_yaml("t.yaml", yaml);
    REQUIRE(v.entries.size() == 10);
    CHECK(v.entries[0].value.kind == Value::Kind::real);
    CHECK(v.entries[0].value.real == doctest::Approx(1e-5));
    CHECK(v.entries[1].value.integer == 16);
    CHECK(v.entries[2].value.integer == 15);
    CHECK(v.entries[3].value.kind == Value::Kind::string);  // YAML 1.1's `yes` is a string in 1.2
    CHECK(v.entries[4].value.kind == Value::Kind::string);  // quoted
    CHECK(v.entries[5].value.kind == Value::Kind::null);
    CHECK(v.entries[6].value.integer == -3);
    CHECK(v.entries[7].value.real == doctest::Approx(0.5));
    CHECK(v.entries[8].value.boolean);
    CHECK(v.entries[9].value.kind == Value::Kind::string);
    CHECK(v.entries[0].value.loc.line == 1);
    CHECK(v.entries[0].value.loc.col == 4);
    CHECK(v.entries[9].key_loc.line == 10);
  }

  TEST_CASE("defaults apply per op; a layer's own attribute wins") {
    const Graph g = must_compile(R"(
name: D
input: {shape: [8, 8, 3]}
defaults:
  conv2d: {padding: same, activation: relu}
layers:
  - {op: conv2d, name: a, filters: 4, kernel: 3}
  - {op: conv2d, name: b, filters: 4, kernel: 3, padding: valid, activation: linear}
)");
    CHECK(node(g, "a").shape == Shape{8, 8, 4});
    CHECK(node(g, "a").attrs.activation == Activation::relu);
    CHECK(node(g, "b").shape == Shape{6, 6, 4});
    CHECK(node(g, "b").attrs.activation == Activation::linear);
  }

  TEST_CASE("default names count per op within the scope; input defaults to the previous layer") {
    const Graph g = must_compile(R"(
name: N
input: {name: x, shape: [8]}
blocks:
  two:
    layers:
      - {op: dense, units: 3}
      - {op: relu}
      - {op: dense, units: 2}
layers:
  - {op: dense, units: 4}
  - {op: relu}
  - {op: dense, name: named, units: 4}
  - {op: dense, units: 4}
  - {block: two}
  - {block: two}
)");
    std::vector<std::string> names;
    for (const Node& n : g.nodes) names.push_back(n.name);
    CHECK(names == std::vector<std::string>{"x", "dense_1", "relu_1", "named", "dense_3",
                                            "two_1/dense_1", "two_1/relu_1", "two_1/dense_2",
                                            "two_2/dense_1", "two_2/relu_1", "two_2/dense_2"});
    for (size_t i = 1; i < g.nodes.size(); ++i)
      CHECK(g.nodes[i].inputs == std::vector<int>{static_cast<int>(i) - 1});
    REQUIRE(g.outputs.size() == 1);
    CHECK(g.outputs[0].node == static_cast<int>(g.nodes.size()) - 1);
  }

  TEST_CASE("blocks: $in, $params in lists and nested args, scoped names, nested instances") {
    const Graph g = must_compile(R"(
name: B
input: {name: image, shape: [9, 9, 2]}
blocks:
  conv_bn:
    params: [f, k]
    layers:
      - {op: conv2d, name: conv, filters: $f, kernel: [$k, 1], padding: same}
      - {op: batchnorm, name: bn}
  pair:
    params: [f]
    layers:
      - {block: conv_bn, name: first, args: {f: $f, k: 3}}
      - {block: conv_bn, name: second, input: $in, args: {f: $f, k: 1}}
      - {op: add, name: sum, inputs: [first, second/bn]}
layers:
  - {block: pair, name: p, args: {f: 6}, expect: [9, 9, 6]}
  - {op: relu, name: after, input: p/first/conv}
)");
    CHECK(node(g, "p/first/conv").attrs.kh == 3);
    CHECK(node(g, "p/first/conv").attrs.kw == 1);
    CHECK(node(g, "p/first/conv").attrs.filters == 6);
    CHECK(node(g, "p/second/conv").attrs.kh == 1);
    CHECK(node(g, "p/second/conv").inputs == std::vector<int>{0});
    CHECK(node(g, "p/sum").shape == Shape{9, 9, 6});
    const Node& after = node(g, "after");
    CHECK(g.nodes[static_cast<size_t>(after.inputs[0])].name == "p/first/conv");
    REQUIRE(g.instances.size() == 3);
    CHECK(g.instances[0].path == "p");
    CHECK(g.instances[0].parent == -1);
    CHECK(g.instances[1].path == "p/first");
    CHECK(g.instances[1].block == "conv_bn");
    CHECK(g.instances[1].parent == 0);
    CHECK(g.instances[2].path == "p/second");
    CHECK(node(g, "p/second/bn").instance == 2);
    CHECK(node(g, "p/sum").instance == 0);
    CHECK(node(g, "after").instance == -1);
  }

  TEST_CASE("repeat chains instances NAME_1..NAME_n; NAME is the last") {
    const Graph g = must_compile(R"(
name: R
input: {shape: [4]}
blocks:
  unit:
    params: [u]
    layers:
      - {op: dense, name: fc, units: $u}
layers:
  - {block: unit, name: res, repeat: 3, args: {u: 4}, expect: [4]}
  - {op: relu, name: a, input: res}
  - {op: relu, name: b, input: res_2}
  - {op: relu, name: c, input: res/fc}
)");
    CHECK(node(g, "res_1/fc").inputs == std::vector<int>{0});
    CHECK(g.nodes[static_cast<size_t>(node(g, "res_2/fc").inputs[0])].name == "res_1/fc");
    CHECK(g.nodes[static_cast<size_t>(node(g, "res_3/fc").inputs[0])].name == "res_2/fc");
    CHECK(g.nodes[static_cast<size_t>(node(g, "a").inputs[0])].name == "res_3/fc");
    CHECK(g.nodes[static_cast<size_t>(node(g, "b").inputs[0])].name == "res_2/fc");
    CHECK(g.nodes[static_cast<size_t>(node(g, "c").inputs[0])].name == "res_3/fc");
    CHECK(g.instances.size() == 3);
  }

  TEST_CASE("outputs: loss_weight, training_only, and what forward() computes") {
    const Graph g = must_compile(R"(
name: O
input: {shape: [4]}
layers:
  - {op: dense, name: trunk, units: 4}
  - {op: dense, name: main, units: 2}
  - {op: dense, name: aux, input: trunk, units: 2}
outputs:
  - {layer: main}
  - {layer: aux, loss_weight: 0.3, training_only: true}
)");
    REQUIRE(g.outputs.size() == 2);
    CHECK(g.outputs[0].loss_weight == 1.0);
    CHECK_FALSE(g.outputs[0].training_only);
    CHECK(g.outputs[1].loss_weight == doctest::Approx(0.3));
    CHECK(g.outputs[1].training_only);
    CHECK(node(g, "trunk").inference);
    CHECK(node(g, "main").inference);
    CHECK_FALSE(node(g, "aux").inference);
    CHECK(totals(g, true).params == 4 * 4 + 4 + 4 * 2 + 2);
    CHECK(totals(g, false).params == 4 * 4 + 4 + 2 * (4 * 2 + 2));
  }

  TEST_CASE("errors carry file:line:col and all independent errors are reported") {
    const Compiled c = compile_text(R"(name: E
input: {shape: [8, 8, 3]}
layers:
  - {op: conv2d, name: a, filters: 4, kernel: 3, padding: sam}
  - {op: dense, name: b, units: -1}
)",
                                    "x.yaml");
    REQUIRE(c.diags.size() == 2);
    CHECK(c.diags.all()[0].format() ==
          "x.yaml:4:59: error: conv2d 'a': padding must be 'valid', 'same', an integer >= 0 or a "
          "pair [ph, pw], got 'sam'\n");
    CHECK(c.diags.all()[1].loc.str() == "x.yaml:5:33");
  }

  TEST_CASE("a block's body errors are reported once, not per instance") {
    const Compiled c = compile_text(R"(name: E
input: {shape: [8]}
blocks:
  u:
    layers:
      - {op: relu, input: nope}
layers:
  - {block: u}
  - {block: u}
  - {block: u}
)");
    CHECK(c.diags.size() == 1);
    CHECK(c.errors().find("relu 'relu_1' in block 'u': unknown layer 'nope'") != std::string::npos);
  }

  TEST_CASE("dump_ir is stable and complete") {
    const Graph g = must_compile(R"(name: Tiny
input: {name: x, shape: [5, 5, 1]}
blocks:
  u:
    params: [f]
    layers:
      - {op: conv2d, name: c, filters: $f, kernel: 3, stride: 2, padding: same, activation: relu}
      - {op: batchnorm, name: bn}
layers:
  - {block: u, name: b1, args: {f: 2}}
  - {op: flatten, name: flat}
  - {op: dense, name: fc, units: 3, activation: softmax}
)");
    CHECK(dump_ir(g) == R"(graph Tiny (test.yaml)
instance #0 b1 block=u parent=-1 line=10
%0 x input() -> [5, 5, 1] line=2
%1 b1/c conv2d(%0) -> [3, 3, 2] filters=2 k=3x3 s=2x2 pad=same [1,1,1,1] bias=true act=relu params={kernel[3, 3, 1, 2] bias[2]} macs=162 in=#0 line=7
%2 b1/bn batchnorm(%1) -> [3, 3, 2] epsilon=0.001 momentum=0.99 params={gamma[2] beta[2] moving_mean[2](nt) moving_variance[2](nt)} in=#0 line=8
%3 flat flatten(%2) -> [18] line=11
%4 fc dense(%3) -> [3] units=3 bias=true act=softmax params={kernel[18, 3] bias[3]} macs=54 line=12
output %4 fc loss_weight=1
)");
  }

}  // TEST_SUITE
