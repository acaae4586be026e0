// The machine's FP32 FMA peak, measured: independent FMA chains in registers
// (AVX-512 when compiled for it, else AVX2+FMA, else scalar), on `threads` threads.
#pragma once

namespace modelc_bench {

double fma_peak_gflops(int threads);
const char* fma_peak_isa();

}  // namespace modelc_bench
