#include <doctest/doctest.h>

#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <string>
#include <vector>

#include "modelc/error.hpp"
#include "modelc/safetensors.hpp"

using namespace modelc;

namespace {

using Bytes = std::vector<unsigned char>;

// 8-byte little-endian length (default: the header's size), header, then `data` bytes
// holding the floats 0, 1, 2, ...
Bytes make_file(const std::string& header, size_t data, uint64_t length) {
  Bytes b(8 + header.size() + data);
  std::memcpy(b.data(), &length, 8);
  std::memcpy(b.data() + 8, header.data(), header.size());
  for (size_t i = 0; i < data; ++i) {
    const auto f = static_cast<float>(i / 4);
    unsigned char raw[4];
    std::memcpy(raw, &f, 4);
    b[8 + header.size() + i] = raw[i % 4];
  }
  return b;
}
Bytes make_file(const std::string& header, size_t data) {
  return make_file(header, data, header.size());
}

// A JSON object of the given members.
std::string obj(std::initializer_list<std::string> members) {
  std::string s = "{";
  for (const std::string& m : members) s.append(s.size() > 1 ? "," : "").append(m);
  return s.append("}");
}

std::string entry(const std::string& name, const std::string& shape, const std::string& offsets,
                  const std::string& dtype = "\"F32\"") {
  return "\"" + name + "\":{\"dtype\":" + dtype + ",\"shape\":" + shape +
         ",\"data_offsets\":" + offsets + "}";
}

std::string error_of(const Bytes& bytes) {
  try {
    SafetensorsFile::parse(bytes, "crafted.safetensors");
  } catch (const modelc::Error& e) {
    return e.what();
  }
  return "<no error>";
}

std::filesystem::path temp_path(const std::string& stem) {
  return std::filesystem::temp_directory_path() /
         (stem + "_" + std::to_string(::getpid()) + ".safetensors");
}

}  // namespace

TEST_CASE("safetensors: write then read round trip") {
  const std::vector<float> kernel = [] {
    std::vector<float> v(3 * 3 * 2 * 4);
    for (size_t i = 0; i < v.size(); ++i) v[i] = static_cast<float>(i) * 0.5f - 7.0f;
    return v;
  }();
  const std::vector<float> bias = {1.5f, -2.0f, 3.25f, 1e-30f}, scalar = {42.0f};
  const std::vector<TensorRef> tensors = {
      {"conv1.kernel", {3, 3, 2, 4}, kernel},
      {"conv1.bias", {4}, bias},
      {"empty", {0, 3}, {}},
      {"bn.gamma", {}, scalar},  // rank 0: one element
  };
  const std::filesystem::path path = temp_path("modelc_rt_ops_roundtrip");
  write_safetensors(path.string(), tensors);

  // Header: length a multiple of 8, padded with spaces.
  std::ifstream in(path, std::ios::binary);
  Bytes raw((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  uint64_t n = 0;
  std::memcpy(&n, raw.data(), 8);
  CHECK(n % 8 == 0);
  CHECK(raw.size() == 8 + n + 4 * (kernel.size() + bias.size() + scalar.size()));
  CHECK(raw[8] == '{');

  const SafetensorsFile f = SafetensorsFile::read(path.string());
  std::filesystem::remove(path);
  REQUIRE(f.tensors().size() == 4);
  // In data order, which is the order given to the writer.
  CHECK(f.tensors()[0].name == "conv1.kernel");
  CHECK(f.tensors()[1].name == "conv1.bias");
  CHECK(f.tensors()[2].name == "empty");
  CHECK(f.tensors()[3].name == "bn.gamma");
  const TensorInfo* k = f.find("conv1.kernel");
  REQUIRE(k != nullptr);
  CHECK(k->shape == std::vector<int64_t>{3, 3, 2, 4});
  CHECK(std::vector<float>(k->data.begin(), k->data.end()) == kernel);
  CHECK(std::vector<float>(f.find("conv1.bias")->data.begin(), f.find("conv1.bias")->data.end()) ==
        bias);
  CHECK(f.find("empty")->shape == std::vector<int64_t>{0, 3});
  CHECK(f.find("empty")->data.empty());
  CHECK(f.find("bn.gamma")->shape.empty());
  CHECK(f.find("bn.gamma")->data[0] == 42.0f);
  CHECK(f.find("missing") == nullptr);

  // Moving keeps the views valid (they point into the moved buffer).
  SafetensorsFile moved = SafetensorsFile::read([&] {
    write_safetensors(path.string(), tensors);
    return path.string();
  }());
  std::filesystem::remove(path);
  const SafetensorsFile other = std::move(moved);
  CHECK(other.find("conv1.bias")->data[2] == 3.25f);
}

TEST_CASE("safetensors: data section not 4-byte aligned in the file, metadata, empty file") {
  // A header of 4k + 1 bytes leaves the data at an odd file offset: copied into aligned floats.
  const std::string header = obj({entry("a", "[2]", "[0,8]")});
  std::string padded = header;
  while ((8 + padded.size()) % 4 != 1) padded.push_back(' ');
  const Bytes b = make_file(padded, 8);
  CHECK((8 + padded.size()) % 4 != 0);
  const SafetensorsFile f = SafetensorsFile::parse(b, "unaligned");
  REQUIRE(f.find("a") != nullptr);
  CHECK(reinterpret_cast<uintptr_t>(f.find("a")->data.data()) % alignof(float) == 0);
  CHECK(f.find("a")->data[0] == 0.0f);
  CHECK(f.find("a")->data[1] == 1.0f);

  const SafetensorsFile m = SafetensorsFile::parse(
      make_file(obj({"\"__metadata__\":{\"format\":\"keras\"}", entry("b", "[1]", "[0,4]")}), 4),
      "meta");
  CHECK(m.tensors().size() == 1);
  CHECK(SafetensorsFile::parse(make_file("{}", 0), "empty").tensors().empty());
}

TEST_CASE("safetensors: every malformed file is a clear modelc::Error") {
  using doctest::Contains;
  const std::string a = entry("a", "[2]", "[0,8]");

  SUBCASE("shorter than 8 bytes") {
    CHECK(error_of(Bytes{1, 2, 3}) ==
          "crafted.safetensors: file is 3 bytes, shorter than the 8-byte header length");
  }
  SUBCASE("header length past the end of the file") {
    CHECK(error_of(make_file("{}", 0, 100)) ==
          "crafted.safetensors: header length 100 runs past the end of the file (10 bytes); "
          "truncated?");
  }
  SUBCASE("absurd header length") {
    CHECK(error_of(make_file("{}", 0, uint64_t{1} << 40)) ==
          "crafted.safetensors: header length 1099511627776 is absurd (limit 104857600 bytes); "
          "not a safetensors file?");
    CHECK(error_of(make_file("{}", 0, ~uint64_t{0})).find("is absurd") != std::string::npos);
  }
  SUBCASE("bad JSON") {
    CHECK(error_of(make_file("{\"a\": ", 0))
              .starts_with("crafted.safetensors: header is not valid JSON: "));
    CHECK(error_of(make_file("{\"a\xff\": 1}", 0)).find("not valid JSON") !=
          std::string::npos);  // bad UTF-8
    CHECK(error_of(make_file("", 0)).find("not valid JSON") != std::string::npos);
  }
  SUBCASE("header not an object") {
    CHECK(error_of(make_file("[1, 2]", 0)) ==
          "crafted.safetensors: header is a JSON array, not an object");
    CHECK(error_of(make_file("7", 0)) ==
          "crafted.safetensors: header is a JSON number, not an object");
  }
  SUBCASE("entry not an object, unknown field") {
    CHECK(error_of(make_file("{\"a\": [1]}", 0)) ==
          "crafted.safetensors: tensor 'a': entry is array, not an object");
    CHECK(error_of(make_file(
              "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4],\"x\":1}}", 4)) ==
          "crafted.safetensors: tensor 'a': unknown field 'x'");
  }
  SUBCASE("unknown and unsupported dtypes") {
    CHECK(error_of(make_file(obj({entry("a", "[2]", "[0,8]", "\"Q7\"")}), 8)) ==
          "crafted.safetensors: tensor 'a': unknown dtype 'Q7' (only F32 is supported)");
    CHECK(error_of(make_file(obj({entry("w", "[4]", "[0,8]", "\"F16\"")}), 8)) ==
          "crafted.safetensors: tensor 'w': dtype F16 is not supported (only F32)");
    CHECK(error_of(make_file(obj({entry("w", "[2]", "[0,16]", "\"F64\"")}), 16)) ==
          "crafted.safetensors: tensor 'w': dtype F64 is not supported (only F32)");
    CHECK(error_of(make_file(obj({entry("a", "[2]", "[0,8]", "32")}), 8)) ==
          "crafted.safetensors: tensor 'a': dtype is not a string");
  }
  SUBCASE("missing fields") {
    CHECK(error_of(make_file("{\"a\":{\"dtype\":\"F32\",\"data_offsets\":[0,4]}}", 4)) ==
          "crafted.safetensors: tensor 'a': missing field 'shape'");
    CHECK(error_of(make_file("{\"a\":{\"dtype\":\"F32\",\"shape\":[1]}}", 4)) ==
          "crafted.safetensors: tensor 'a': missing field 'data_offsets'");
    CHECK(error_of(make_file("{\"a\":{\"shape\":[1],\"data_offsets\":[0,4]}}", 4)) ==
          "crafted.safetensors: tensor 'a': missing field 'dtype'");
  }
  SUBCASE("bad shapes: negative, fractional, not an array, overflowing") {
    CHECK(error_of(make_file(obj({entry("a", "[-1,2]", "[0,8]")}), 8)) ==
          "crafted.safetensors: tensor 'a': shape [-1,2] has a dimension that is not a "
          "non-negative integer");
    CHECK(error_of(make_file(obj({entry("a", "[2.5]", "[0,8]")}), 8))
              .find("not a non-negative integer") != std::string::npos);
    CHECK(error_of(make_file(obj({entry("a", "\"2\"", "[0,8]")}), 8)) ==
          "crafted.safetensors: tensor 'a': shape is not an array");
    CHECK(error_of(make_file(obj({entry("a", "[4294967296,4294967296]", "[0,8]")}), 8)) ==
          "crafted.safetensors: tensor 'a': shape [4294967296,4294967296] has too many elements");
    CHECK(error_of(make_file(obj({entry("a", "[18446744073709551615]", "[0,8]")}), 8)) ==
          "crafted.safetensors: tensor 'a': shape [18446744073709551615] has too many elements");
  }
  SUBCASE("bad data_offsets") {
    for (const char* off :
         {"[8]", "[0,8,8]", "[8,0]", "[-8,0]", "[0,8.0]", "\"0,8\"", "[0,\"8\"]"}) {
      CAPTURE(off);
      CHECK(error_of(make_file(obj({entry("a", "[2]", off)}), 8))
                .ends_with("is not two non-decreasing non-negative integers"));
    }
    CHECK(error_of(make_file(obj({entry("a", "[2]", "[8,0]")}), 8)) ==
          "crafted.safetensors: tensor 'a': data_offsets [8,0] is not two non-decreasing "
          "non-negative integers");
  }
  SUBCASE("element count x 4 disagrees with the byte size") {
    CHECK(error_of(make_file(obj({entry("a", "[3]", "[0,8]")}), 8)) ==
          "crafted.safetensors: tensor 'a': shape [3] has 3 elements (12 bytes) but data_offsets "
          "[0,8] span 8 bytes");
  }
  SUBCASE("offsets outside the data section") {
    CHECK(error_of(make_file(obj({entry("a", "[100]", "[0,400]")}), 8)) ==
          "crafted.safetensors: tensor 'a': data_offsets [0, 400] lie outside the data section (8 "
          "bytes)");
    CHECK(error_of(
              make_file(obj({entry("a", "[2]", "[18446744073709551608,18446744073709551615]")}), 8))
              .find("tensor 'a'") != std::string::npos);
  }
  SUBCASE("overlapping tensors") {
    CHECK(error_of(make_file(obj({a, entry("b", "[2]", "[4,12]")}), 12)) ==
          "crafted.safetensors: tensor 'b': data [4, 12) overlaps tensor 'a' [0, 8)");
    CHECK(error_of(make_file(obj({a, entry("b", "[2]", "[0,8]")}), 8)).find("overlaps") !=
          std::string::npos);
  }
  SUBCASE("gaps and trailing bytes (strict, like the reference implementation)") {
    CHECK(error_of(make_file(obj({a, entry("b", "[1]", "[12,16]")}), 16)) ==
          "crafted.safetensors: tensor 'b': data starts at byte 12 of the data section, leaving a "
          "gap "
          "of 4 unused bytes before it");
    CHECK(error_of(make_file(obj({entry("a", "[1]", "[4,8]")}), 8)).find("gap of 4") !=
          std::string::npos);
    CHECK(error_of(make_file(obj({a}), 12)) ==
          "crafted.safetensors: data section has 4 trailing bytes not covered by any tensor");
  }
  SUBCASE("duplicate names") {
    CHECK(error_of(make_file(obj({a, entry("a", "[2]", "[8,16]")}), 16)) ==
          "crafted.safetensors: tensor 'a': appears more than once in the header");
    // Nested duplicate keys are not tensor names; the entry's own checks apply.
    CHECK(error_of(make_file(
              "{\"a\":{\"dtype\":\"F32\",\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}",
              8)) == "<no error>");
  }
  SUBCASE("bad __metadata__") {
    CHECK(error_of(make_file("{\"__metadata__\":[1]}", 0)) ==
          "crafted.safetensors: __metadata__ is not an object");
    CHECK(error_of(make_file("{\"__metadata__\":{\"k\":1}}", 0)) ==
          "crafted.safetensors: __metadata__ value 'k' is not a string");
  }
  SUBCASE("deeply nested JSON (no recursion in parsing, messages or cleanup)") {
    // 300000 levels overflow an 8 MB stack under a recursive json::dump().
    const std::string deep = std::string(300000, '[') + std::string(300000, ']');
    CHECK(error_of(make_file(deep, 0)) ==
          "crafted.safetensors: header is a JSON array, not an object");
    CHECK(error_of(make_file(obj({entry("a", deep, "[0,0]")}), 0)) ==
          "crafted.safetensors: tensor 'a': shape a JSON array has a dimension that is not a "
          "non-negative integer");
  }
  SUBCASE("long values are cut short in messages") {
    const std::string shape = "[" + std::string(200, '1') + "]";
    CHECK(error_of(make_file(obj({entry("a", shape, "[0,0]")}), 0)).size() < 200);
  }
  SUBCASE("unreadable file") {
    CHECK_THROWS_WITH_AS(SafetensorsFile::read(std::filesystem::temp_directory_path().string()),
                         Contains("not a regular file"), modelc::Error);
    CHECK_THROWS_WITH_AS(SafetensorsFile::read("/nonexistent/dir/w.safetensors"),
                         Contains("/nonexistent/dir/w.safetensors: cannot open"), modelc::Error);
  }
}

TEST_CASE(
    "safetensors: every truncation and every single-byte header corruption is an Error, never a "
    "crash") {
  const std::string header = obj({entry("a", "[2]", "[0,8]"), entry("b", "[1,3]", "[8,20]")});
  const Bytes good = make_file(header, 20);
  REQUIRE(error_of(good) == "<no error>");
  for (size_t len = 0; len < good.size(); ++len) {
    CAPTURE(len);
    const Bytes cut(good.begin(), good.begin() + static_cast<std::ptrdiff_t>(len));
    CHECK_THROWS_AS(SafetensorsFile::parse(cut, "cut"), modelc::Error);
  }
  int rejected = 0;
  for (size_t pos = 0; pos < 8 + header.size(); ++pos) {
    for (int v : {0x00, 0x22, 0x2c, 0x2d, 0x30, 0x39, 0x5b, 0x7d, 0xff}) {
      Bytes bad = good;
      bad[pos] = static_cast<unsigned char>(v);
      try {
        SafetensorsFile::parse(bad, "corrupt");
      } catch (const modelc::Error&) {
        ++rejected;  // anything else escaping fails the test
      }
    }
  }
  MESSAGE(rejected << " of " << 9 * (8 + header.size()) << " corrupted files rejected");
}

TEST_CASE("safetensors writer: validation and I/O errors") {
  using doctest::Contains;
  const std::vector<float> two = {1, 2};
  const std::string path = temp_path("modelc_rt_ops_writer").string();
  const std::vector<TensorRef> mismatch = {{"fc.bias", {3}, two}};
  CHECK_THROWS_WITH_AS(write_safetensors(path, mismatch),
                       (path + ": tensor 'fc.bias': shape has 3 elements but data has 2").c_str(),
                       modelc::Error);
  const std::vector<TensorRef> dup = {{"w", {2}, two}, {"w", {2}, two}};
  CHECK_THROWS_WITH_AS(write_safetensors(path, dup),
                       (path + ": tensor 'w': given more than once").c_str(), modelc::Error);
  const std::vector<TensorRef> neg = {{"w", {-2}, two}};
  CHECK_THROWS_WITH_AS(write_safetensors(path, neg), Contains("negative dimension -2"),
                       modelc::Error);
  const std::vector<TensorRef> ok = {{"w", {2}, two}};
  CHECK_THROWS_WITH_AS(write_safetensors("/nonexistent/dir/w.safetensors", ok),
                       Contains("/nonexistent/dir/w.safetensors: cannot open"), modelc::Error);
  CHECK_FALSE(std::filesystem::exists(path));
}

TEST_CASE("safetensors: size limits (docs/limits.md)") {
  using doctest::Contains;
  SUBCASE("header length: the limit itself is not absurd, one byte more is") {
    CHECK(error_of(make_file("{}", 0, kMaxWeightsHeaderBytes)).find("runs past the end") !=
          std::string::npos);
    CHECK(error_of(make_file("{}", 0, kMaxWeightsHeaderBytes + 1)) ==
          "crafted.safetensors: header length 104857601 is absurd (limit 104857600 bytes); "
          "not a safetensors file?");
  }
  SUBCASE("file size: a sparse file one byte past 16 GiB is refused before it is read") {
    const std::filesystem::path path = temp_path("modelc_huge");
    { std::ofstream create(path, std::ios::binary); }
    std::error_code ec;
    std::filesystem::resize_file(path, kMaxWeightsFileBytes + 1, ec);
    if (ec) {
      MESSAGE("cannot make a sparse file here (" << ec.message() << "); skipped");
    } else {
      CHECK_THROWS_WITH_AS(SafetensorsFile::read(path.string()),
                           Contains("file is 17179869185 bytes; the limit is 17179869184 (16 GiB)"),
                           modelc::Error);
    }
    std::filesystem::remove(path);
  }
}
