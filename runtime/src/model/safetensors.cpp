// safetensors (F32): u64 little-endian header length N, N bytes of JSON header,
// then the data section. The reader is strict and, like the reference
// implementation, requires the tensors to tile the data section exactly: the
// first starts at 0, each starts where the previous ends, the last ends at the
// end of the file; a gap, an overlap or trailing bytes are errors.
#include "modelc/safetensors.hpp"

#include <algorithm>
#include <bit>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <set>

#include <nlohmann/json.hpp>

#include "modelc/error.hpp"

static_assert(std::endian::native == std::endian::little,
              "modelc's safetensors I/O assumes a little-endian host");

namespace modelc {
namespace {

using json = nlohmann::json;

constexpr uint64_t max_elements = uint64_t{1} << 60;

const char* const other_dtypes[] = {"BOOL", "U8",   "I8",  "F8_E5M2", "F8_E4M3", "I16", "U16",
                                    "F16",  "BF16", "I32", "U32",     "F64",     "I64", "U64"};

struct Entry {
  std::string name;
  std::vector<int64_t> shape;
  uint64_t begin = 0, end = 0;
};

[[noreturn]] void fail(const std::string& what, const std::string& msg) {
  throw Error(what + ": " + msg);
}

[[noreturn]] void fail_tensor(const std::string& what, const std::string& name,
                              const std::string& msg) {
  throw Error(what + ": tensor '" + name + "': " + msg);
}

// A short rendering of v for messages. Never recursive over nesting (a crafted
// header may nest arrays millions deep) and never longer than ~80 characters.
std::string describe(const json& v) {
  const bool flat = !v.is_structured() ||
                    (v.is_array() && std::none_of(v.begin(), v.end(),
                                                  [](const json& e) { return e.is_structured(); }));
  if (!flat) return std::string("a JSON ") + v.type_name();
  std::string s = v.dump(-1, ' ', false, json::error_handler_t::replace);
  if (s.size() > 80) s = s.substr(0, 77) + "...";
  return s;
}

// A JSON integer >= 0 as uint64; false for anything else (floats, negatives, strings).
bool as_unsigned(const json& v, uint64_t& out) {
  if (v.is_number_unsigned()) {
    out = v.get<uint64_t>();
    return true;
  }
  if (v.is_number_integer() && v.get<int64_t>() >= 0) {
    out = static_cast<uint64_t>(v.get<int64_t>());
    return true;
  }
  return false;
}

Entry parse_entry(const std::string& what, const std::string& name, const json& v) {
  if (!v.is_object())
    fail_tensor(what, name, "entry is " + std::string(v.type_name()) + ", not an object");
  for (const auto& [key, value] : v.items()) {
    if (key != "dtype" && key != "shape" && key != "data_offsets") {
      fail_tensor(what, name, "unknown field '" + key + "'");
    }
  }
  for (const char* field : {"dtype", "shape", "data_offsets"}) {
    if (!v.contains(field)) fail_tensor(what, name, std::string("missing field '") + field + "'");
  }
  const json& dtype = v["dtype"];
  if (!dtype.is_string()) fail_tensor(what, name, "dtype is not a string");
  const std::string dt = dtype.get<std::string>();
  if (dt != "F32") {
    const bool known =
        std::find(std::begin(other_dtypes), std::end(other_dtypes), dt) != std::end(other_dtypes);
    fail_tensor(what, name,
                known ? "dtype " + dt + " is not supported (only F32)"
                      : "unknown dtype '" + dt + "' (only F32 is supported)");
  }
  Entry e;
  e.name = name;
  const json& shape = v["shape"];
  if (!shape.is_array()) fail_tensor(what, name, "shape is not an array");
  uint64_t count = 1;
  for (const json& d : shape) {
    uint64_t dim = 0;
    if (!as_unsigned(d, dim)) {
      fail_tensor(
          what, name,
          "shape " + describe(shape) + " has a dimension that is not a non-negative integer");
    }
    if (dim != 0 && count > max_elements / dim) {
      fail_tensor(what, name, "shape " + describe(shape) + " has too many elements");
    }
    count *= dim;
    e.shape.push_back(static_cast<int64_t>(dim));
  }
  const json& offsets = v["data_offsets"];
  if (!offsets.is_array() || offsets.size() != 2 || !as_unsigned(offsets[0], e.begin) ||
      !as_unsigned(offsets[1], e.end) || e.begin > e.end) {
    fail_tensor(
        what, name,
        "data_offsets " + describe(offsets) + " is not two non-decreasing non-negative integers");
  }
  if (e.end - e.begin != count * 4) {
    fail_tensor(what, name,
                "shape " + describe(shape) + " has " + std::to_string(count) + " elements (" +
                    std::to_string(count * 4) + " bytes) but data_offsets " + describe(offsets) +
                    " span " + std::to_string(e.end - e.begin) + " bytes");
  }
  return e;
}

}  // namespace

SafetensorsFile SafetensorsFile::parse(std::vector<unsigned char> bytes, const std::string& what) {
  const uint64_t size = bytes.size();
  if (size > kMaxWeightsFileBytes) {
    fail(what, "file is " + std::to_string(size) + " bytes; the limit is " +
                   std::to_string(kMaxWeightsFileBytes) + " (16 GiB)");
  }
  if (size < 8) {
    fail(what, "file is " + std::to_string(size) + " bytes, shorter than the 8-byte header length");
  }
  uint64_t n = 0;
  std::memcpy(&n, bytes.data(), 8);
  if (n > kMaxWeightsHeaderBytes) {
    fail(what, "header length " + std::to_string(n) + " is absurd (limit " +
                   std::to_string(kMaxWeightsHeaderBytes) + " bytes); not a safetensors file?");
  }
  if (n > size - 8) {
    fail(what, "header length " + std::to_string(n) + " runs past the end of the file (" +
                   std::to_string(size) + " bytes); truncated?");
  }
  const auto* header_begin = reinterpret_cast<const char*>(bytes.data() + 8);
  std::set<std::string> seen;
  std::string duplicate;
  json header;
  try {
    // The callback sees every top-level key, which a parsed object would silently merge.
    header = json::parse(
        header_begin, header_begin + n, [&](int depth, json::parse_event_t event, json& parsed) {
          if (event == json::parse_event_t::key && depth == 1 &&
              !seen.insert(parsed.get<std::string>()).second && duplicate.empty()) {
            duplicate = parsed.get<std::string>();
          }
          return true;
        });
  } catch (const json::exception& e) {
    fail(what, std::string("header is not valid JSON: ") + e.what());
  }
  if (!header.is_object())
    fail(what, std::string("header is a JSON ") + header.type_name() + ", not an object");
  if (!duplicate.empty()) fail_tensor(what, duplicate, "appears more than once in the header");

  std::vector<Entry> entries;
  for (const auto& [name, value] : header.items()) {
    if (name == "__metadata__") {
      if (!value.is_object()) fail(what, "__metadata__ is not an object");
      for (const auto& [key, text] : value.items()) {
        if (!text.is_string()) fail(what, "__metadata__ value '" + key + "' is not a string");
      }
      continue;
    }
    entries.push_back(parse_entry(what, name, value));
  }
  std::stable_sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) {
    return a.begin != b.begin ? a.begin < b.begin : a.end < b.end;
  });
  const uint64_t data_size = size - 8 - n;
  uint64_t pos = 0;
  const Entry* prev = nullptr;
  for (const Entry& e : entries) {
    if (e.end > data_size) {
      fail_tensor(what, e.name,
                  "data_offsets [" + std::to_string(e.begin) + ", " + std::to_string(e.end) +
                      "] lie outside the data section (" + std::to_string(data_size) + " bytes)");
    }
    if (e.begin < pos) {
      fail_tensor(what, e.name,
                  "data [" + std::to_string(e.begin) + ", " + std::to_string(e.end) +
                      ") overlaps tensor '" + prev->name + "' [" + std::to_string(prev->begin) +
                      ", " + std::to_string(prev->end) + ")");
    }
    if (e.begin > pos) {
      fail_tensor(what, e.name,
                  "data starts at byte " + std::to_string(e.begin) +
                      " of the data section, leaving a gap of " + std::to_string(e.begin - pos) +
                      " unused bytes before it");
    }
    pos = e.end;
    prev = &e;
  }
  if (pos != data_size) {
    fail(what, "data section has " + std::to_string(data_size - pos) +
                   " trailing bytes not covered by any tensor");
  }

  SafetensorsFile f;
  // Every offset is a multiple of 4 (tensors tile the section from 0 in whole
  // floats), so one aligned copy serves every tensor.
  f.floats_.resize(data_size / 4);
  if (data_size > 0) std::memcpy(f.floats_.data(), bytes.data() + 8 + n, data_size);
  for (Entry& e : entries) {
    const std::span<const float> data(f.floats_.data() + e.begin / 4, (e.end - e.begin) / 4);
    f.tensors_.push_back(TensorInfo{std::move(e.name), std::move(e.shape), data});
  }
  return f;
}

SafetensorsFile SafetensorsFile::read(const std::string& path) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) fail(path, std::string("cannot open: ") + std::strerror(errno));
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) fail(path, "not a regular file");
  const std::streamoff end = in.tellg();
  if (end < 0) fail(path, "cannot determine the file size");
  if (static_cast<uint64_t>(end) > kMaxWeightsFileBytes) {
    fail(path, "file is " + std::to_string(end) + " bytes; the limit is " +
                   std::to_string(kMaxWeightsFileBytes) + " (16 GiB)");
  }
  std::vector<unsigned char> bytes(static_cast<size_t>(end));
  in.seekg(0);
  if (!in.read(reinterpret_cast<char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()))) {
    fail(path, "read error");
  }
  return parse(std::move(bytes), path);
}

const TensorInfo* SafetensorsFile::find(const std::string& name) const {
  for (const TensorInfo& t : tensors_) {
    if (t.name == name) return &t;
  }
  return nullptr;
}

void write_safetensors(const std::string& path, std::span<const TensorRef> tensors,
                       const std::map<std::string, std::string>& metadata) {
  json header = json::object();  // std::map: keys sorted, so the header is deterministic
  if (!metadata.empty()) header["__metadata__"] = metadata;
  uint64_t offset = 0;
  for (const TensorRef& t : tensors) {
    if (t.name == "__metadata__") fail_tensor(path, t.name, "reserved name");
    if (header.contains(t.name)) fail_tensor(path, t.name, "given more than once");
    uint64_t count = 1;
    for (int64_t d : t.shape) {
      if (d < 0) fail_tensor(path, t.name, "negative dimension " + std::to_string(d));
      const auto dim = static_cast<uint64_t>(d);
      if (dim != 0 && count > max_elements / dim) fail_tensor(path, t.name, "too many elements");
      count *= dim;
    }
    if (count != t.data.size()) {
      fail_tensor(path, t.name,
                  "shape has " + std::to_string(count) + " elements but data has " +
                      std::to_string(t.data.size()));
    }
    const uint64_t bytes = count * 4;
    header[t.name] = {
        {"dtype", "F32"}, {"shape", t.shape}, {"data_offsets", {offset, offset + bytes}}};
    offset += bytes;
  }
  std::string text;
  try {
    text = header.dump();
  } catch (const json::exception& e) {
    fail(path, std::string("cannot write the header: ") + e.what());
  }
  text.append((8 - text.size() % 8) % 8, ' ');
  const uint64_t n = text.size();
  unsigned char len[8];
  std::memcpy(len, &n, 8);

  // Write next to the target and rename, so a failed write never leaves a truncated file.
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) fail(path, "cannot open " + tmp + " for writing: " + std::strerror(errno));
    out.write(reinterpret_cast<const char*>(len), 8);
    out.write(text.data(), static_cast<std::streamsize>(text.size()));
    for (const TensorRef& t : tensors) {
      out.write(reinterpret_cast<const char*>(t.data.data()),
                static_cast<std::streamsize>(t.data.size() * sizeof(float)));
    }
    out.close();
    if (!out) {
      std::remove(tmp.c_str());
      fail(path, "write error");
    }
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    const std::string err = std::strerror(errno);
    std::remove(tmp.c_str());
    fail(path, "cannot rename " + tmp + ": " + err);
  }
}

}  // namespace modelc
