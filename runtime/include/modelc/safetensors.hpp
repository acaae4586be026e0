// safetensors I/O (F32 only): 8-byte little-endian header length, a JSON header
// {"name": {"dtype": "F32", "shape": [...], "data_offsets": [begin, end]}, ...,
// optional "__metadata__"}, then the raw little-endian data. Reading is strict:
// every malformed file is a modelc::Error naming the file and tensor.
#pragma once

#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <vector>

namespace modelc {

// Reading limits (docs/limits.md): the whole file, and its JSON header (about
// the reference implementation's 100 MB). Past either, a modelc::Error before
// any allocation of that size.
inline constexpr uint64_t kMaxWeightsFileBytes = uint64_t{16} << 30;     // 16 GiB
inline constexpr uint64_t kMaxWeightsHeaderBytes = uint64_t{100} << 20;  // 100 MiB

struct TensorInfo {
  std::string name;
  std::vector<int64_t> shape;
  std::span<const float> data;  // points into the owning SafetensorsFile
};

class SafetensorsFile {
 public:
  // Reads and validates the whole file; throws modelc::Error.
  static SafetensorsFile read(const std::string& path);
  // Same, on bytes in memory (`what` names them in errors).
  static SafetensorsFile parse(std::vector<unsigned char> bytes, const std::string& what);

  // In the order of their data offsets (stable).
  const std::vector<TensorInfo>& tensors() const { return tensors_; }
  // nullptr when absent.
  const TensorInfo* find(const std::string& name) const;

  // Move-only: the tensors' spans point into floats_, which a copy would not own.
  SafetensorsFile(SafetensorsFile&&) noexcept = default;
  SafetensorsFile& operator=(SafetensorsFile&&) noexcept = default;
  SafetensorsFile(const SafetensorsFile&) = delete;
  SafetensorsFile& operator=(const SafetensorsFile&) = delete;

 private:
  SafetensorsFile() = default;

  std::vector<unsigned char> bytes_;
  std::vector<float> floats_;  // aligned copy of the data section
  std::vector<TensorInfo> tensors_;
};

struct TensorRef {
  std::string name;
  std::vector<int64_t> shape;
  std::span<const float> data;
};

// Writes tensors in the given order, and `metadata` as the header's
// "__metadata__" (string to string, as the format allows; omitted when empty);
// throws modelc::Error on I/O failure or a shape whose element count disagrees
// with data.size().
void write_safetensors(const std::string& path, std::span<const TensorRef> tensors,
                       const std::map<std::string, std::string>& metadata = {});

}  // namespace modelc
