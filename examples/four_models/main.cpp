// Runs each of the four generated models forward at batch 1 with freshly
// initialised weights and prints model, output shape and time per image.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <vector>

#include "alexnet.hpp"
#include "googlenet.hpp"
#include "resnet50.hpp"
#include "vgg16.hpp"

namespace {

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
    ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0)
                     .count());
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

}  // namespace

int main() {
  std::printf("%-10s %-12s %10s %9s %12s\n", "model", "output", "ms/image", "top-1", "sum(probs)");
  run<modelc::gen::AlexNet>("AlexNet");
  run<modelc::gen::VGG16>("VGG16");
  run<modelc::gen::GoogLeNet>("GoogLeNet");
  run<modelc::gen::ResNet50>("ResNet50");
  std::printf("(median of 5 forward passes after one warm-up; weights from init_weights(1))\n");
}
