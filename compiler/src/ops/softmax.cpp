// softmax: same shape, y_i = exp(x_i) / Σ_j exp(x_j) over the last axis (any rank); no attributes, no weights.
// Also available as `activation: softmax` on conv2d and dense. {op: softmax}
#include "op.hpp"

namespace modelc {

const OpInfo ops::op_softmax = {
    OpKind::softmax, "softmax", "softmax over the last axis",
    1, 1, {}, identity_shape, nullptr, nullptr, nullptr, nullptr,
};

}  // namespace modelc
