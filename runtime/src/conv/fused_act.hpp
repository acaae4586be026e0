// The output pass of conv2d and dense, y = act(y + b) over [rows, cols] in one
// sweep, and the first step of their backward, dz = act'(z) * dy from the output
// y (softmax on the row: dz = y * (dy - sum(dy * y))) or, for the activations
// that read their input (modelc/activation.def), from the kept z.
#pragma once

#include <cstdint>

#include "modelc/activation.hpp"

namespace modelc::detail {

// b may be null (no bias).
void bias_act_forward(float* y, const float* b, int64_t rows, int64_t cols, Activation act);

// y = act(y * scale + shift + residual) per column; scale, shift, residual may be null.
void output_pass(float* y, const float* scale, const float* shift, const float* residual,
                 int64_t rows, int64_t cols, Activation act);

// y = act(z), out of place: the training forward of an activation whose backward
// reads its input keeps z (conv2d/dense `pre`).
void act_forward(float* y, const float* z, int64_t rows, int64_t cols, Activation act);

// Overwrites dz (not +=); act must not be linear (then dz is dy itself). Reads the
// output y, or the pre-activation `pre` when activation_reads_input(act) (then
// pre must not be null; else it may be).
void act_dz(float* dz, const float* dy, const float* y, const float* pre, int64_t rows,
            int64_t cols, Activation act);

// db[o] += sum_r dz[r, o], rows in order (deterministic for any thread count).
void bias_grad_add(float* db, const float* dz, int64_t rows, int64_t cols);

}  // namespace modelc::detail
