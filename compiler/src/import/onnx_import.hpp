// `modelc import`: an ONNX model (as PyTorch's torch.onnx.export writes it) to
// a v2 spec and a safetensors weights file in modelc's names and Keras layouts
// (docs/import.md). The importer reads the file with ONNX's own protobuf schema,
// runs ONNX's checker and shape inference, folds constant subgraphs, and maps
// each node (or a known pattern of nodes: erf GELU, decomposed LayerNorm,
// x * sigmoid(x), ShuffleNet's channel shuffle) onto modelc ops.
#pragma once

#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace modelc {

struct ImportOptions {
  std::string model_path;            // MODEL.onnx
  std::string name;                  // the spec's `name:`; "" = from the file name
  std::vector<int64_t> input_shape;  // N,C,H,W (or N,F) for dynamic inputs; empty = the model's
  std::string weights_label;         // the weights file's name, for the spec's header comment
};

struct ImportedTensor {
  std::string name;  // "<layer>.<weight>"
  std::vector<int64_t> shape;
  std::vector<float> data;
};

struct ImportResult {
  std::string spec;  // the YAML text
  std::vector<ImportedTensor> weights;
  // "__metadata__": for every tensor, "<onnx initializer>; <transform>", plus
  // "modelc.import.source" and "modelc.import.format".
  std::map<std::string, std::string> metadata;
};

// Every problem found, one message per line ("MODEL.onnx: node 'X' (Conv,
// inputs [1, 3, 224, 224]): ..."), so a model with several unsupported nodes
// lists them all at once.
class ImportError : public std::runtime_error {
 public:
  explicit ImportError(const std::vector<std::string>& messages);
  const std::vector<std::string>& messages() const { return messages_; }

 private:
  std::vector<std::string> messages_;
};

// Throws ImportError; never crashes on a malformed file.
ImportResult import_onnx(const ImportOptions& options);

// The same on the bytes of a model in memory (the fuzzer's entry); `label` names
// them in messages, `dir` is where external data files are looked for.
ImportResult import_onnx_bytes(const std::string& bytes, const std::string& label,
                               const std::string& dir, const ImportOptions& options);

}  // namespace modelc
