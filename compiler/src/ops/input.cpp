// input: node 0, the model input; its shape is the spec's `input: {shape: [...]}`
// (checked by build_graph), NHWC float32 across the generated API.
// input: {name: image, shape: [227, 227, 3]}
#include "ops/op.hpp"

namespace modelc {

namespace {

bool shape(ShapeCtx&) { return true; }  // set from the spec by build_graph

}  // namespace

const OpInfo ops::op_input = {
    .kind = OpKind::input,
    .name = "input",
    .summary = "the model input (node 0)",
    .min_inputs = 0,
    .max_inputs = 0,
    .shape = shape,
};

}  // namespace modelc
