// modelc_kernel_bench: the depthwise kernel on MobileNetV2's layer shapes,
// against this machine's memory bandwidth (a large memcpy) — the kernel is
// memory-bound, so bytes moved per second is the measure. Batch 1, one thread
// unless OMP_NUM_THREADS says otherwise. Not a test: it prints times.
//   build/bench/modelc_kernel_bench [repeats]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "modelc/depthwise_conv2d.hpp"

namespace {

using Clock = std::chrono::steady_clock;

template <class F>
double best_seconds(int repeats, F f) {
  double best = 1e30;
  for (int r = 0; r < repeats; ++r) {
    const auto t0 = Clock::now();
    f();
    best = std::min(best, std::chrono::duration<double>(Clock::now() - t0).count());
  }
  return best;
}

}  // namespace

int main(int argc, char** argv) {
  const int repeats = argc > 1 ? std::max(1, std::atoi(argv[1])) : 20;
  // memcpy of 64 MiB: read + write bandwidth.
  {
    std::vector<char> a(64 << 20, 1), b(64 << 20);
    const double s = best_seconds(5, [&] { std::memcpy(b.data(), a.data(), a.size()); });
    std::printf("memcpy 64 MiB: %.1f GB/s (read + write)\n", 2.0 * a.size() / s / 1e9);
  }
  struct Layer {
    const char* name;
    int64_t h, c, s;
  };
  const Layer layers[] = {{"block_1 112x112x96 s2", 112, 96, 2},
                          {"block_2 56x56x144 s1", 56, 144, 1},
                          {"block_6 28x28x192 s2", 28, 192, 2},
                          {"block_13 14x14x576 s2", 14, 576, 2},
                          {"block_16 7x7x960 s1", 7, 960, 1}};
  std::printf("%-24s %10s %10s %12s\n", "depthwise 3x3", "fwd us", "fwd GB/s", "bwd us");
  for (const Layer& l : layers) {
    const int64_t oh = (l.h + l.s - 1) / l.s, pad = l.s == 1 ? 1 : 0;
    const modelc::Window2d win{1, l.h, l.h, l.c, 3, 3, l.s, l.s, pad, pad, oh, oh};
    const modelc::DepthwiseGeom g{win, 1};
    std::vector<float> x(static_cast<size_t>(l.h * l.h * l.c), 0.5f),
        w(static_cast<size_t>(9 * l.c), 0.1f), b(static_cast<size_t>(l.c), 0.0f),
        y(static_cast<size_t>(oh * oh * l.c)), dx(x.size()), dw(w.size()), db(b.size());
    const double fwd = best_seconds(repeats, [&] {
      modelc::depthwise_conv2d_forward(y.data(), x.data(), w.data(), b.data(), g,
                                       modelc::Activation::relu6);
    });
    // Backward through relu (its derivative from y): relu6's needs the kept pre-activation.
    std::vector<float> scratch(
        modelc::depthwise_conv2d_backward_scratch(g, modelc::Activation::relu));
    const double bwd = best_seconds(repeats, [&] {
      modelc::depthwise_conv2d_backward(dx.data(), dw.data(), db.data(), y.data(), x.data(),
                                        w.data(), y.data(), g, modelc::Activation::relu,
                                        scratch.data());
    });
    const double bytes = 4.0 * (x.size() + y.size() + w.size());
    std::printf("%-24s %10.1f %10.2f %12.1f\n", l.name, fwd * 1e6, bytes / fwd / 1e9, bwd * 1e6);
  }
  return 0;
}
