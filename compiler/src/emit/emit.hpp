// Stage 6, emit: the generated model class (NAME.hpp + NAME.cpp). The driver
// (emit_cpp.cpp) writes the banner, the tables and the class; each op's file
// writes its own geometry constant and its forward/backward call through an
// EmitCtx, which names every buffer the call needs.
#pragma once

#include <string>
#include <string_view>

#include "emit/code_writer.hpp"
#include "ir/graph.hpp"
#include "passes/plan.hpp"

namespace modelc {

enum class Mode : uint8_t { inference, training };

struct EmitCtx {
  const Graph& graph;
  const MemoryPlan& plan;
  const std::vector<std::string>& ids;  // C++ identifier fragment per node
  int index;                            // this node
  Mode mode;

  const Node& node() const { return graph.nodes[static_cast<size_t>(index)]; }
  const Node& input_node(size_t i = 0) const;
  const std::string& id() const { return ids[static_cast<size_t>(index)]; }
  std::string geom() const { return "g_" + id(); }  // the per-image geometry constant
  // Buffer expressions for the current mode: output, input i.
  std::string y() const;
  std::string x(size_t i = 0) const;
  std::string buffer_of(int node) const;  // any node's output in the current mode
  // The same context for another node (e.g. a batchnorm fused into this conv).
  EmitCtx of(int node) const {
    EmitCtx c = *this;
    c.index = node;
    return c;
  }
  // Training gradients: of the output, and of input i ("nullptr" for the model
  // input when `optional` and the input gradient was not requested).
  std::string dy() const;
  std::string dx(size_t i = 0, bool optional = false) const;
  // All inputs / all input gradients, comma-separated (add, concat).
  std::string xs() const;
  std::string dxs() const;
  // The weight `name` ("kernel", "gamma", ...) by its named index:
  // "w(w_conv1_kernel)" / "dw(w_conv1_kernel)", or "nullptr" when the node has
  // no such weight.
  std::string w(std::string_view name) const;
  std::string dw(std::string_view name) const;
  std::string aux() const { return "trn(a_" + id() + ")"; }
  std::string mask() const { return "mask(m_" + id() + ")"; }
  // The fused activation, as the training forward uses it (a softmax loss
  // head computes logits: linear).
  std::string act() const;
  // The activation as the spec declares it (scratch sizes).
  std::string declared_act() const;
  // Floats per image of the output, and of its rows on the last axis.
  int64_t size() const;
  int64_t rows() const;  // size / channels
};

std::string float_literal(double v);  // "0.75f", "1e-05f", "2.0f"

struct GeneratedFiles {
  std::string header_name, header;  // NAME.hpp
  std::string source_name, source;  // NAME.cpp
};

// `spec_label` names the spec in the banner and comments (its file name),
// `stem` the files (stem.hpp, stem.cpp), `ns` the C++ namespace.
GeneratedFiles emit_cpp(const Graph& g, const MemoryPlan& plan, std::string_view spec_label,
                        std::string_view stem, std::string_view ns);

}  // namespace modelc
