// The spec v2 reference networks (specs/mobilenet_v2, efficientnet_b0,
// convnext_tiny) end to end: forward at batch 1 and 3 (finite, softmax rows
// sum to 1 where the head has one), save -> load identity, a training forward
// and loss_and_grad, and sampled parameters' gradients against finite
// differences of the whole model's loss along the gradient's direction.
#include <doctest/doctest.h>

#include <chrono>
#include <cmath>

#include "convnext_tiny.hpp"
#include "efficientnet_b0.hpp"
#include "mini_unet.hpp"
#include "mobilenet_v2.hpp"
#include "model_checks.hpp"

using namespace modelc;
using namespace modelc::test;

namespace {

// As test_four_models.cpp's: along g / |g| (model_checks.hpp), labels at batch 2.
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

// A per-pixel head (binary_crossentropy on float targets): the same check on a
// binary mask. Its gradients are small (|g| ~ 3e-4 at initialisation): a step of
// 1e-2 along v moves the loss by 2·h·|g| >= 5e-6, against its float rounding
// (~4e-8); the relu kinks the step crosses leave 1-2% (measured).
template <class Net>
void target_gradient_check(const std::vector<std::string>& names) {
  Net net(2, {.dropout = false});
  net.init_weights(3);
  const std::vector<float> x = random_input(2 * Net::kInputSize, 7);
  std::vector<float> t = random_input(2 * net.target_size(), 8);
  for (float& v : t) v = v > 0 ? 1.0f : 0.0f;
  for (const std::string& name : names)
    gradient_direction_check(
        net, name, [&] { return net.loss_and_grad(x, t, 2); }, 1e-2);
}

template <class F>
void timed(const char* what, F f) {
  const auto t0 = std::chrono::steady_clock::now();
  f();
  MESSAGE(std::string(what), ": ",
          std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(), " s");
}

}  // namespace

TEST_CASE("MobileNetV2") {
  timed("MobileNetV2 forward/weights", [] { check_forward_and_weights<gen::MobileNetV2>(true); });
  timed("MobileNetV2 gradients", [] {
    gradient_check<gen::MobileNetV2>({"Conv1.kernel", "block_3/depthwise.depthwise_kernel",
                                      "block_14/project_BN.gamma", "predictions.kernel"});
  });
}

TEST_CASE("EfficientNet-B0") {
  timed("EfficientNet-B0 forward/weights",
        [] { check_forward_and_weights<gen::EfficientNetB0>(false); });
  timed("EfficientNet-B0 gradients", [] {
    gradient_check<gen::EfficientNetB0>({"features_0_conv.kernel", "classifier.kernel"});
  });
}

TEST_CASE("ConvNeXt-T") {
  timed("ConvNeXt-T forward/weights", [] { check_forward_and_weights<gen::ConvNeXtTiny>(false); });
  timed("ConvNeXt-T gradients", [] {
    gradient_check<gen::ConvNeXtTiny>({"stem_conv.kernel", "head.kernel"});
  });
}

TEST_CASE("MiniUNet (specs/examples): transposed conv, bilinear upsample, a sigmoid mask head") {
  timed("MiniUNet forward/weights", [] { check_forward_and_weights<gen::MiniUNet>(false); });
  timed("MiniUNet gradients", [] {
    target_gradient_check<gen::MiniUNet>({"up2.kernel", "up2.bias", "mask.kernel"});
  });
}
