// Deterministic initialisers: splitmix64 outputs addressed by counter, so any
// element can be drawn independently of the others (and of the thread count).
#include "modelc/init.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include "modelc/error.hpp"

namespace modelc {
namespace {

constexpr uint64_t golden = 0x9E3779B97F4A7C15ull;

constexpr uint64_t mix64(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

}  // namespace

// The counter-th output of a splitmix64 generator whose state starts at mix64(seed).
uint64_t hash64(uint64_t seed, uint64_t counter) {
  return mix64(mix64(seed) + (counter + 1) * golden);
}

void glorot_uniform(float* w, int64_t n, int64_t fan_in, int64_t fan_out, uint64_t seed,
                    uint64_t stream) {
  if (fan_in <= 0 || fan_out <= 0) {
    throw Error("glorot_uniform: fan_in and fan_out must be positive, got " +
                std::to_string(fan_in) + " and " + std::to_string(fan_out));
  }
  const double limit = std::sqrt(6.0 / static_cast<double>(fan_in + fan_out));
  const uint64_t key = hash64(seed, stream);
  for (int64_t i = 0; i < n; ++i) {
    // 53 random bits -> u in [0, 1) -> [-limit, limit).
    const double u = static_cast<double>(hash64(key, static_cast<uint64_t>(i)) >> 11) * 0x1.0p-53;
    w[i] = static_cast<float>(limit * (2.0 * u - 1.0));
  }
}

void fill(float* w, int64_t n, float value) { std::fill(w, w + n, value); }

}  // namespace modelc
