// Bias + activation output pass, dz from the output (or the kept pre-activation),
// and the bias gradient: the elementwise steps conv2d and dense share. Work is
// split by blocks of rows. The activations are those of modelc/activation.def
// with the formulas of kernels/act_formulas.hpp, the same the standalone kernels
// use.
#include "conv/fused_act.hpp"

#include <algorithm>
#include <string>

#include "eigen.hpp"
#include "kernels/act_formulas.hpp"
#include "modelc/error.hpp"
#include "threading.hpp"

namespace modelc::detail {
namespace {

using RowArray = Eigen::Array<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using ArrayMap = Eigen::Map<RowArray>;
using ConstArrayMap = Eigen::Map<const RowArray>;
using ConstRowVector = Eigen::Map<const Eigen::Array<float, 1, Eigen::Dynamic>>;

constexpr int64_t kBlockFloats = 4096;

// f(r0, nr) over consecutive row blocks of about kBlockFloats floats, in parallel.
template <class F>
void for_row_blocks(int64_t rows, int64_t cols, F f) {
  const int64_t per = std::max<int64_t>(1, kBlockFloats / std::max<int64_t>(1, cols));
  const int64_t blocks = (rows + per - 1) / per;
#pragma omp parallel for schedule(static) if (rows * cols >= kParallelMinFloats)
  for (int64_t i = 0; i < blocks; ++i) {
    const int64_t r0 = i * per;
    f(r0, std::min(per, rows - r0));
  }
}

// Softmax of each row, summed in float (Eigen's sums): the last bits differ from
// the standalone softmax_forward (double sums). Kept as is, since either change
// would move the four models' output digests (four_models --digest).
template <class Block>
void softmax_rows(Block&& z) {
  for (Eigen::Index r = 0; r < z.rows(); ++r) {
    auto row = z.row(r);
    row = (row - row.maxCoeff()).exp();
    row /= row.sum();
  }
}

// z = act(z) on a block of nr * cols contiguous floats.
template <class A>
void act_block(float* z, int64_t nr, int64_t cols) {
  if constexpr (std::is_same_v<A, act::linear>) {
    return;
  } else if constexpr (act::kElementwise<A>) {
    const int64_t n = nr * cols;
#pragma omp simd
    for (int64_t i = 0; i < n; ++i) z[i] = A::forward(z[i]);
  } else {
    softmax_rows(ArrayMap(z, nr, cols));
  }
}

// y = act(z) on a block of nr * cols floats, out of place (z is kept).
template <class A>
void act_block_from(float* y, const float* z, int64_t nr, int64_t cols) {
  const int64_t n = nr * cols;
  if constexpr (act::kElementwise<A>) {
#pragma omp simd
    for (int64_t i = 0; i < n; ++i) y[i] = A::forward(z[i]);
  } else {
    std::copy(z, z + n, y);
    act_block<A>(y, nr, cols);
  }
}

// d = act'(.) * g (overwrites d), on a block of nr * cols floats: from the
// output o, or from the pre-activation p for the rows that read their input.
template <class A>
void dz_block(float* d, const float* g, const float* o, const float* p, int64_t nr, int64_t cols) {
  if constexpr (act::kElementwise<A>) {
    const int64_t n = nr * cols;
    const float* v = A::kReadsInput ? p : o;
#pragma omp simd
    for (int64_t i = 0; i < n; ++i) d[i] = A::backward(g[i], v[i]);
  } else {
    ArrayMap dm(d, nr, cols);
    const ConstArrayMap gm(g, nr, cols), om(o, nr, cols);
    for (Eigen::Index r = 0; r < nr; ++r) {
      dm.row(r) = om.row(r) * (gm.row(r) - (gm.row(r) * om.row(r)).sum());
    }
  }
}

}  // namespace

void bias_act_forward(float* y, const float* b, int64_t rows, int64_t cols, Activation act) {
  if (act == Activation::linear && b == nullptr) return;
  for_row_blocks(rows, cols, [=](int64_t r0, int64_t nr) {
    float* z = y + r0 * cols;
    if (b != nullptr) ArrayMap(z, nr, cols).rowwise() += ConstRowVector(b, cols);
    switch (act) {
#define MODELC_ACTIVATION(name, reads) \
  case Activation::name:               \
    act_block<act::name>(z, nr, cols); \
    break;
#include "modelc/activation.def"
#undef MODELC_ACTIVATION
    }
  });
}

void output_pass(float* y, const float* scale, const float* shift, const float* residual,
                 int64_t rows, int64_t cols, Activation act) {
  for_row_blocks(rows, cols, [=](int64_t r0, int64_t nr) {
    ArrayMap z(y + r0 * cols, nr, cols);
    if (scale != nullptr) z.rowwise() *= ConstRowVector(scale, cols);
    if (shift != nullptr) z.rowwise() += ConstRowVector(shift, cols);
    if (residual != nullptr) z += ConstArrayMap(residual + r0 * cols, nr, cols);
  });
  bias_act_forward(y, nullptr, rows, cols, act);
}

void act_forward(float* y, const float* z, int64_t rows, int64_t cols, Activation act) {
  for_row_blocks(rows, cols, [=](int64_t r0, int64_t nr) {
    const int64_t at = r0 * cols;
    switch (act) {
#define MODELC_ACTIVATION(name, reads)                   \
  case Activation::name:                                 \
    act_block_from<act::name>(y + at, z + at, nr, cols); \
    break;
#include "modelc/activation.def"
#undef MODELC_ACTIVATION
    }
  });
}

void act_dz(float* dz, const float* dy, const float* y, const float* pre, int64_t rows,
            int64_t cols, Activation act) {
  if (activation_reads_input(act) && pre == nullptr)
    throw Error(std::string("conv2d/dense backward: activation ") +
                std::string(kActivationNames[static_cast<size_t>(act)]) +
                " needs the saved pre-activation (pre)");
  for_row_blocks(rows, cols, [=](int64_t r0, int64_t nr) {
    const int64_t at = r0 * cols;
    // pre + at only where pre is given (rows that read y never look at it).
    const float* p = pre != nullptr ? pre + at : nullptr;
    switch (act) {
#define MODELC_ACTIVATION(name, reads)                          \
  case Activation::name:                                        \
    dz_block<act::name>(dz + at, dy + at, y + at, p, nr, cols); \
    break;
#include "modelc/activation.def"
#undef MODELC_ACTIVATION
    }
  });
}

void bias_grad_add(float* db, const float* dz, int64_t rows, int64_t cols) {
  // Threads own disjoint column blocks and each sums its rows in order.
  constexpr int64_t kCols = 32;
  const int64_t blocks = (cols + kCols - 1) / kCols;
#pragma omp parallel for schedule(static) if (rows * cols >= kParallelMinFloats && blocks > 1)
  for (int64_t i = 0; i < blocks; ++i) {
    const int64_t c0 = i * kCols, c1 = std::min(cols, c0 + kCols);
    float acc[kCols] = {};
    for (int64_t r = 0; r < rows; ++r) {
      const float* row = dz + r * cols;
      for (int64_t c = c0; c < c1; ++c) acc[c - c0] += row[c];
    }
    for (int64_t c = c0; c < c1; ++c) db[c] += acc[c - c0];
  }
}

}  // namespace modelc::detail
