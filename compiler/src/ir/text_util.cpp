#include "ir/text_util.hpp"

#include <algorithm>
#include <limits>

#include <fmt/format.h>

namespace modelc {

int edit_distance(std::string_view a, std::string_view b) {
  std::vector<int> prev(b.size() + 1), cur(b.size() + 1), prev2(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) prev[j] = static_cast<int>(j);
  for (size_t i = 1; i <= a.size(); ++i) {
    cur[0] = static_cast<int>(i);
    for (size_t j = 1; j <= b.size(); ++j) {
      const int sub = prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, sub});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
        cur[j] = std::min(cur[j], prev2[j - 2] + 1);
    }
    prev2 = prev;
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

std::string closest(std::string_view word, std::span<const std::string> candidates) {
  const int limit = std::max<int>(1, static_cast<int>(word.size()) / 3);
  std::string best;
  int best_d = limit + 1;
  for (const std::string& c : candidates) {
    if (c.empty()) continue;
    const int d = edit_distance(word, c);
    if (d < best_d) best_d = d, best = c;
  }
  return best;
}

std::vector<std::string> closest_all(std::string_view word,
                                     std::span<const std::string> candidates) {
  const int limit = std::max<int>(1, static_cast<int>(word.size()) / 3);
  std::vector<std::string> best;
  int best_d = limit + 1;
  for (const std::string& c : candidates) {
    if (c.empty() || std::find(best.begin(), best.end(), c) != best.end()) continue;
    const int d = edit_distance(word, c);
    if (d < best_d) best_d = d, best.clear();
    if (d == best_d) best.push_back(c);
  }
  return best;
}

std::string did_you_mean(std::string_view word, std::span<const std::string> candidates) {
  const std::vector<std::string> c = closest_all(word, candidates);
  if (c.empty()) return {};
  std::string list;
  for (size_t i = 0; i < c.size(); ++i)
    list += fmt::format("{}'{}'", i == 0 ? "" : i + 1 == c.size() ? " or " : ", ", c[i]);
  return fmt::format("; did you mean {}?", list);
}

std::string with_commas(int64_t n) {
  std::string digits = std::to_string(n < 0 ? -n : n);
  std::string out;
  const size_t lead = digits.size() % 3;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i != 0 && i >= lead && (i - lead) % 3 == 0) out += ',';
    out += digits[i];
  }
  return n < 0 ? "-" + out : out;
}

std::string shape_str(std::span<const int64_t> s) {
  if (s.empty()) return "?";
  return fmt::format("[{}]", fmt::join(s, ", "));
}
std::string shape_str(const Shape& s) { return shape_str(std::span<const int64_t>(s)); }

int64_t mul_sat(int64_t a, int64_t b) {
  int64_t r = 0;
  if (__builtin_mul_overflow(a, b, &r)) return std::numeric_limits<int64_t>::max();
  return r;
}
int64_t add_sat(int64_t a, int64_t b) {
  int64_t r = 0;
  if (__builtin_add_overflow(a, b, &r)) return std::numeric_limits<int64_t>::max();
  return r;
}
int64_t product_sat(std::span<const int64_t> dims) {
  int64_t p = 1;
  for (int64_t d : dims) p = mul_sat(p, d);
  return p;
}

}  // namespace modelc
