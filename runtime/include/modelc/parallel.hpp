// Threads for the heavy kernels (OpenMP + Eigen's GEMM). Results are identical
// from run to run for the same thread count: work is split statically.
#pragma once

namespace modelc {

// Number of threads the kernels use; default: all cores (omp_get_max_threads()).
void set_num_threads(int n);
int num_threads();

}  // namespace modelc
