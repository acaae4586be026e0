// Below this many floats touched, a kernel's loop stays on one thread: the cost
// of waking a team is a few microseconds, more than the work.
#pragma once

#include <cstdint>

namespace modelc::detail {

inline constexpr int64_t kParallelMinFloats = 16384;

}  // namespace modelc::detail
