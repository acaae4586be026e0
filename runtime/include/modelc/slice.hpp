// slice on the last axis: [rows, c] -> [rows, size], channels begin ..
// begin + size - 1. Spec: `{op: slice, begin: 16, size: -1}` (-1: to the end;
// the compiler passes the resolved size).
#pragma once

#include <cstdint>

namespace modelc {

// y must not alias x.
void slice_forward(float* y, const float* x, int64_t rows, int64_t c, int64_t begin, int64_t size);
// dx[:, begin .. begin+size-1] += dy; the other channels of dx are untouched.
void slice_backward(float* dx, const float* dy, int64_t rows, int64_t c, int64_t begin,
                    int64_t size);

}  // namespace modelc
