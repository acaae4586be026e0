// A model may be named like anything the generated code refers to: runtime
// types (Model, Conv2dGeom, Window2d, Activation), runtime functions
// (conv2d_forward), its own per-layer constants (g_fc, i_conv: the emitter
// renames the constants instead) and locals (x). Each class is the same spec
// (specs/named_like.yaml.in, every op) under another name; that it compiled is
// most of the test, and all of them must compute the same thing.
#include <doctest/doctest.h>

#include <string_view>
#include <vector>

#include "model_checks.hpp"
#include "named_Activation.hpp"
#include "named_Conv2dGeom.hpp"
#include "named_Model.hpp"
#include "named_Window2d.hpp"
#include "named_conv2d_forward.hpp"
#include "named_g_fc.hpp"
#include "named_i_conv.hpp"
#include "named_w_fc_kernel.hpp"
#include "named_x.hpp"

using namespace modelc::test;

namespace {

struct Result {
  std::vector<float> forward;
  float loss;
  std::vector<float> grads;
};

template <class Net>
Result run(std::string_view name) {
  Net net(2, {.threads = 1, .dropout = false});
  CHECK(net.name() == name);
  net.init_weights(5);
  const std::vector<float> x = random_input(2 * Net::kInputSize, 3);
  const std::span<const float> y = net.forward(x, 2);
  Result r{{y.begin(), y.end()}, 0.0f, {}};
  const std::vector<int32_t> labels = random_labels(2, net.output_size(0), 4);
  r.loss = net.loss_and_grad(x, labels, 2);
  r.grads.assign(net.gradients().begin(), net.gradients().end());
  return r;
}

}  // namespace

TEST_SUITE("names") {
  TEST_CASE("a model named like a runtime or generated name compiles and runs") {
    const Result ref = run<modelc::named::Model>("Model");
    REQUIRE(ref.forward.size() == 10);
    for (const Result& r :
         {run<modelc::named::Conv2dGeom>("Conv2dGeom"), run<modelc::named::Window2d>("Window2d"),
          run<modelc::named::Activation>("Activation"),
          run<modelc::named::conv2d_forward>("conv2d_forward"), run<modelc::named::g_fc>("g_fc"),
          run<modelc::named::i_conv>("i_conv"), run<modelc::named::w_fc_kernel>("w_fc_kernel"),
          run<modelc::named::x>("x")}) {
      CHECK(r.forward == ref.forward);
      CHECK(r.loss == ref.loss);
      CHECK(r.grads == ref.grads);
    }
    // modelc::named::Model is a modelc::Model like any generated class.
    modelc::named::Model net(1);
    modelc::Model& base = net;
    CHECK(base.max_batch() == 1);
  }

}  // TEST_SUITE
