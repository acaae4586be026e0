// Losses. Softmax cross-entropy on integer labels, mean over the batch, from
// logits with a stable log-softmax; L2 on a kernel (not divided by the batch).
#pragma once

#include <cstdint>

namespace modelc {

// Returns weight * mean_r(-log softmax(logits[r])[labels[r]]). When probs is
// non-null it receives softmax(logits). When dlogits is non-null, adds
// weight * (softmax - onehot) / rows into it. Throws modelc::Error when a
// label is outside [0, classes).
float softmax_cross_entropy(float* dlogits, float* probs, const float* logits,
                            const int32_t* labels, int64_t rows, int64_t classes, float weight);

// Returns lambda * sum w^2 and, when dw is non-null, adds 2 * lambda * w into dw.
float l2_penalty(float* dw, const float* w, int64_t n, float lambda);

}  // namespace modelc
