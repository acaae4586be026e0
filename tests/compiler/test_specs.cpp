// The reference specs (parameter and MAC totals as published for the
// Keras/PyTorch models) and the small example specs (every op reached).
#include <set>

#include "emit/emit.hpp"
#include "ops/op.hpp"
#include "passes/plan.hpp"
#include "report/report.hpp"
#include "test_util.hpp"

using namespace modelc;
using namespace modelc::test;

namespace {

Graph repo_spec(std::string_view rel) {
  Compiled c = compile_repo_file(rel);
  INFO(c.errors());
  REQUIRE(c.graph.has_value());
  return std::move(*c.graph);
}

bool contains(const std::string& text, const std::string& what) {
  return text.find(what) != std::string::npos;
}

}  // namespace

TEST_SUITE("specs") {
  TEST_CASE("AlexNet: 62,378,344 parameters, 1.135 GMACs") {
    const Graph g = repo_spec("specs/alexnet.yaml");
    const GraphTotals t = totals(g, false);
    CHECK(t.params == 62'378'344);
    CHECK(t.non_trainable == 0);
    CHECK(t.macs == 1'135'256'096);
    CHECK(g.expects.size() == 16);  // every step of the chain
    CHECK(node(g, "pool1").shape == Shape{27, 27, 96});
    CHECK(node(g, "norm1").attrs.lrn_bias == 2.0);
    const std::string s = summary_table(g);
    CHECK(contains(s, "Total params:                           62,378,344  (237.95 MiB)"));
    CHECK(contains(s, "Total MACs:                          1,135,256,096  (1.135 G)"));
  }

  TEST_CASE("VGG16: 138,357,544 parameters, 15.47 GMACs") {
    const Graph g = repo_spec("specs/vgg16.yaml");
    const GraphTotals t = totals(g, false);
    CHECK(t.params == 138'357'544);
    CHECK(t.macs == 15'470'264'320);
    CHECK(node(g, "block5/pool").shape == Shape{7, 7, 512});
    CHECK(node(g, "fc1").params[0].shape == Shape{25088, 4096});
  }

  TEST_CASE("GoogLeNet: 13,374,120 parameters, 6,994,392 in forward(), 1.57 GMACs for inference") {
    const Graph g = repo_spec("specs/googlenet.yaml");
    const GraphTotals all = totals(g, false);
    const GraphTotals fwd = totals(g, true);
    CHECK(all.params == 13'374'120);
    CHECK(fwd.params == 6'994'392);
    CHECK(fwd.macs == 1'569'826'816);
    CHECK(all.macs == 1'578'199'040);
    REQUIRE(g.outputs.size() == 3);
    CHECK(g.outputs[1].training_only);
    CHECK(g.outputs[1].loss_weight == doctest::Approx(0.3));
    CHECK(g.nodes[static_cast<size_t>(g.outputs[1].node)].name == "aux1/fc2");
    CHECK(g.nodes[static_cast<size_t>(g.outputs[2].node)].name == "aux2/fc2");
    CHECK(node(g, "5b/out").shape == Shape{7, 7, 1024});
    CHECK(node(g, "3a/b2").attrs.l2 == doctest::Approx(0.0002));
    CHECK_FALSE(node(g, "aux1/fc1").inference);
    const std::string s = summary_table(g);
    CHECK(contains(s, "Params used by forward():                6,994,392"));
    CHECK(contains(s, "aux1/fc2 *"));
  }

  TEST_CASE("ResNet50: 25,636,712 parameters, 25,583,592 trainable, 3.858 GMACs") {
    const Graph g = repo_spec("specs/resnet50.yaml");
    const GraphTotals t = totals(g, false);
    CHECK(t.params == 25'636'712);
    CHECK(t.trainable == 25'583'592);
    CHECK(t.non_trainable == 53'120);
    CHECK(t.macs == 3'857'973'248);
    CHECK(node(g, "conv1_conv").shape == Shape{112, 112, 64});
    CHECK(node(g, "pool1_pool").shape == Shape{56, 56, 64});
    CHECK(node(g, "conv3_block1/1_conv").attrs.sh == 2);
    CHECK(node(g, "conv3_block1/0_conv").inputs ==
          node(g, "conv3_block1/1_conv").inputs);  // both from $in
    CHECK(node(g, "conv4_block6/out").shape == Shape{14, 14, 1024});
    CHECK(node(g, "conv2_block1/0_bn").attrs.epsilon == doctest::Approx(1.001e-5));
    CHECK(node(g, "conv2_block1/0_bn").weight_name(node(g, "conv2_block1/0_bn").params[2]) ==
          "conv2_block1/0_bn.moving_mean");
    CHECK(g.instances.size() == 16);
  }

  TEST_CASE("MobileNetV2: 3,538,984 parameters, 3,504,872 trainable, 300.8 MMACs") {
    const Graph g = repo_spec("specs/mobilenet_v2.yaml");
    const GraphTotals t = totals(g, false);
    CHECK(t.params == 3'538'984);
    CHECK(t.trainable == 3'504'872);
    CHECK(t.non_trainable == 34'112);
    CHECK(t.macs == 300'774'272);
    CHECK(node(g, "Conv1").shape == Shape{112, 112, 32});
    CHECK(node(g, "expanded_conv_project_BN").shape == Shape{112, 112, 16});
    CHECK(node(g, "block_1/pad").shape == Shape{113, 113, 96});  // correct_pad: [0, 1, 0, 1]
    const Node& dw = node(g, "block_1/depthwise");
    CHECK(op_name(dw.op) == "depthwise_conv2d");
    CHECK(dw.shape == Shape{56, 56, 96});
    REQUIRE(dw.params.size() == 1);  // use_bias false
    CHECK(dw.weight_name(dw.params[0]) == "block_1/depthwise.depthwise_kernel");
    CHECK(dw.params[0].shape == Shape{3, 3, 96, 1});
    CHECK(node(g, "block_2/add").shape == Shape{56, 56, 24});
    CHECK(node(g, "block_16/project_BN").shape == Shape{7, 7, 320});
    CHECK(node(g, "Conv_1_bn").attrs.momentum == doctest::Approx(0.999));
    CHECK(node(g, "predictions").params[0].shape == Shape{1280, 1000});
    CHECK(g.instances.size() == 16);
    const std::string s = summary_table(g);
    CHECK(contains(s, "Total params:                            3,538,984  (13.50 MiB)"));
    CHECK(contains(s, "Trainable params:                        3,504,872  (13.37 MiB)"));
  }

  TEST_CASE("EfficientNet-B0: 5,288,548 trainable parameters (torchvision), 385.8 MMACs") {
    const Graph g = repo_spec("specs/efficientnet_b0.yaml");
    const GraphTotals t = totals(g, false);
    CHECK(t.trainable == 5'288'548);
    CHECK(t.non_trainable == 42'016);  // the batchnorm moving statistics
    CHECK(t.params == 5'330'564);
    CHECK(t.macs == 385'814'752);
    CHECK(node(g, "features_0_conv").shape == Shape{112, 112, 32});
    const Node& dw = node(g, "features_3_0/dwconv");  // 5x5/2, torchvision's symmetric pad 2
    CHECK(op_name(dw.op) == "depthwise_conv2d");
    CHECK(dw.shape == Shape{28, 28, 144});
    CHECK(dw.attrs.pad_top == 2);
    CHECK(dw.attrs.pad_bottom == 2);
    CHECK(node(g, "features_3_0/se_squeeze").shape == Shape{1, 1, 144});
    CHECK(node(g, "features_3_0/se_reduce").shape == Shape{1, 1, 6});
    CHECK(node(g, "features_3_0/se_reduce").params.size() == 2);  // SE convs have biases
    CHECK(node(g, "features_3_0/se_excite").shape == Shape{28, 28, 144});
    CHECK(node(g, "features_6_3/add").shape == Shape{7, 7, 192});
    CHECK(node(g, "features_1_0/project_bn").attrs.epsilon == doctest::Approx(1e-5));
    CHECK(node(g, "classifier_dropout").attrs.rate == doctest::Approx(0.2));
    CHECK(node(g, "classifier").params[0].shape == Shape{1280, 1000});
    CHECK(g.instances.size() == 16);
  }

  TEST_CASE("ConvNeXt-T: 28,589,128 parameters (torchvision), 4.456 GMACs") {
    const Graph g = repo_spec("specs/convnext_tiny.yaml");
    const GraphTotals t = totals(g, false);
    CHECK(t.params == 28'589'128);
    CHECK(t.trainable == 28'589'128);
    CHECK(t.non_trainable == 0);
    CHECK(t.macs == 4'455'531'264);
    CHECK(node(g, "stem_conv").shape == Shape{56, 56, 96});
    const Node& dw = node(g, "stage3_9/dwconv");
    CHECK(op_name(dw.op) == "depthwise_conv2d");
    CHECK(dw.shape == Shape{14, 14, 384});
    REQUIRE(dw.params.size() == 2);
    CHECK(dw.params[0].shape == Shape{7, 7, 384, 1});
    CHECK(node(g, "stage3_9/pwconv1").shape == Shape{14, 14, 1536});  // dense on the last axis
    CHECK(node(g, "stage3_9/pwconv2").params[0].shape == Shape{1536, 384});
    CHECK(node(g, "stage3_9/layer_scale").params[0].value == doctest::Approx(1e-6));
    CHECK(node(g, "stage3_9/norm").attrs.epsilon == doctest::Approx(1e-6));
    CHECK(node(g, "downsample3/conv").shape == Shape{7, 7, 768});
    CHECK(node(g, "head_norm").shape == Shape{768});
    CHECK(g.instances.size() == 21);
  }

  TEST_CASE("MiniUNet: conv2d_transpose and bilinear upsample skips, a binary cross-entropy mask") {
    const Graph g = repo_spec("specs/examples/mini_unet.yaml");
    const GraphTotals t = totals(g, false);
    CHECK(t.params == 115'217);
    const Node& up2 = node(g, "up2");
    CHECK(op_name(up2.op) == "conv2d_transpose");
    CHECK(up2.shape == Shape{32, 32, 32});
    CHECK(up2.params[0].shape == Shape{2, 2, 32, 64});  // [kh, kw, filters, cin]
    CHECK(node(g, "up1").attrs.interpolation == Interpolation::bilinear);
    CHECK(node(g, "skip1").shape == Shape{64, 64, 32});
    REQUIRE(g.outputs.size() == 1);
    CHECK(g.outputs[0].loss == Loss::binary_crossentropy);
    CHECK(g.nodes[static_cast<size_t>(g.outputs[0].node)].shape == Shape{64, 64, 1});
    CHECK(node(g, "mask").attrs.activation == Activation::sigmoid);
  }

  // v2_net (tests/models/specs) carries the spec v2 ops until the examples use them.
  TEST_CASE("the example specs together reach every op and every padding mode") {
    std::set<OpKind> ops;
    std::set<std::string> features;
    for (const char* rel :
         {"specs/examples/mini_alexnet.yaml", "specs/examples/mini_inception.yaml",
          "specs/examples/mini_resnet.yaml", "tests/models/specs/v2_net.yaml"}) {
      const Graph g = repo_spec(rel);
      CHECK(g.input().shape.size() == 3);
      CHECK(g.input().shape[0] <= 16);
      CHECK(g.nodes[static_cast<size_t>(g.outputs[0].node)].shape[0] <= 10);
      for (const Node& n : g.nodes) {
        ops.insert(n.op);
        const std::string op(op_name(n.op));
        if (n.op == OpKind::conv2d || n.op == OpKind::maxpool || n.op == OpKind::avgpool ||
            n.op == OpKind::conv2d_transpose) {
          features.insert(op + ":" + std::string(padding_name(n.attrs.padding)));
          if (n.attrs.sh == 2) features.insert(op + ":stride2");
        }
        if (n.op == OpKind::conv2d || n.op == OpKind::dense)
          features.insert("activation:" + std::string(activation_name(n.attrs.activation)));
        if (n.instance >= 0 && g.instances[static_cast<size_t>(n.instance)].parent >= 0)
          features.insert("nested");
      }
      for (const BlockInstance& b : g.instances)
        if (b.path.size() > 2 && b.path.substr(b.path.size() - 2) == "_2")
          features.insert("repeat");
      for (const Output& o : g.outputs)
        if (o.training_only) features.insert("training_only");
    }
    CHECK(ops.size() == all_ops().size());
    for (const char* f :
         {"conv2d:valid", "conv2d:same", "conv2d:explicit", "conv2d:stride2", "maxpool:valid",
          "maxpool:same", "avgpool:valid", "avgpool:same", "activation:relu", "activation:sigmoid",
          "activation:tanh", "activation:softmax", "activation:linear", "nested", "repeat",
          "training_only", "conv2d_transpose:valid", "conv2d_transpose:same",
          "conv2d_transpose:explicit"}) {
      CAPTURE(f);
      CHECK(features.count(f) == 1);
    }
  }

  TEST_CASE("generated identifiers stay unique when a suffixed id clashes too") {
    // Node 2 'u/r' takes the id u_r; node 3 'u_r' then clashes, and so does its
    // first fallback u_r_3 (node 1). Before the fix both were named u_r_3.
    const Graph g = must_compile(R"(name: Clash
input: {shape: [4]}
blocks:
  u:
    layers:
      - {op: relu, name: r}
layers:
  - {op: relu, name: u_r_3}
  - {block: u, name: u}
  - {op: relu, name: u_r}
)");
    MemoryPlan plan;
    Diagnostics diags;
    REQUIRE(plan_memory(g, plan, diags));
    const GeneratedFiles f = emit_cpp(g, plan, "clash.yaml", "clash", "modelc::gen");
    CHECK(contains(f.source, "i_u_r_3 ="));
    CHECK(contains(f.source, "i_u_r ="));
    CHECK(contains(f.source, "i_u_r_7 ="));  // node 3: 3 + 4 nodes
    size_t count = 0;
    for (size_t at = f.source.find("i_u_r_3 ="); at != std::string::npos;
         at = f.source.find("i_u_r_3 =", at + 1))
      ++count;
    CHECK(count == 1);
  }

}  // TEST_SUITE
