#include <doctest/doctest.h>

#include <vector>

#include "modelc/lrn.hpp"
#include "reference_ops.hpp"

using namespace modelc;
using namespace modelc::test;

// c = 7 channels, odd and even window sizes (even sizes are asymmetric: the
// window reaches size/2 channels back and (size-1)/2 forward), several betas.
TEST_CASE("lrn: forward vs naive loop, backward vs finite differences") {
  struct P {
    int64_t size;
    float alpha, beta, bias;
  };
  for (P p : {P{5, 1e-4f, 0.75f, 1.0f}, P{4, 1e-4f, 0.75f, 1.0f}, P{5, 0.5f, 0.75f, 2.0f},
              P{4, 0.8f, 0.6f, 1.0f}, P{3, 1.5f, 1.0f, 0.5f}, P{1, 0.3f, 0.75f, 1.0f}}) {
    CAPTURE(p.size);
    CAPTURE(p.alpha);
    CAPTURE(p.beta);
    const LrnGeom g{2 * 5, 7, p.size, p.alpha, p.beta, p.bias};
    const int64_t n = g.rows * g.c;
    std::vector<float> x = random_vector(n, 91, -2.0f, 2.0f), y(n), scale(n), y2(n);
    lrn_forward(y.data(), scale.data(), x.data(), g);
    CHECK(forward_error(y, ref_lrn(x, g.rows, g.c, p.size, p.alpha, p.beta, p.bias)) < 1e-6);
    lrn_forward(y2.data(), nullptr, x.data(), g);
    CHECK(y2 == y);

    const std::vector<float> r = random_vector(n, 92);
    std::vector<float> dx(n, 0.25f), yy(n);
    lrn_backward(dx.data(), r.data(), x.data(), y.data(), scale.data(), g);
    for (float& v : dx) v -= 0.25f;
    fd_check(
        "lrn size " + std::to_string(p.size) + " alpha " + std::to_string(p.alpha) + " beta " +
            std::to_string(p.beta),
        dx, x,
        [&] {
          lrn_forward(yy.data(), nullptr, x.data(), g);
          return weighted_sum(yy, r);
        },
        1e-2f, 1e-4);
  }
}
