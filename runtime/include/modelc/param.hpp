// A parameter of a generated model as params() lists it: Keras name
// (`<layer path>.<weight>`), shape in Keras layout, value and gradient views.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

namespace modelc {

struct Param {
  std::string_view name;
  std::span<const int64_t> shape;
  std::span<float> value;
  std::span<float> grad;  // empty for non-trainable tensors (batchnorm moving statistics)
  bool trainable = true;
};

}  // namespace modelc
