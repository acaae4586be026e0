// Checks every generated model goes through: forward sanity (finite,
// softmax rows sum to 1, batch rows independent), save -> load identity, and
// gradients against finite differences of the whole model's loss.
#pragma once

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include <unistd.h>

#include <modelc/model.hpp>

namespace modelc::test {

inline std::vector<float> random_input(int64_t n, uint32_t seed) {
  std::mt19937 gen(seed);
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  std::vector<float> v(static_cast<size_t>(n));
  for (float& x : v) x = dist(gen);
  return v;
}

inline std::vector<int32_t> random_labels(int batch, int64_t classes, uint32_t seed) {
  std::mt19937 gen(seed);
  std::vector<int32_t> v(static_cast<size_t>(batch));
  for (int32_t& l : v) l = static_cast<int32_t>(gen() % static_cast<uint32_t>(classes));
  return v;
}

// Unique per process, so two test runs at once (e.g. two checkouts) never share a file.
inline std::string temp_path(const std::string& name) {
  return (std::filesystem::temp_directory_path() / (std::to_string(::getpid()) + "_" + name))
      .string();
}

// Forward at batch 1 and 3: finite, softmax rows sum to 1, row i of the batch
// equals the batch-1 run on image i; then save -> load gives identical outputs.
template <class Net>
void check_forward_and_weights(bool softmax_output) {
  Net net(3, {.dropout = false});
  net.init_weights(11);
  const int64_t in = Net::kInputSize, out = net.output_size(0);
  const std::vector<float> x = random_input(3 * in, 5);
  const std::span<const float> y3 = net.forward(x, 3);
  REQUIRE(static_cast<int64_t>(y3.size()) == 3 * out);
  const std::vector<float> batch3(y3.begin(), y3.end());
  for (int r = 0; r < 3; ++r) {
    double sum = 0;
    for (int64_t k = 0; k < out; ++k) {
      const float v = batch3[static_cast<size_t>(r * out + k)];
      REQUIRE(std::isfinite(v));
      sum += v;
    }
    if (softmax_output) CHECK(sum == doctest::Approx(1.0).epsilon(1e-5));
  }
  double worst = 0, scale = 1e-30;
  for (int r = 0; r < 3; ++r) {
    const std::span<const float> image(x.data() + r * in, static_cast<size_t>(in));
    const std::span<const float> y1 = net.forward(image, 1);
    for (int64_t k = 0; k < out; ++k) {
      const double a = y1[static_cast<size_t>(k)], b = batch3[static_cast<size_t>(r * out + k)];
      worst = std::max(worst, std::abs(a - b));
      scale = std::max(scale, std::abs(b));
    }
  }
  MESSAGE("batch-3 rows vs batch-1 runs: max abs diff ", worst, " (max |y| ", scale, ")");
  CHECK(worst <= 1e-5 * scale);  // GEMM blocking may differ with the batch, nothing else

  const std::string path = temp_path(std::string(net.name()) + "_roundtrip.safetensors");
  net.save_weights(path);
  Net other(3);
  other.init_weights(99);  // different weights until loaded
  other.load_weights(path);
  const std::span<const float> image(x.data(), static_cast<size_t>(in));
  const std::span<const float> ya = net.forward(image, 1);
  const std::vector<float> a(ya.begin(), ya.end());
  const std::span<const float> b = other.forward(image, 1);
  for (size_t i = 0; i < net.params().size(); ++i) {
    const Param &p = net.params()[i], &q = other.params()[i];
    REQUIRE(std::equal(p.value.begin(), p.value.end(), q.value.begin(), q.value.end()));
  }
  const std::span<const float> again = net.forward(image, 1);
  double diff = 0, rerun = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    diff = std::max(diff, static_cast<double>(std::abs(a[i] - b[i])));
    rerun = std::max(rerun, static_cast<double>(std::abs(a[i] - again[i])));
  }
  MESSAGE("reloaded vs original: max abs diff ", diff, "; rerun: ", rerun);
  CHECK(std::equal(a.begin(), a.end(), b.begin(), b.end()));
  std::filesystem::remove(path);
}

// The inference forward (prepared weights: Winograd for 3x3 stride-1 convs,
// fused output passes) against the training forward (direct convolution, each
// layer its own kernel), dropout off, at batch 2. For models without batchnorm,
// where the two modes compute the same function. Returns max |diff| / max |y|
// over output 0 (softmax probabilities: a relative change there is about the
// absolute change of the logits).
template <class Net>
double inference_vs_training(uint32_t seed) {
  Net net(2, {.dropout = false});
  net.init_weights(seed);
  const std::vector<float> x = random_input(2 * Net::kInputSize, seed + 1);
  const std::span<const float> t = net.forward_train(x, 2);
  const std::vector<float> train(t.begin(), t.end());
  const std::span<const float> y = net.forward(x, 2);
  REQUIRE(y.size() == train.size());
  double diff = 0, scale = 1e-30;
  for (size_t i = 0; i < y.size(); ++i) {
    diff = std::max(diff, static_cast<double>(std::abs(y[i] - train[i])));
    scale = std::max(scale, static_cast<double>(std::abs(train[i])));
  }
  return diff / scale;
}

// Along the gradient direction v = g / |g| of the parameter tensor `name`:
// (L(w + h v) - L(w - h v)) / 2h against |g|, with h = min(max_step, 1e-2 / |g|)
// (the loss then moves by ~0.01 along v, or by 2·max_step·|g| for small
// gradients). `loss` runs the model's loss_and_grad on fixed data and returns
// the loss. Used by the big-model tests, where element-wise checks cost too much.
template <class Net, class Loss>
void gradient_direction_check(Net& net, const std::string& name, Loss loss, double max_step) {
  REQUIRE(std::isfinite(loss()));
  const Param* found = nullptr;
  for (const Param& p : net.params())
    if (p.name == name) found = &p;
  REQUIRE_MESSAGE(found, "no parameter ", name);
  const Param& p = *found;
  const std::vector<float> g(p.grad.begin(), p.grad.end()), saved(p.value.begin(), p.value.end());
  double norm = 0;
  for (float v : g) norm += double(v) * v;
  norm = std::sqrt(norm);
  REQUIRE(norm > 0);
  auto loss_at = [&](double step) {
    for (size_t i = 0; i < saved.size(); ++i)
      p.value[i] = saved[i] + static_cast<float>(step * g[i] / norm);
    const double l = loss();
    std::copy(saved.begin(), saved.end(), p.value.begin());
    return l;
  };
  const double h = std::min(max_step, 1e-2 / norm);
  const double numeric = (loss_at(h) - loss_at(-h)) / (2 * h);
  const double err = std::abs(numeric - norm) / norm;
  MESSAGE(net.name(), " ", name, ": |g| ", norm, " numeric ", numeric, " rel err ", err);
  CHECK(err < 5e-2);
}

// Directional finite difference of the training loss along a random +-1
// direction over `sample` entries of parameter tensor p:
// (L(w + h v) - L(w - h v)) / 2h  vs  sum grad * v. Returns the relative error.
inline double directional_check(Model& net, size_t p, std::span<const float> x,
                                std::span<const int32_t> labels, int batch, int sample,
                                uint32_t seed) {
  const Param& param = net.params()[p];
  std::mt19937 gen(seed);
  const size_t n = param.value.size();
  std::vector<size_t> idx;
  for (int k = 0; k < sample && static_cast<size_t>(k) < n; ++k)
    idx.push_back(static_cast<size_t>(gen() % n));
  std::sort(idx.begin(), idx.end());
  idx.erase(std::unique(idx.begin(), idx.end()), idx.end());
  std::vector<float> v(idx.size());
  for (float& s : v) s = (gen() & 1) ? 1.0f : -1.0f;

  net.loss_and_grad(x, labels, batch);
  double analytic = 0, wscale = 0;
  for (size_t k = 0; k < idx.size(); ++k) {
    analytic += static_cast<double>(param.grad[idx[k]]) * v[k];
    wscale = std::max(wscale, static_cast<double>(std::abs(param.value[idx[k]])));
  }
  const float h = static_cast<float>(std::max(1e-3, 1e-2 * wscale));
  auto shifted_loss = [&](float sign) {
    std::vector<float> saved;
    for (size_t k = 0; k < idx.size(); ++k) {
      saved.push_back(param.value[idx[k]]);
      param.value[idx[k]] += sign * h * v[k];
    }
    const double loss = net.loss_and_grad(x, labels, batch);
    for (size_t k = 0; k < idx.size(); ++k) param.value[idx[k]] = saved[k];
    return loss;
  };
  // The perturbed value actually stored (float rounding of w + h v) is what moved the loss.
  const double numeric = (shifted_loss(1.0f) - shifted_loss(-1.0f)) / (2.0 * h);
  const double err = std::abs(numeric - analytic) / std::max(std::abs(analytic), 1e-4);
  MESSAGE(param.name, ": analytic ", analytic, " numeric ", numeric, " rel err ", err);
  return err;
}

}  // namespace modelc::test
