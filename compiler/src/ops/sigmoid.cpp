// sigmoid: same shape, y = 1 / (1 + exp(−x)); no attributes, no weights.
// Also available as `activation: sigmoid` on conv2d and dense. {op: sigmoid}
#include "op.hpp"

namespace modelc {

const OpInfo ops::op_sigmoid = {
    OpKind::sigmoid, "sigmoid", "logistic sigmoid, element-wise",
    1, 1, {}, identity_shape, nullptr, nullptr, nullptr, nullptr,
};

}  // namespace modelc
