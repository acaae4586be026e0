// dense as one GEMM on row-major maps: Y[rows, out] = X[rows, in] * W[in, out],
// then bias and activation in one pass over Y.
#include "modelc/dense.hpp"

#include "conv/fused_act.hpp"
#include "conv/gemm.hpp"
#include "conv/skinny_gemm.hpp"

namespace modelc {

size_t dense_backward_scratch(const DenseGeom& g, Activation act) {
  return act == Activation::linear ? 0 : static_cast<size_t>(g.rows * g.out);
}

void dense_forward(float* y, const float* x, const float* w, const float* b, const DenseGeom& g,
                   Activation act, float* pre) {
  if (pre != nullptr) {  // keep z = x w + b for the backward, then y = act(z)
    dense_forward(pre, x, w, b, g, Activation::linear);
    return detail::act_forward(y, pre, g.rows, g.out, act);
  }
  if (detail::kHaveSkinnyGemm && g.rows <= detail::kSkinnyRows) {
    detail::skinny_gemm(y, x, w, g.rows, g.in, g.out);
  } else {
    detail::gemm_nn(y, x, w, g.rows, g.in, g.out);
  }
  detail::bias_act_forward(y, b, g.rows, g.out, act);
}

void dense_backward(float* dx, float* dw, float* db, const float* dy, const float* x,
                    const float* w, const float* y, const DenseGeom& g, Activation act,
                    float* scratch, const float* pre) {
  const float* dz = dy;
  if (act != Activation::linear) {
    detail::act_dz(scratch, dy, y, pre, g.rows, g.out, act);
    dz = scratch;
  }
  if (db != nullptr) detail::bias_grad_add(db, dz, g.rows, g.out);
  if (detail::kHaveSkinnyGemm && g.rows <= detail::kSkinnyRows) {
    detail::skinny_gemm_backward(dw, dx, x, dz, w, g.rows, g.in, g.out);
    return;
  }
  detail::gemm_tn_add(dw, x, dz, g.in, g.rows, g.out);
  if (dx != nullptr) detail::gemm_nt(dx, dz, w, g.rows, g.out, g.in, /*add=*/true);
}

}  // namespace modelc
