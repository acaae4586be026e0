#include <doctest/doctest.h>

#include <vector>

#include "modelc/error.hpp"
#include "modelc/optim.hpp"

using namespace modelc;

TEST_CASE("sgd with momentum and weight decay: two steps by hand") {
  // v1 = -0.1 * (0.5 + 0.01 * 1) = -0.051, w1 = 0.949;
  // v2 = 0.9 * -0.051 - 0.1 * (0.5 + 0.01 * 0.949) = -0.096849, w2 = 0.852151.
  std::vector<float> w = {1.0f, 1.0f}, v = {0.0f, 0.0f};
  const std::vector<float> g = {0.5f, 0.5f};
  const SgdOptions o{.lr = 0.1f, .momentum = 0.9f, .weight_decay = 0.01f};
  sgd_step(w.data(), v.data(), g.data(), 2, o);
  CHECK(v[0] == doctest::Approx(-0.051).epsilon(1e-6));
  CHECK(w[1] == doctest::Approx(0.949).epsilon(1e-6));
  sgd_step(w.data(), v.data(), g.data(), 2, o);
  CHECK(v[1] == doctest::Approx(-0.096849).epsilon(1e-6));
  CHECK(w[0] == doctest::Approx(0.852151).epsilon(1e-6));

  // Without momentum the velocity may be null: w -= lr * (g + wd * w).
  float w1 = 2.0f, g1 = 1.0f;
  sgd_step(&w1, nullptr, &g1, 1, {.lr = 0.5f, .momentum = 0.0f, .weight_decay = 0.25f});
  CHECK(w1 == doctest::Approx(2.0 - 0.5 * (1.0 + 0.5)));
  CHECK_THROWS_AS(sgd_step(&w1, nullptr, &g1, 1, {.lr = 0.5f, .momentum = 0.9f}), modelc::Error);
}

TEST_CASE("adam (Keras defaults, Keras's epsilon placement): two steps by hand") {
  // w0 = 0 so that epsilon's placement is visible in float:
  // t=1: m = 0.05, v = 0.00025, alpha = 1e-3 sqrt(0.001) / 0.1,
  //      w1 = -alpha * m / (sqrt(v) + 1e-7) = -9.999936754846801e-4
  //      (Kingma & Ba's m^/(sqrt(v^) + eps) would give -9.9999980e-4).
  // t=2 (g = -0.25): m = 0.02, v = 0.00031225, w2 = -1.2663292079207822e-3.
  float w = 0.0f, m = 0.0f, v = 0.0f;
  const AdamOptions o;
  CHECK(o.lr == 1e-3f);
  CHECK(o.beta1 == 0.9f);
  CHECK(o.beta2 == 0.999f);
  CHECK(o.epsilon == 1e-7f);
  float g = 0.5f;
  adam_step(&w, &m, &v, &g, 1, 1, o);
  CHECK(m == doctest::Approx(0.05).epsilon(1e-6));
  CHECK(v == doctest::Approx(0.00025).epsilon(1e-6));
  CHECK(w == doctest::Approx(-9.999936754846801e-4).epsilon(2e-7));
  g = -0.25f;
  adam_step(&w, &m, &v, &g, 1, 2, o);
  CHECK(m == doctest::Approx(0.02).epsilon(1e-6));
  CHECK(v == doctest::Approx(0.00031225).epsilon(1e-6));
  CHECK(w == doctest::Approx(-1.2663292079207822e-3).epsilon(1e-6));

  CHECK_THROWS_WITH_AS(adam_step(&w, &m, &v, &g, 1, 0, o),
                       "adam_step: the step count t is 1-based, got 0", modelc::Error);
}

TEST_CASE("adam with decoupled weight decay (AdamW): w -= lr * wd * w before the step") {
  // From w0 = 1, wd = 0.1: w1 = 1 - 1e-4 - 9.999936754846801e-4 = 0.9989000063245154,
  // w2 = 0.9985337807914467 (g = 0.5 then -0.25).
  float w = 1.0f, m = 0.0f, v = 0.0f;
  AdamOptions o;
  o.weight_decay = 0.1f;
  float g = 0.5f;
  adam_step(&w, &m, &v, &g, 1, 1, o);
  CHECK(w == doctest::Approx(0.9989000063245154).epsilon(1e-7));
  g = -0.25f;
  adam_step(&w, &m, &v, &g, 1, 2, o);
  CHECK(w == doctest::Approx(0.9985337807914467).epsilon(1e-7));
}
