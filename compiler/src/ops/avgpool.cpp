// avgpool: [H, W, C] -> [H', W', C], the mean over each pool window; with
// `same` padding the mean is over the cells inside the input (as Keras).
// {op: avgpool, pool: 5, stride: 3}: [14, 14, 512] -> [4, 4, 512]
#include "pool_common.hpp"

namespace modelc {

const OpInfo ops::op_avgpool = {
    OpKind::avgpool, "avgpool", "mean over a sliding window, per channel (padding excluded)",
    1, 1, pool::kAttrs, pool::shape, pool::finish, nullptr, nullptr, pool::hint,
};

}  // namespace modelc
