#include <doctest/doctest.h>

#include <vector>

#include "modelc/zeropad.hpp"
#include "reference_ops.hpp"

using namespace modelc;
using namespace modelc::test;

TEST_CASE("zeropad: forward vs naive loop, backward vs finite differences") {
  for (ZeropadGeom g : {ZeropadGeom{2, 5, 7, 3, 1, 2, 3, 0}, ZeropadGeom{2, 5, 7, 3, 0, 0, 0, 0},
                        ZeropadGeom{1, 3, 1, 2, 2, 2, 2, 2}}) {
    CAPTURE(g.top);
    const int64_t oh = g.top + g.h + g.bottom, ow = g.left + g.w + g.right;
    const int64_t nx = g.n * g.h * g.w * g.c, ny = g.n * oh * ow * g.c;
    std::vector<float> x = random_vector(nx, 71), y(ny, 9.0f);
    zeropad_forward(y.data(), x.data(), g);
    std::vector<double> want(ny, 0.0);
    for (int64_t b = 0; b < g.n; ++b)
      for (int64_t i = 0; i < oh; ++i)
        for (int64_t j = 0; j < ow; ++j)
          for (int64_t ch = 0; ch < g.c; ++ch) {
            const int64_t si = i - g.top, sj = j - g.left;
            if (si >= 0 && si < g.h && sj >= 0 && sj < g.w)
              want[((b * oh + i) * ow + j) * g.c + ch] = x[((b * g.h + si) * g.w + sj) * g.c + ch];
          }
    CHECK(forward_error(y, want) == 0.0);

    const std::vector<float> r = random_vector(ny, 72);
    std::vector<float> dx(nx, 0.25f), yy(ny);
    zeropad_backward(dx.data(), r.data(), g);
    for (float& v : dx) v -= 0.25f;
    fd_check(
        "zeropad", dx, x,
        [&] {
          zeropad_forward(yy.data(), x.data(), g);
          return weighted_sum(yy, r);
        },
        1e-2f, 1e-4);
  }
}
