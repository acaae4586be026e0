// The four big models end to end: forward sanity at batch 1 and 3, save ->
// load identity, and the training gradient of sampled parameters of every
// kind against finite differences of the whole model's loss.
#include <doctest/doctest.h>

#include <chrono>
#include <cstdlib>

#include "alexnet.hpp"
#include "googlenet.hpp"
#include "model_checks.hpp"
#include "resnet50.hpp"
#include "vgg16.hpp"

using namespace modelc;
using namespace modelc::test;

namespace {

// Along the gradient direction of each named tensor (see test_mini_models.cpp
// for why a direction and not elements): (L(w + h v) - L(w - h v)) / 2h = |g|.
// At batch 2 (batchnorm needs a batch), dropout off. The step makes the loss
// move by at most ~0.01 (and each weight by at most 1e-3): float noise in the loss (~1e-6) is then
// 1e-4 of the signal, while the step stays small where the gradient is large (ResNet50's conv1 has
// |g| ~ 1000 at initialisation, and a fixed step of 1e-3 there is 30% off
// through curvature alone, 4% at 1e-4, 0.2% at 1e-5: measured).
template <class Net>
void gradient_check(const std::vector<std::string>& names) {
  Net net(2, {.dropout = false});
  net.init_weights(3);
  const std::vector<float> x = random_input(2 * Net::kInputSize, 7);
  const std::vector<int32_t> labels = {3, 917};
  for (const std::string& name : names)
    gradient_direction_check(
        net, name, [&] { return net.loss_and_grad(x, labels, 2); }, 1e-3);
}

template <class Net>
void timed(const char* what, void (*f)()) {
  const auto t0 = std::chrono::steady_clock::now();
  f();
  MESSAGE(std::string(what), ": ",
          std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(), " s");
}

}  // namespace

TEST_CASE("AlexNet") {
  timed<gen::AlexNet>("AlexNet forward/weights",
                      [] { check_forward_and_weights<gen::AlexNet>(true); });
  timed<gen::AlexNet>("AlexNet inference vs training forward", [] {
    const double e = inference_vs_training<gen::AlexNet>(21);
    MESSAGE(
        "AlexNet: inference (Winograd, fused) vs training forward (direct), max relative error ",
        e);
    CHECK(e < 1e-5);
  });
  timed<gen::AlexNet>("AlexNet gradients", [] {
    gradient_check<gen::AlexNet>({"conv1.kernel", "conv3.bias", "fc6.kernel", "fc8.kernel"});
  });
}

TEST_CASE("VGG16") {
  timed<gen::VGG16>("VGG16 forward/weights", [] { check_forward_and_weights<gen::VGG16>(true); });
  timed<gen::VGG16>("VGG16 inference vs training forward", [] {
    const double e = inference_vs_training<gen::VGG16>(21);
    MESSAGE("VGG16: inference (Winograd, fused) vs training forward (direct), max relative error ",
            e);
    CHECK(e < 1e-5);
  });
  timed<gen::VGG16>("VGG16 gradients", [] {
    gradient_check<gen::VGG16>({"block1/conv1.kernel", "block4/conv2.kernel", "fc1.bias"});
  });
}

TEST_CASE("GoogLeNet") {
  timed<gen::GoogLeNet>("GoogLeNet forward/weights",
                        [] { check_forward_and_weights<gen::GoogLeNet>(true); });
  timed<gen::GoogLeNet>("GoogLeNet inference vs training forward", [] {
    const double e = inference_vs_training<gen::GoogLeNet>(21);
    MESSAGE(
        "GoogLeNet: inference (Winograd, fused) vs training forward (direct), max relative error ",
        e);
    CHECK(e < 1e-5);
  });
  timed<gen::GoogLeNet>("GoogLeNet gradients", [] {
    gradient_check<gen::GoogLeNet>(
        {"conv1.kernel", "4a/b3.kernel", "aux1/fc1.kernel", "loss3.kernel"});
  });
}

TEST_CASE("ResNet50") {
  timed<gen::ResNet50>("ResNet50 forward/weights",
                       [] { check_forward_and_weights<gen::ResNet50>(true); });
  timed<gen::ResNet50>("ResNet50 gradients", [] {
    gradient_check<gen::ResNet50>({"conv1_conv.kernel", "conv3_block1/0_bn.gamma",
                                   "conv4_block2/2_conv.kernel", "predictions.kernel"});
  });
}
