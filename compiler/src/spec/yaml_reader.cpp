// Stage 0, read_yaml: spec bytes -> a Value tree typed by the YAML 1.2 core
// schema, every value with its file:line:col. Hostile input is rejected
// before yaml-cpp sees it (size, UTF-8, nesting depth: yaml-cpp recurses), and
// yaml-cpp's own exceptions become located errors.
#include <charconv>
#include <cmath>
#include <limits>

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include "ir/limits.hpp"
#include "passes/pipeline.hpp"

namespace modelc {

namespace {

[[noreturn]] void fatal(const std::shared_ptr<const std::string>& file, int line, int col,
                        std::string message, std::string note = {}) {
  FatalError e{{SourceLoc{file, line, col}, std::move(message), {}}};
  if (!note.empty()) e.diag.note(std::move(note));
  throw e;
}

// Length of the UTF-8 sequence starting at s[i], 0 when invalid.
size_t utf8_length(std::string_view s, size_t i) {
  const auto b = static_cast<unsigned char>(s[i]);
  size_t n = b < 0x80 ? 1 : (b >> 5) == 0x6 ? 2 : (b >> 4) == 0xE ? 3 : (b >> 3) == 0x1E ? 4 : 0;
  if (n == 0 || i + n > s.size() || (n == 2 && b < 0xC2) || (n == 4 && b > 0xF4)) return 0;
  for (size_t k = 1; k < n; ++k)
    if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return 0;
  return n;
}

// Rejects what yaml-cpp should never see: non-text bytes and nesting deep
// enough to exhaust its recursion (flow brackets, indentation, "- - -").
// Returns the position of the first character that is not a comment, blank
// or directive ({0, 0} when there is none).
std::pair<int, int> prescan(const std::shared_ptr<const std::string>& file, std::string_view s) {
  if (static_cast<int64_t>(s.size()) > limits::kMaxFileBytes)
    fatal(file, 0, 0,
          fmt::format("the spec has {} bytes; the limit is {}",
                      with_commas(static_cast<int64_t>(s.size())),
                      with_commas(limits::kMaxFileBytes)));
  int line = 1, col = 1, flow = 0, indent = 0, dashes = 0;
  bool line_start = true, in_comment = false, content = false, ended = false;
  std::pair<int, int> first{0, 0};
  char quote = 0;
  for (size_t i = 0; i < s.size();) {
    const char c = s[i];
    const size_t n = utf8_length(s, i);
    if (n == 0)
      fatal(
          file, line, col,
          fmt::format("the spec is not UTF-8 text (byte 0x{:02x})", static_cast<unsigned char>(c)),
          "a spec is a YAML text file");
    if (n == 1 && static_cast<unsigned char>(c) < 0x20 && c != '\n' && c != '\t' && c != '\r')
      fatal(file, line, col,
            fmt::format("control character 0x{:02x} in the spec", static_cast<unsigned char>(c)),
            "a spec is a YAML text file");
    if (c == '\n') {
      ++line, col = 1, i += 1;
      line_start = true, in_comment = false, indent = 0, dashes = 0;
      continue;
    }
    if (col == 1 && quote == 0 && flow == 0) {
      const std::string_view rest = s.substr(i, 4);
      const bool marker = rest.size() >= 3 && (rest.size() == 3 || rest[3] == ' ' ||
                                               rest[3] == '\n' || rest[3] == '\r');
      if (marker && rest.substr(0, 3) == "---" && content)
        fatal(file, line, col,
              "the spec has more than one YAML document; one spec is one document");
      if (marker && rest.substr(0, 3) == "...")
        ended = true;
      else if (c != '#' && c != ' ' && c != '\r' && c != '\t' && c != '%' &&
               !(marker && rest.substr(0, 3) == "---")) {
        if (ended)
          fatal(file, line, col,
                "the spec has more than one YAML document; one spec is one document");
        if (!content) first = {line, col};
        content = true;
      }
    }
    if (line_start) {
      if (c == ' ') {
        if (++indent > limits::kMaxIndent)
          fatal(file, line, col,
                fmt::format("line indented by more than {} columns", limits::kMaxIndent),
                "the spec nests too deeply");
      } else if (c == '-' && i + 1 < s.size() && (s[i + 1] == ' ' || s[i + 1] == '\n')) {
        if (++dashes > limits::kMaxNesting)
          fatal(file, line, col,
                fmt::format("more than {} nested sequences on one line", limits::kMaxNesting));
      } else {
        line_start = false;
      }
    }
    if (!in_comment) {
      if (quote != 0) {
        if (c == quote) quote = 0;
      } else if (c == '#' && (col == 1 || s[i - 1] == ' ' || s[i - 1] == '\t')) {
        in_comment = true;
      } else if ((c == '"' || c == '\'') &&
                 (col == 1 ||
                  std::string_view(" \t[{,:-").find(s[i - 1]) != std::string_view::npos)) {
        quote = c;
      } else if (c == '[' || c == '{') {
        if (++flow > limits::kMaxNesting)
          fatal(file, line, col,
                fmt::format("brackets nested more than {} deep", limits::kMaxNesting),
                "the spec nests too deeply");
      } else if ((c == ']' || c == '}') && flow > 0) {
        --flow;
      }
    }
    i += n, ++col;
  }
  return first;
}

bool all_of(std::string_view s, bool (*pred)(char)) {
  if (s.empty()) return false;
  for (char c : s)
    if (!pred(c)) return false;
  return true;
}
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_octal(char c) { return c >= '0' && c <= '7'; }
bool is_hex(char c) { return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

// YAML 1.2 core schema: [-+]?[0-9]+ (10), 0o[0-7]+ (8), 0x[0-9a-fA-F]+ (16); 0 = not an int.
int integer_base(std::string_view s) {
  if (s.size() > 2 && s[0] == '0' && s[1] == 'o' && all_of(s.substr(2), is_octal)) return 8;
  if (s.size() > 2 && s[0] == '0' && s[1] == 'x' && all_of(s.substr(2), is_hex)) return 16;
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) s.remove_prefix(1);
  return all_of(s, is_digit) ? 10 : 0;
}

// YAML 1.2 core schema: [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?
bool is_float(std::string_view s) {
  size_t i = 0;
  if (i < s.size() && (s[i] == '-' || s[i] == '+')) ++i;
  size_t digits = 0;
  while (i < s.size() && is_digit(s[i])) ++i, ++digits;
  if (i < s.size() && s[i] == '.') {
    ++i;
    size_t frac = 0;
    while (i < s.size() && is_digit(s[i])) ++i, ++frac;
    if (digits == 0 && frac == 0) return false;
  } else if (digits == 0) {
    return false;
  }
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '-' || s[i] == '+')) ++i;
    size_t exp = 0;
    while (i < s.size() && is_digit(s[i])) ++i, ++exp;
    if (exp == 0) return false;
  }
  return i == s.size();
}

struct Converter {
  std::shared_ptr<const std::string> file;
  int64_t budget = limits::kMaxYamlValues;

  SourceLoc loc(const YAML::Mark& m) const { return {file, m.line + 1, m.column + 1}; }

  Value scalar(const YAML::Node& n) {
    Value v;
    v.loc = loc(n.Mark());
    v.string = n.Scalar();
    const std::string& tag = n.Tag();
    const std::string& s = v.string;
    if (tag == "!" || tag == "tag:yaml.org,2002:str") {
      v.kind = Value::Kind::string;
      return v;
    }
    if (tag != "?" && tag != "" && tag.rfind("tag:yaml.org,2002:", 0) != 0)
      fatal(file, v.loc.line, v.loc.col, fmt::format("unsupported YAML tag '{}'", tag));
    if (s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL") {
      v.kind = Value::Kind::null;
    } else if (s == "true" || s == "True" || s == "TRUE" || s == "false" || s == "False" ||
               s == "FALSE") {
      v.kind = Value::Kind::boolean, v.boolean = s[0] == 't' || s[0] == 'T';
    } else if (int base = integer_base(s); base != 0) {
      v.kind = Value::Kind::integer;
      const bool neg = s[0] == '-';
      const size_t skip = base != 10 ? 2 : (s[0] == '-' || s[0] == '+') ? 1 : 0;
      uint64_t mag = 0;
      auto r = std::from_chars(s.data() + skip, s.data() + s.size(), mag, base);
      if (r.ec != std::errc{} || mag > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()))
        fatal(file, v.loc.line, v.loc.col, fmt::format("integer {} is out of range", s));
      v.integer = neg ? -static_cast<int64_t>(mag) : static_cast<int64_t>(mag);
    } else if (is_float(s)) {
      v.kind = Value::Kind::real, v.real = std::strtod(s.c_str(), nullptr);
      if (!std::isfinite(v.real))
        fatal(file, v.loc.line, v.loc.col, fmt::format("number {} is out of range", s));
    } else if (const std::string_view t = std::string_view(s).substr(s[0] == '-' || s[0] == '+');
               t == ".inf" || t == ".Inf" || t == ".INF" || s == ".nan" || s == ".NaN" ||
               s == ".NAN") {
      v.kind = Value::Kind::real;
      v.real = s[1] == 'n' || s[1] == 'N' ? std::numeric_limits<double>::quiet_NaN()
               : s[0] == '-'              ? -HUGE_VAL
                                          : HUGE_VAL;
    } else {
      v.kind = Value::Kind::string;
    }
    return v;
  }

  Value convert(const YAML::Node& n, int depth) {
    if (--budget < 0)
      fatal(file, n.Mark().line + 1, n.Mark().column + 1,
            fmt::format("the YAML document expands to more than {} values (aliases?)",
                        with_commas(limits::kMaxYamlValues)));
    if (depth > 2 * limits::kMaxNesting + limits::kMaxIndent)
      fatal(file, n.Mark().line + 1, n.Mark().column + 1, "the spec nests too deeply");
    Value v;
    v.loc = loc(n.Mark());
    switch (n.Type()) {
      case YAML::NodeType::Undefined:
      case YAML::NodeType::Null: v.kind = Value::Kind::null; return v;
      case YAML::NodeType::Scalar: return scalar(n);
      case YAML::NodeType::Sequence:
        v.kind = Value::Kind::list;
        for (const YAML::Node& item : n) v.items.push_back(convert(item, depth + 1));
        return v;
      case YAML::NodeType::Map:
        v.kind = Value::Kind::map;
        for (auto it = n.begin(); it != n.end(); ++it) {
          Value key = convert(it->first, depth + 1);
          if (key.kind != Value::Kind::string && key.kind != Value::Kind::integer &&
              key.kind != Value::Kind::boolean && key.kind != Value::Kind::real)
            fatal(file, key.loc.line, key.loc.col, "a mapping key must be a plain word");
          Value val = convert(it->second, depth + 1);
          if (val.kind == Value::Kind::null && it->second.IsNull())
            val.loc = key.loc;  // yaml-cpp marks an empty value at the next token
          v.entries.push_back({key.string, key.loc, std::move(val)});
        }
        return v;
    }
    return v;
  }
};

// A YAML syntax error in plain words where the text shows what is wrong:
// an unclosed or mismatched bracket of a flow collection ({...}, [...]), or a
// line indented differently from the item before it. yaml-cpp's own words
// ("end of map flow not found") and place become a note. Returns false when
// no better explanation is found.
struct YamlExplanation {
  int line = 0, col = 0;
  std::string message, note;
};

int indent_of(std::string_view line) {
  int i = 0;
  while (i < static_cast<int>(line.size()) && line[static_cast<size_t>(i)] == ' ') ++i;
  return i;
}

bool blank_or_comment(std::string_view line) {
  const size_t i = line.find_first_not_of(" \t\r");
  return i == std::string_view::npos || line[i] == '#';
}

bool explain_yaml_error(std::string_view text, int err_line, const std::string& yaml_msg,
                        YamlExplanation& out) {
  std::vector<std::string_view> lines;
  for (size_t at = 0; at <= text.size();) {
    const size_t nl = text.find('\n', at);
    lines.push_back(text.substr(at, nl == std::string_view::npos ? text.size() - at : nl - at));
    if (nl == std::string_view::npos) break;
    at = nl + 1;
  }
  struct Open {
    char c;
    int line, col, indent;
  };
  std::vector<Open> stack;
  const auto closer = [](char c) { return c == '{' ? '}' : ']'; };
  for (size_t li = 0; li < lines.size(); ++li) {
    const std::string_view l = lines[li];
    const int line = static_cast<int>(li) + 1;
    char quote = 0;
    char prev = 0;  // the previous non-space character on the line, outside quotes
    for (size_t i = 0; i < l.size(); ++i) {
      const char c = l[i];
      if (quote != 0) {
        if (c == '\\' && quote == '"')
          ++i;
        else if (c == quote)
          quote = 0;
        continue;
      }
      if (c == '#' && (i == 0 || l[i - 1] == ' ' || l[i - 1] == '\t')) break;
      if ((c == '"' || c == '\'') &&
          (prev == 0 || prev == ':' || prev == ',' || prev == '[' || prev == '{' || prev == '-')) {
        quote = c;
        prev = c;
        continue;
      }
      if ((c == '{' || c == '[') &&
          (!stack.empty() || prev == 0 || prev == ':' || prev == '-' || prev == ',')) {
        stack.push_back({c, line, static_cast<int>(i) + 1, indent_of(l)});
      } else if ((c == '}' || c == ']') && !stack.empty()) {
        const Open o = stack.back();
        if (c != closer(o.c)) {
          out = {line, static_cast<int>(i) + 1,
                 fmt::format("invalid YAML: '{}' closes the '{}' opened at {}:{}; expected '{}'", c,
                             o.c, o.line, o.col, closer(o.c)),
                 ""};
          return true;
        }
        stack.pop_back();
      }
      if (c != ' ' && c != '\t') prev = c;
    }
    if (stack.empty()) continue;
    // A flow collection may span lines, but not past a line indented like
    // (or less than) the line that opened it.
    size_t next = li + 1;
    while (next < lines.size() && blank_or_comment(lines[next])) ++next;
    if (next == lines.size() || indent_of(lines[next]) <= stack.back().indent) {
      const Open o = stack.back();
      out = {o.line, o.col,
             fmt::format("invalid YAML: unclosed '{}' opened here; its '{}' is missing", o.c,
                         closer(o.c)),
             fmt::format("add '{}' at the end of line {}", closer(o.c), line)};
      return true;
    }
  }
  // An item indented differently from the one before it.
  if (err_line >= 2 && err_line <= static_cast<int>(lines.size())) {
    const std::string_view l = lines[static_cast<size_t>(err_line - 1)];
    int prev = err_line - 2;
    while (prev >= 0 && blank_or_comment(lines[static_cast<size_t>(prev)])) --prev;
    if (prev >= 0 && !blank_or_comment(l)) {
      const std::string_view p = lines[static_cast<size_t>(prev)];
      const int ci = indent_of(l), pi = indent_of(p);
      const bool items = l.substr(static_cast<size_t>(ci)).starts_with("- ") &&
                         p.substr(static_cast<size_t>(pi)).starts_with("- ");
      if (ci != pi && (items || yaml_msg.find("map value") != std::string::npos)) {
        out = {err_line, ci + 1,
               fmt::format("invalid YAML: inconsistent indentation: expected column {} (as line "
                           "{}), got column {}",
                           pi + 1, prev + 1, ci + 1),
               ""};
        return true;
      }
    }
  }
  return false;
}

}  // namespace

Value read_yaml(const std::string& path, std::string_view text) {
  auto file = std::make_shared<const std::string>(path);
  const auto [first_line, first_col] = prescan(file, text);
  // YAML::Load, not LoadAll: yaml-cpp 0.7's LoadAll can loop forever on
  // malformed input (e.g. a lone ","); prescan rejects a second document.
  YAML::Node doc;
  try {
    doc = YAML::Load(std::string(text));
  } catch (const YAML::Exception& e) {
    const int line = e.mark.is_null() ? 0 : e.mark.line + 1;
    const int col = e.mark.is_null() ? 0 : e.mark.column + 1;
    YamlExplanation x;
    if (explain_yaml_error(text, line, e.msg, x)) {
      FatalError err{{SourceLoc{file, x.line, x.col}, std::move(x.message), {}}};
      if (!x.note.empty()) err.diag.note(std::move(x.note));
      err.diag.note(SourceLoc{file, line, col},
                    fmt::format("the YAML parser stopped here: {}", e.msg));
      throw err;
    }
    fatal(file, line, col, fmt::format("invalid YAML: {}", e.msg));
  }
  if ((!doc.IsDefined() || doc.IsNull()) && first_line > 0)
    fatal(file, first_line, first_col, "invalid YAML: the document cannot be read from here",
          "a spec is a YAML mapping with name, input and layers");
  if (!doc.IsDefined() || doc.IsNull())
    fatal(file, 1, 1, "the spec is empty", "a spec is a YAML mapping with name, input and layers");
  Converter conv{file};
  return conv.convert(doc, 0);
}
const char* kind_name(Value::Kind k) {
  switch (k) {
    case Value::Kind::null: return "nothing";
    case Value::Kind::boolean: return "a boolean";
    case Value::Kind::integer: return "an integer";
    case Value::Kind::real: return "a number";
    case Value::Kind::string: return "a string";
    case Value::Kind::list: return "a list";
    case Value::Kind::map: return "a mapping";
  }
  return "?";
}

std::string value_str(const Value& v) {
  switch (v.kind) {
    case Value::Kind::null: return "nothing";
    case Value::Kind::list: {
      std::vector<std::string> parts;
      for (const Value& i : v.items) parts.push_back(value_str(i));
      return fmt::format("[{}]", fmt::join(parts, ", "));
    }
    case Value::Kind::map: return "{...}";
    case Value::Kind::string:
      return fmt::format("'{}'", v.string.size() > 40 ? v.string.substr(0, 40) + "..." : v.string);
    default:
      return v.string.empty() ? fmt::format("{}", v.is_number() ? v.as_double() : 0.0) : v.string;
  }
}

}  // namespace modelc
