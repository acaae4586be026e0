// Row-major Eigen GEMMs on plain float buffers (conv2d, conv2d_transpose and dense), all sizes as
// [rows, cols] of row-major matrices: C[m,n] = A[m,k] B[k,n], plus the
// transposed forms backward needs. Eigen splits large products over the OpenMP
// threads by blocks of C, so results are identical run to run for a thread count.
#pragma once

#include <cstdint>

#include "eigen.hpp"

namespace modelc::detail {

using RowMatrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using MatrixMap = Eigen::Map<RowMatrix>;
using ConstMatrixMap = Eigen::Map<const RowMatrix>;

// c[m,n] = a[m,k] * b[k,n]
inline void gemm_nn(float* c, const float* a, const float* b, int64_t m, int64_t k, int64_t n) {
  MatrixMap(c, m, n).noalias() = ConstMatrixMap(a, m, k) * ConstMatrixMap(b, k, n);
}

// c[m,n] += a[m,k] * b[k,n]
inline void gemm_nn_add(float* c, const float* a, const float* b, int64_t m, int64_t k, int64_t n) {
  MatrixMap(c, m, n).noalias() += ConstMatrixMap(a, m, k) * ConstMatrixMap(b, k, n);
}

// c[m,n] += a[k,m]^T * b[k,n]
inline void gemm_tn_add(float* c, const float* a, const float* b, int64_t m, int64_t k, int64_t n) {
  MatrixMap(c, m, n).noalias() += ConstMatrixMap(a, k, m).transpose() * ConstMatrixMap(b, k, n);
}

// c[m,n] = a[m,k] * b[n,k]^T, or += when add
inline void gemm_nt(float* c, const float* a, const float* b, int64_t m, int64_t k, int64_t n,
                    bool add) {
  MatrixMap cm(c, m, n);
  const auto product = ConstMatrixMap(a, m, k) * ConstMatrixMap(b, n, k).transpose();
  if (add) {
    cm.noalias() += product;
  } else {
    cm.noalias() = product;
  }
}

}  // namespace modelc::detail
