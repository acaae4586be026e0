// Views of a checked graph for people: the `summary` table and `graph` DOT.
#pragma once

#include <string>

#include "ir/graph.hpp"

namespace modelc {

// Keras-like table: layer, op, output shape, params, MACs; then the totals
// (all, trainable, non-trainable, forward-only when some outputs are
// training_only), total MACs and parameter memory.
std::string summary_table(const Graph& g);

// Graphviz DOT: one box per node (op, name, output shape), block instances as
// nested clusters, training-only nodes dashed, outputs double-bordered.
std::string graph_dot(const Graph& g);

}  // namespace modelc
