// dropout: same shape; in training zeroes each element with probability `rate`
// and scales the rest by 1/(1 − rate); identity at inference (forward()).
// {op: dropout, rate: 0.5}
#include "op.hpp"

namespace modelc {

namespace {

const AttrSpec kAttrs[] = {
    {"rate", AttrType::real, true, [](Attrs& a, const AttrValue& v) { a.rate = v.real; }, 0.0, 1.0,
     /*lo_open=*/false, /*hi_open=*/true},
};

}  // namespace

const OpInfo ops::op_dropout = {
    OpKind::dropout, "dropout", "random zeroing in training, identity at inference",
    1, 1, kAttrs, identity_shape, nullptr, nullptr, nullptr, nullptr,
};

}  // namespace modelc
