// Runs each of the four generated models forward at batch 1 with freshly
// initialised weights and prints model, output shape and time per image;
// `--train` times a train step, `--digest` prints bit-exact digests (below).
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <span>
#include <string>
#include <vector>

#include "alexnet.hpp"
#include "googlenet.hpp"
#include "resnet50.hpp"
#include "vgg16.hpp"

namespace {

// `--train`: the median train step (loss_and_grad + SGD) at batch 8.
template <class Net>
void train(const char* label) {
  Net net(/*max_batch=*/8);
  net.init_weights(/*seed=*/1);
  std::vector<float> images(static_cast<size_t>(8 * Net::kInputSize));
  for (size_t i = 0; i < images.size(); ++i) images[i] = static_cast<float>(i % 251) / 251.0f;
  const std::vector<int32_t> labels = {0, 1, 2, 3, 4, 5, 6, 7};
  const modelc::SgdOptions sgd{.lr = 0.01f, .momentum = 0.9f};
  net.train_step(images, labels, 8, sgd);  // warm-up
  std::vector<double> ms;
  for (int r = 0; r < 3; ++r) {
    const auto t0 = std::chrono::steady_clock::now();
    net.train_step(images, labels, 8, sgd);
    ms.push_back(
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
  }
  std::sort(ms.begin(), ms.end());
  std::printf("%-10s train step, batch 8: %9.1f ms\n", label, ms[1]);
}

template <class Net>
void run(const char* label) {
  Net net(/*max_batch=*/1);
  net.init_weights(/*seed=*/1);
  std::vector<float> image(static_cast<size_t>(Net::kInputSize));
  for (size_t i = 0; i < image.size(); ++i) image[i] = static_cast<float>(i % 251) / 251.0f;

  net.forward(image, 1);  // warm-up
  std::vector<double> ms;
  for (int r = 0; r < 5; ++r) {
    const auto t0 = std::chrono::steady_clock::now();
    net.forward(image, 1);
    ms.push_back(
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
  }
  std::sort(ms.begin(), ms.end());
  const auto out = net.output(0);
  double sum = 0;
  for (float p : out) sum += p;
  const auto top = std::max_element(out.begin(), out.end()) - out.begin();
  std::printf("%-10s %-12s %10.1f %9ld %12.6f\n", label,
              ("[1, " + std::to_string(out.size()) + "]").c_str(), ms[ms.size() / 2],
              static_cast<long>(top), sum);
}

// FNV-1a over the bytes of a float array: equal digests mean bit-identical.
uint64_t fnv1a(std::span<const float> v, uint64_t h = 14695981039346656037ull) {
  for (float f : v) {
    unsigned char b[sizeof f];
    std::memcpy(b, &f, sizeof f);
    for (unsigned char c : b) h = (h ^ c) * 1099511628211ull;
  }
  return h;
}

// `--digest`: one line per model with digests of the inference output at
// batch 2, the loss, and every parameter gradient, from fixed weights and
// input. A refactor that claims "no behaviour change" must print the same.
template <class Net>
void digest(const char* label) {
  Net net(/*max_batch=*/2);
  net.init_weights(/*seed=*/1);
  std::vector<float> images(static_cast<size_t>(2 * Net::kInputSize));
  for (size_t i = 0; i < images.size(); ++i) images[i] = static_cast<float>(i % 251) / 251.0f;
  net.forward(images, 2);
  const uint64_t out = fnv1a(net.output(0));
  Net train_net(/*max_batch=*/2, {.dropout = false});
  train_net.init_weights(/*seed=*/1);
  const std::vector<int32_t> labels = {3, 7};
  const float loss = train_net.loss_and_grad(images, labels, 2);
  uint64_t grads = 14695981039346656037ull;
  for (const modelc::Param& p : train_net.params()) grads = fnv1a(p.grad, grads);
  std::printf("%-10s output %016llx loss %.9g grads %016llx\n", label,
              static_cast<unsigned long long>(out), static_cast<double>(loss),
              static_cast<unsigned long long>(grads));
}

}  // namespace

int main(int argc, char** argv) {
  if (argc > 1 && std::string(argv[1]) == "--train") {
    train<modelc::gen::AlexNet>("AlexNet");
    train<modelc::gen::VGG16>("VGG16");
    train<modelc::gen::GoogLeNet>("GoogLeNet");
    train<modelc::gen::ResNet50>("ResNet50");
    std::printf("(median of 3 steps after one warm-up)\n");
    return 0;
  }
  if (argc > 1 && std::string(argv[1]) == "--digest") {
    digest<modelc::gen::AlexNet>("AlexNet");
    digest<modelc::gen::VGG16>("VGG16");
    digest<modelc::gen::GoogLeNet>("GoogLeNet");
    digest<modelc::gen::ResNet50>("ResNet50");
    return 0;
  }
  std::printf("%-10s %-12s %10s %9s %12s\n", "model", "output", "ms/image", "top-1", "sum(probs)");
  run<modelc::gen::AlexNet>("AlexNet");
  run<modelc::gen::VGG16>("VGG16");
  run<modelc::gen::GoogLeNet>("GoogLeNet");
  run<modelc::gen::ResNet50>("ResNet50");
  std::printf("(median of 5 forward passes after one warm-up; weights from init_weights(1))\n");
}
