// maxpool: [H, W, C] -> [H', W', C], the maximum over each pool window (padding
// never wins: padded cells count as -inf). Sizes as conv2d (geometry.hpp).
// {op: maxpool, pool: 3, stride: 2}: [55, 55, 96] -> [27, 27, 96]
#include "pool_common.hpp"

namespace modelc {

const OpInfo ops::op_maxpool = {
    OpKind::maxpool, "maxpool", "maximum over a sliding window, per channel",
    1, 1, pool::kAttrs, pool::shape, pool::finish, nullptr, nullptr, pool::hint,
};

}  // namespace modelc
