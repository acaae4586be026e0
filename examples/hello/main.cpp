// Runs TinyCNN (tiny_cnn.yaml) forward on one synthetic image and prints the
// five most probable classes.
#include <algorithm>
#include <cstdio>
#include <numeric>
#include <vector>

#include "tiny_cnn.hpp"

int main() {
  modelc::gen::TinyCNN net(/*max_batch=*/1);
  net.init_weights(/*seed=*/7);  // or net.load_weights("tiny_cnn.safetensors")

  std::vector<float> image(modelc::gen::TinyCNN::kInputSize);  // NHWC, [32, 32, 3]
  for (size_t i = 0; i < image.size(); ++i) image[i] = static_cast<float>(i % 17) / 17.0f;

  std::span<const float> probs = net.forward(image, /*batch=*/1);  // [1, 10]

  std::vector<int> order(probs.size());
  std::iota(order.begin(), order.end(), 0);
  std::partial_sort(order.begin(), order.begin() + 5, order.end(),
                    [&](int a, int b) { return probs[a] > probs[b]; });
  std::printf("top-5 of %zu classes:\n", probs.size());
  for (int k = 0; k < 5; ++k) std::printf("  class %d  p = %.4f\n", order[k], probs[order[k]]);
}
