// Small text helpers shared by the stages: "did you mean", number and shape
// formatting, checked 64-bit arithmetic.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace modelc {

using Shape = std::vector<int64_t>;  // dims without the batch, channels last

// Levenshtein distance (insert, delete, substitute; a transposition counts 1).
int edit_distance(std::string_view a, std::string_view b);
// The closest candidate within a distance that scales with the word's length
// ("" when none is close); ties go to the earliest candidate.
std::string closest(std::string_view word, std::span<const std::string> candidates);
// Every candidate at the smallest such distance, in the candidates' order.
std::vector<std::string> closest_all(std::string_view word,
                                     std::span<const std::string> candidates);
// "; did you mean 'x'?", "; did you mean 's1' or 's3'?" (ties, equally close) or "".
std::string did_you_mean(std::string_view word, std::span<const std::string> candidates);

std::string with_commas(int64_t n);     // 1234567 -> "1,234,567"
std::string shape_str(const Shape& s);  // "[28, 28, 512]", "?" when empty
std::string shape_str(std::span<const int64_t> s);

// Saturating multiply/add for sizes (all inputs >= 0): INT64_MAX on overflow.
int64_t mul_sat(int64_t a, int64_t b);
int64_t add_sat(int64_t a, int64_t b);
int64_t product_sat(std::span<const int64_t> dims);

}  // namespace modelc
