// Weight initialisers with Keras's defaults, from a deterministic RNG.
#pragma once

#include <cstdint>

namespace modelc {

// Uniform in [-limit, limit], limit = sqrt(6 / (fan_in + fan_out)). Deterministic
// for (seed, stream): the same seed gives the same weights on every machine.
void glorot_uniform(float* w, int64_t n, int64_t fan_in, int64_t fan_out, uint64_t seed,
                    uint64_t stream);

void fill(float* w, int64_t n, float value);

// splitmix64-style mixing of (seed, counter) into 64 random bits.
uint64_t hash64(uint64_t seed, uint64_t counter);

}  // namespace modelc
