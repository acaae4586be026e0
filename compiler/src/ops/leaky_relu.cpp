// leaky_relu: same shape, y = x for x >= 0, else alpha·x; alpha is required
// (Keras's default 0.3 and PyTorch's 0.01 differ, so a spec must say). No
// weights. The derivative at 0 takes the right-hand value, 1.
// {op: leaky_relu, alpha: 0.1}
//
// The template op: docs/adding-an-op.md walks through this file, its runtime
// pair (modelc/leaky_relu.hpp, runtime/src/kernels/leaky_relu.cpp) and its tests.
#include <fmt/format.h>

#include "emit/emit.hpp"
#include "ops/op.hpp"

namespace modelc {

namespace {

// The attribute schema: build_graph checks the type and range, reports
// unknown keys with a suggestion, and calls `store` with the checked value.
const AttrSpec kAttrs[] = {
    {"alpha", AttrType::real, /*required=*/true,
     [](Attrs& a, const AttrValue& v) { a.alpha = v.real; }, 0.0, 1e30},
};

// Backward reads the input x, not the output: with alpha 0 the output cannot
// tell x < 0 from x = 0, where the derivative is 1.
void forward(const EmitCtx& c, CodeWriter& w) {
  w.line("modelc::leaky_relu_forward({}, {}, n * {}, {});", c.y(), c.x(), c.size(),
         float_literal(c.node().attrs.alpha));
}

void backward(const EmitCtx& c, CodeWriter& w) {
  w.line("modelc::leaky_relu_backward({}, {}, {}, n * {}, {});", c.dx(), c.dy(), c.x(), c.size(),
         float_literal(c.node().attrs.alpha));
}

}  // namespace

const OpInfo ops::op_leaky_relu = {
    .kind = OpKind::leaky_relu,
    .name = "leaky_relu",
    .summary = "x for x >= 0, else alpha * x, element-wise",
    .attrs = kAttrs,
    .print_attrs = [](const Attrs& a) { return fmt::format(" alpha={}", a.alpha); },
    .shape = identity_shape,
    .emit_forward = forward,
    .emit_backward = backward,
};

}  // namespace modelc
