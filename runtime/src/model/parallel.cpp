// Threads: OpenMP for the kernels' loops, and Eigen's GEMM (which splits its
// products over OpenMP threads) told the same number.
#include "modelc/parallel.hpp"

#include <omp.h>

#include "eigen.hpp"

namespace modelc {

void set_num_threads(int n) {
  if (n < 1) n = omp_get_num_procs();
  omp_set_num_threads(n);
  Eigen::setNbThreads(n);
}

int num_threads() { return omp_get_max_threads(); }

}  // namespace modelc
