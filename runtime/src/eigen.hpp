// <Eigen/Core> for the runtime's sources. GCC 12 reports its own AVX-512
// intrinsics (_mm512_undefined_ps) inlined into Eigen as maybe-uninitialized
// (GCC bug 105593, fixed in GCC 13); the pragma covers those header lines.
#pragma once

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <Eigen/Core>
#pragma GCC diagnostic pop
