// <Eigen/Core> for the runtime's sources. GCC 12 reports its own AVX-512
// intrinsics (_mm512_undefined_ps) inlined into Eigen as (maybe-)uninitialized
// (GCC bug 105593, fixed in GCC 13); the pragmas cover those header lines.
#pragma once

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"
#include <Eigen/Core>
#pragma GCC diagnostic pop
