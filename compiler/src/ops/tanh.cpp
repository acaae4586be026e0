// tanh: same shape, y = tanh(x); no attributes, no weights.
// Also available as `activation: tanh` on conv2d and dense. {op: tanh}
#include "op.hpp"

namespace modelc {

const OpInfo ops::op_tanh = {
    OpKind::tanh, "tanh", "hyperbolic tangent, element-wise",
    1, 1, {}, identity_shape, nullptr, nullptr, nullptr, nullptr,
};

}  // namespace modelc
