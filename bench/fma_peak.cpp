#include "fma_peak.hpp"

// GCC 12 flags its own _mm512_reduce_add_ps as using an uninitialised value (bug 105593).
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <immintrin.h>
#include <omp.h>

#include <algorithm>
#include <chrono>

namespace modelc_bench {
namespace {

#if defined(__AVX512F__)
using Vec = __m512;
constexpr int kLanes = 16;
inline Vec splat(float v) { return _mm512_set1_ps(v); }
inline Vec fma(Vec a, Vec b, Vec c) { return _mm512_fmadd_ps(a, b, c); }
inline float sum(Vec v) { return _mm512_reduce_add_ps(v); }
#elif defined(__AVX2__) && defined(__FMA__)
using Vec = __m256;
constexpr int kLanes = 8;
inline Vec splat(float v) { return _mm256_set1_ps(v); }
inline Vec fma(Vec a, Vec b, Vec c) { return _mm256_fmadd_ps(a, b, c); }
inline float sum(Vec v) {
  alignas(32) float t[8];
  _mm256_store_ps(t, v);
  float s = 0;
  for (float x : t) s += x;
  return s;
}
#else
using Vec = float;
constexpr int kLanes = 1;
inline Vec splat(float v) { return v; }
inline Vec fma(Vec a, Vec b, Vec c) { return a * b + c; }
inline float sum(Vec v) { return v; }
#endif

constexpr int kChains = 16;  // enough independent FMAs to cover latency x pipes

// iters x kChains FMAs of kLanes lanes; returns a value so nothing is optimised out.
__attribute__((noinline)) float fma_loop(long iters) {
  Vec acc[kChains];
  for (int i = 0; i < kChains; ++i) acc[i] = splat(1.0f + 0.001f * static_cast<float>(i));
  const Vec a = splat(0.999999f), b = splat(1e-7f);
  for (long it = 0; it < iters; ++it) {
#pragma GCC unroll 16
    for (int i = 0; i < kChains; ++i) acc[i] = fma(acc[i], a, b);
  }
  float s = 0;
  for (int i = 0; i < kChains; ++i) s += sum(acc[i]);
  return s;
}

}  // namespace

const char* fma_peak_isa() { return kLanes == 16 ? "AVX-512" : kLanes == 8 ? "AVX2" : "scalar"; }

double fma_peak_gflops(int threads) {
  constexpr long iters = 20'000'000;  // ~0.1 s per thread at 3-4 GHz with 2 FMA pipes
  double best = 0;
  float sink = 0;
  for (int rep = 0; rep < 3; ++rep) {
    const auto t0 = std::chrono::steady_clock::now();
#pragma omp parallel num_threads(threads)
    {
      const float s = fma_loop(iters);
#pragma omp atomic
      sink += s;
    }
    const double sec = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    best =
        std::max(best, 2.0 * kLanes * kChains * static_cast<double>(iters) * threads / sec / 1e9);
  }
  if (sink == 12345.0f) best += 1e-9;  // keeps the loops' results alive
  return best;
}

}  // namespace modelc_bench
