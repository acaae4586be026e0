// Inference fusion (batchnorm folded into the conv's prepared weights; add and
// relu in the conv's output pass) against the same spec generated with
// --no-fuse, where each of those layers runs its own kernel; and the
// prepared weights following every way the weights can change.
#include <doctest/doctest.h>

#include <cmath>

#include "mini_inception.hpp"
#include "mini_inception_unfused.hpp"
#include "mini_resnet.hpp"
#include "mini_resnet_unfused.hpp"
#include "v2_net.hpp"
#include "v2_net_unfused.hpp"
#include "model_checks.hpp"

using namespace modelc;
using namespace modelc::test;

namespace {

// Moves every 1-D tensor (biases, gamma, beta, moving statistics) off its
// initial value, so the folded scale and shift are not trivial.
void perturb_vectors(Model& net) {
  for (const Param& p : net.params()) {
    if (p.shape.size() != 1) continue;
    const bool variance = p.name.ends_with("moving_variance");
    for (size_t i = 0; i < p.value.size(); ++i) {
      const float s = std::sin(static_cast<float>(i) * 1.7f + 0.3f);
      p.value[i] = variance ? 0.5f + 0.4f * s * s : p.value[i] + 0.2f * s;
    }
  }
}

void copy_weights(Model& to, const Model& from) {
  const std::span<const Param> src = from.params(), dst = to.params();
  REQUIRE(src.size() == dst.size());
  for (size_t i = 0; i < src.size(); ++i)
    std::copy(src[i].value.begin(), src[i].value.end(), dst[i].value.begin());
}

// max |fused - unfused| / max |unfused| over a batch-3 forward.
template <class Fused, class Unfused>
double fused_error(Fused& fused, Unfused& unfused, const std::vector<float>& x) {
  copy_weights(unfused, fused);
  const std::span<const float> a = fused.forward(x, 3);
  const std::vector<float> ya(a.begin(), a.end());
  const std::span<const float> yb = unfused.forward(x, 3);
  double diff = 0, scale = 0;
  for (size_t i = 0; i < ya.size(); ++i) {
    diff = std::max(diff, static_cast<double>(std::abs(ya[i] - yb[i])));
    scale = std::max(scale, static_cast<double>(std::abs(yb[i])));
  }
  return diff / scale;
}

template <class Fused, class Unfused>
void check_fusion(const char* what) {
  Fused fused(3, {.dropout = false});
  Unfused unfused(3, {.dropout = false});
  fused.init_weights(5);
  perturb_vectors(fused);
  const std::vector<float> x = random_input(3 * Fused::kInputSize, 11);
  const double fresh = fused_error(fused, unfused, x);
  MESSAGE(std::string(what), ": fused vs unfused forward, max relative error ", fresh);
  CHECK(fresh < 1e-5);

  // A train step changes the weights and the moving statistics: the prepared
  // weights must follow.
  const std::vector<int32_t> labels = random_labels(3, fused.output_size(0), 12);
  fused.train_step(x, labels, 3, SgdOptions{.lr = 0.05f, .momentum = 0.9f});
  const double after_step = fused_error(fused, unfused, x);
  MESSAGE(std::string(what), ": after a train step ", after_step);
  CHECK(after_step < 1e-5);

  // Writing through params() between two forwards.
  fused.forward(x, 3);
  for (const Param& p : fused.params())
    for (float& v : p.value) v *= 1.1f;
  const double after_write = fused_error(fused, unfused, x);
  MESSAGE(std::string(what), ": after writing through params() ", after_write);
  CHECK(after_write < 1e-5);
}

}  // namespace

TEST_CASE("fused inference matches the unfused reference (MiniResNet: batchnorm, add, relu)") {
  check_fusion<gen::MiniResNet, unfused::MiniResNet>("MiniResNet");
}

TEST_CASE("fused inference matches the unfused reference (MiniInception: conv + relu)") {
  check_fusion<gen::MiniInception, unfused::MiniInception>("MiniInception");
}

TEST_CASE("fused inference matches the unfused reference (V2Net: broadcasting add not fused)") {
  check_fusion<gen::V2Net, unfused::V2Net>("V2Net");
}
