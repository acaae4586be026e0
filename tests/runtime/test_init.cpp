#include <doctest/doctest.h>

#include <bit>
#include <cmath>
#include <set>
#include <vector>

#include "modelc/error.hpp"
#include "modelc/init.hpp"

using namespace modelc;

TEST_CASE("hash64: splitmix64 mixing, deterministic, distinct over seeds and counters") {
  CHECK(hash64(0, 0) == hash64(0, 0));
  // Pinned so the weights from a seed never change silently between versions.
  CHECK(hash64(0, 0) == 0xE220A8397B1DCDAFull);
  std::set<uint64_t> seen;
  for (uint64_t s = 0; s < 16; ++s)
    for (uint64_t c = 0; c < 64; ++c) seen.insert(hash64(s, c));
  CHECK(seen.size() == 16 * 64);
  // Bits look balanced: about half of 64 * 1000 bits set.
  int64_t ones = 0;
  for (uint64_t c = 0; c < 1000; ++c) ones += std::popcount(hash64(42, c));
  CHECK(std::abs(static_cast<double>(ones) / 64000.0 - 0.5) < 0.01);
}

TEST_CASE("glorot_uniform: range, spread, determinism per (seed, stream)") {
  const int64_t fan_in = 3 * 3 * 16, fan_out = 32, n = fan_in * fan_out;
  const double limit = std::sqrt(6.0 / (fan_in + fan_out));
  std::vector<float> a(n), b(n), c(n), d(n);
  glorot_uniform(a.data(), n, fan_in, fan_out, 7, 0);
  glorot_uniform(b.data(), n, fan_in, fan_out, 7, 0);
  glorot_uniform(c.data(), n, fan_in, fan_out, 7, 1);
  glorot_uniform(d.data(), n, fan_in, fan_out, 8, 0);
  CHECK(a == b);
  CHECK(a != c);
  CHECK(a != d);
  double mean = 0, sq = 0, lo = 0, hi = 0;
  for (float v : a) {
    CHECK(std::abs(v) <= limit);
    mean += v;
    sq += static_cast<double>(v) * v;
    lo = std::min(lo, static_cast<double>(v));
    hi = std::max(hi, static_cast<double>(v));
  }
  mean /= n;
  // Uniform on [-limit, limit]: mean 0, variance limit^2 / 3, extremes near the limits.
  CHECK(std::abs(mean) < 0.05 * limit);
  CHECK(sq / n == doctest::Approx(limit * limit / 3).epsilon(0.05));
  CHECK(hi > 0.99 * limit);
  CHECK(lo < -0.99 * limit);
  CHECK_THROWS_AS(glorot_uniform(a.data(), n, 0, fan_out, 7, 0), modelc::Error);
}

TEST_CASE("fill") {
  std::vector<float> w(7, 1.0f);
  fill(w.data(), 5, 0.25f);
  CHECK(w == std::vector<float>{0.25f, 0.25f, 0.25f, 0.25f, 0.25f, 1.0f, 1.0f});
}
