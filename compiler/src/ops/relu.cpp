// relu: same shape, y = max(x, 0); no attributes, no weights.
// Also available as `activation: relu` on conv2d and dense. {op: relu}
#include "op.hpp"

namespace modelc {

const OpInfo ops::op_relu = {
    OpKind::relu, "relu", "rectified linear unit, element-wise",
    1, 1, {}, identity_shape, nullptr, nullptr, nullptr, nullptr,
};

}  // namespace modelc
