// The compiler's hard limits. Every one is checked with a clear error before
// it could cost memory, time or an overflow; docs/limits.md lists them.
#pragma once

#include <cstdint>

namespace modelc::limits {

inline constexpr int64_t kMaxFileBytes = 4 << 20;     // spec file size: 4 MiB
inline constexpr int kMaxNesting = 64;                // YAML nesting ([ { and indentation levels)
inline constexpr int kMaxIndent = 512;                // columns of leading spaces on one line
inline constexpr int64_t kMaxYamlValues = 100'000;    // values after resolving YAML aliases
inline constexpr int64_t kMaxLayers = 100'000;        // layers after expanding blocks and repeats
inline constexpr int kMaxBlockDepth = 64;             // blocks instantiating blocks
inline constexpr int64_t kMaxDim = int64_t{1} << 31;  // any one dimension or integer attribute
inline constexpr int kMaxRank = 4;                    // dimensions of a tensor (without batch)
inline constexpr int64_t kMaxElements = int64_t{1} << 34;  // elements of one tensor
inline constexpr int64_t kMaxParams = int64_t{1} << 34;    // parameters of the whole model
inline constexpr int64_t kMaxMacs = int64_t{1} << 50;  // multiply-accumulates of the whole model

}  // namespace modelc::limits
