// dense: forward against a naive loop, backward against central differences,
// += accumulation, dx = null, and run-to-run determinism.
#include <doctest/doctest.h>

#include <limits>

#include "gradcheck.hpp"
#include "modelc/dense.hpp"
#include "modelc/parallel.hpp"
#include "reference_conv.hpp"

namespace modelc::test {
namespace {

struct Dense {
  DenseGeom g;
  std::vector<float> x, w, b;
  Dense(DenseGeom geom, uint32_t seed)
      : g(geom),
        x(random_vector(static_cast<size_t>(g.rows * g.in), seed)),
        w(random_vector(static_cast<size_t>(g.in * g.out), seed + 1)),
        b(random_vector(static_cast<size_t>(g.out), seed + 2)) {}
  // pre (may be null): keeps the pre-activation, as training does.
  std::vector<float> forward(Activation act, bool bias, float* pre = nullptr) const {
    std::vector<float> y(static_cast<size_t>(g.rows * g.out));
    dense_forward(y.data(), x.data(), w.data(), bias ? b.data() : nullptr, g, act, pre);
    return y;
  }
  std::vector<double> naive_z(bool bias) const {
    std::vector<double> z;
    for (int64_t r = 0; r < g.rows; ++r)
      for (int64_t o = 0; o < g.out; ++o) {
        double s = bias ? b[o] : 0.0;
        for (int64_t i = 0; i < g.in; ++i)
          s += static_cast<double>(x[r * g.in + i]) * w[i * g.out + o];
        z.push_back(s);
      }
    return z;
  }
};

struct Grads {
  std::vector<float> dx, dw, db;
  explicit Grads(const Dense& d) : dx(d.x.size()), dw(d.w.size()), db(d.b.size()) {}
};

void backward(const Dense& d, const std::vector<float>& dy, Activation act, bool bias, bool with_dx,
              Grads& gr) {
  // Activations whose backward reads the pre-activation get it kept, as in training.
  std::vector<float> pre(activation_reads_input(act) ? static_cast<size_t>(d.g.rows * d.g.out) : 0);
  float* kept = pre.empty() ? nullptr : pre.data();
  const std::vector<float> y = d.forward(act, bias, kept);
  std::vector<float> scratch(dense_backward_scratch(d.g, act));
  dense_backward(with_dx ? gr.dx.data() : nullptr, gr.dw.data(), bias ? gr.db.data() : nullptr,
                 dy.data(), d.x.data(), d.w.data(), y.data(), d.g, act, scratch.data(), kept);
}

constexpr DenseGeom kSmall{7, 5, 4};  // e.g. batch 7, or batch 1 x 7 positions

}  // namespace

TEST_CASE("dense forward matches a naive loop") {
  for (Activation act : kAllActivations) {
    for (bool bias : {true, false}) {
      CAPTURE(act_name(act));
      CAPTURE(bias);
      const Dense d(kSmall, 10);
      std::vector<double> want = d.naive_z(bias);
      act_naive(want, kSmall.out, act);
      CHECK(max_rel_error(d.forward(act, bias), want) < 1e-5);
    }
  }
}

TEST_CASE("dense fast paths (few rows: skinny GEMM; more: Eigen) match a naive loop") {
  // Row counts on both sides of the skinny path's groups of 4 and 8 and its
  // 16-row limit; column counts with 64-, 32- and 16-wide tails.
  double worst = 0;
  for (int64_t rows : {1, 3, 4, 5, 8, 11, 16, 17}) {
    for (int64_t out : {16, 37, 100, 130}) {
      CAPTURE(rows);
      CAPTURE(out);
      const Dense d(DenseGeom{rows, 203, out}, 20);
      std::vector<double> want = d.naive_z(true);
      act_naive(want, out, Activation::relu);
      const double e = max_rel_error(d.forward(Activation::relu, true), want);
      CHECK(e < 1e-5);
      worst = std::max(worst, e);
    }
  }
  MESSAGE("dense fast paths: max relative error vs naive " << worst);
}

TEST_CASE(
    "dense backward fast paths (few rows: one pass over w; more: Eigen) match the naive adjoint") {
  // dw += x^T dy and dx += dy w^T in double, linear activation; row counts on
  // both sides of the one-pass kernel's groups of 8 and its 16-row limit.
  double worst = 0;
  for (int64_t rows : {1, 3, 8, 9, 16, 17}) {
    for (int64_t out : {16, 37, 130}) {
      CAPTURE(rows);
      CAPTURE(out);
      const Dense d(DenseGeom{rows, 203, out}, 50);
      const std::vector<float> dy = random_vector(static_cast<size_t>(rows * out), 51);
      Grads gr(d);
      gr.dx = random_vector(d.x.size(), 52);  // added into
      gr.dw = random_vector(d.w.size(), 53);
      const Grads start = gr;
      backward(d, dy, Activation::linear, false, true, gr);
      std::vector<double> dw(d.w.size()), dx(d.x.size());
      for (int64_t i = 0; i < d.g.in; ++i)
        for (int64_t o = 0; o < out; ++o) {
          double s = start.dw[static_cast<size_t>(i * out + o)];
          for (int64_t r = 0; r < rows; ++r)
            s += static_cast<double>(d.x[static_cast<size_t>(r * d.g.in + i)]) *
                 dy[static_cast<size_t>(r * out + o)];
          dw[static_cast<size_t>(i * out + o)] = s;
        }
      for (int64_t r = 0; r < rows; ++r)
        for (int64_t i = 0; i < d.g.in; ++i) {
          double s = start.dx[static_cast<size_t>(r * d.g.in + i)];
          for (int64_t o = 0; o < out; ++o)
            s += static_cast<double>(dy[static_cast<size_t>(r * out + o)]) *
                 d.w[static_cast<size_t>(i * out + o)];
          dx[static_cast<size_t>(r * d.g.in + i)] = s;
        }
      const double e = std::max(max_rel_error(gr.dw, dw), max_rel_error(gr.dx, dx));
      CHECK(e < 1e-5);
      worst = std::max(worst, e);
    }
  }
  MESSAGE("dense backward fast paths: max relative error vs naive " << worst);
}

TEST_CASE("dense backward matches central finite differences") {
  MaxError worst, per_act[kActivationCount];
  for (Activation act : kAllActivations) {
    for (bool bias : {true, false}) {
      CAPTURE(act_name(act));
      CAPTURE(bias);
      const float h = fd_step(act);
      uint32_t seed = 20;
      Dense d(kSmall, seed);
      const auto min_kink_distance = [&] {
        double m = std::numeric_limits<double>::infinity();
        for (double z : d.naive_z(bias)) m = std::min(m, kink_distance(act, z));
        return m;
      };
      while (min_kink_distance() < 2 * h) d = Dense(kSmall, seed += 3);
      const std::vector<float> r =
          random_vector(static_cast<size_t>(kSmall.rows * kSmall.out), seed + 7);
      Grads gr(d);
      backward(d, r, act, bias, true, gr);
      const auto loss = [&] { return weighted_sum(d.forward(act, bias), r); };
      const double ex = max_rel_error(gr.dx, numeric_gradient(d.x, loss, h));
      const double ew = max_rel_error(gr.dw, numeric_gradient(d.w, loss, h));
      const double eb = bias ? max_rel_error(gr.db, numeric_gradient(d.b, loss, h)) : 0.0;
      CHECK(ex < kFdTolerance);
      CHECK(ew < kFdTolerance);
      CHECK(eb < kFdTolerance);
      worst.add(std::max({ex, ew, eb}));
      per_act[static_cast<size_t>(act)].add(std::max({ex, ew, eb}));
    }
  }
  MESSAGE("dense: largest finite-difference relative error (dx, dw, db) = " << worst.value);
  for (Activation act : kAllActivations)
    MESSAGE("dense, activation " << act_name(act) << ": "
                                 << per_act[static_cast<size_t>(act)].value);
}

TEST_CASE("dense backward adds into the gradients and accepts dx = null") {
  const Dense d(kSmall, 30);
  const std::vector<float> r = random_vector(static_cast<size_t>(kSmall.rows * kSmall.out), 31);
  Grads fresh(d);
  backward(d, r, Activation::sigmoid, true, true, fresh);
  Grads acc(d);
  acc.dx = random_vector(d.x.size(), 32);
  acc.dw = random_vector(d.w.size(), 33);
  acc.db = random_vector(d.b.size(), 34);
  const Grads start = acc;
  backward(d, r, Activation::sigmoid, true, true, acc);
  const auto sum_of = [](const std::vector<float>& a, const std::vector<float>& b) {
    const std::vector<float> s = plus(a, b);
    return std::vector<double>(s.begin(), s.end());
  };
  CHECK(max_rel_error(acc.dx, sum_of(start.dx, fresh.dx)) < 1e-6);
  CHECK(max_rel_error(acc.dw, sum_of(start.dw, fresh.dw)) < 1e-6);
  CHECK(max_rel_error(acc.db, sum_of(start.db, fresh.db)) < 1e-6);
  Grads no_dx(d);
  backward(d, r, Activation::sigmoid, true, false, no_dx);
  CHECK(no_dx.dw == fresh.dw);
  CHECK(no_dx.db == fresh.db);
}

TEST_CASE("dense is bit-identical from run to run") {
  set_num_threads(0);
  const Dense d({64, 384, 256}, 40);  // big enough for Eigen to split the GEMMs
  const std::vector<float> r = random_vector(64 * 256, 41);
  CHECK(d.forward(Activation::relu, true) == d.forward(Activation::relu, true));
  Grads a(d), b(d);
  backward(d, r, Activation::softmax, true, true, a);
  backward(d, r, Activation::softmax, true, true, b);
  CHECK(a.dx == b.dx);
  CHECK(a.dw == b.dw);
  CHECK(a.db == b.db);
}

}  // namespace modelc::test
