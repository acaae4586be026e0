// Losses. Softmax cross-entropy on integer labels, mean over the batch, from
// logits with a stable log-softmax; mean squared error and binary
// cross-entropy (on logits, stable) on float targets, mean over every element;
// L2 on a kernel (not divided by the batch).
#pragma once

#include <cstdint>
#include <string_view>

namespace modelc {

// What an output's loss is (the spec's `loss:` on an output; the names are
// the spec's spelling). Shared with the compiler.
enum class Loss : uint8_t { softmax_crossentropy, mse, binary_crossentropy, none };
inline constexpr std::string_view kLossNames[] = {"softmax_crossentropy", "mse",
                                                  "binary_crossentropy", "none"};

// Returns weight * mean_r(-log softmax(logits[r])[labels[r]]). When probs is
// non-null it receives softmax(logits). When dlogits is non-null, adds
// weight * (softmax - onehot) / rows into it. Throws modelc::Error when a
// label is outside [0, classes).
float softmax_cross_entropy(float* dlogits, float* probs, const float* logits,
                            const int32_t* labels, int64_t rows, int64_t classes, float weight);

// Returns weight * mean((y - t)^2) over n elements; when dy is non-null, adds
// weight * 2 (y - t) / n into it.
float mean_squared_error(float* dy, const float* y, const float* t, int64_t n, float weight);

// Binary cross-entropy on logits z with targets t in [0, 1], computed stably as
// max(z, 0) - z t + log(1 + e^-|z|): returns weight * its mean over n elements.
// When probs is non-null it receives sigmoid(z); when dz is non-null, adds
// weight * (sigmoid(z) - t) / n into it. Throws modelc::Error for a target
// outside [0, 1] (or NaN).
float sigmoid_binary_cross_entropy(float* dz, float* probs, const float* z, const float* t,
                                   int64_t n, float weight);

// Returns lambda * sum w^2 and, when dw is non-null, adds 2 * lambda * w into dw.
float l2_penalty(float* dw, const float* w, int64_t n, float lambda);

}  // namespace modelc
