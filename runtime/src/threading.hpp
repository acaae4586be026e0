// Below this many floats touched, a kernel's loop stays on one thread: the cost
// of waking a team is a few microseconds, more than the work.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

namespace modelc::detail {

inline constexpr int64_t kParallelMinFloats = 16384;

// A per-thread buffer of 64-byte aligned floats that only grows (kernels'
// working blocks inside a parallel loop: Winograd tiles, im2col chunks). It
// lives as long as the thread; callers must not nest two uses.
inline float* thread_scratch(size_t floats) {
  thread_local std::unique_ptr<float[]> buf;
  thread_local size_t size = 0;
  if (size < floats + 16) {
    buf.reset();
    size = floats + 16;
    buf = std::make_unique_for_overwrite<float[]>(size);
  }
  const auto addr = reinterpret_cast<uintptr_t>(buf.get());
  return reinterpret_cast<float*>((addr + 63) / 64 * 64);
}

}  // namespace modelc::detail
