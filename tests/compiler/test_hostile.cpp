// Hostile input: each must be a clear, located error within a second, never
// a crash, a hang or an allocation spree.
#include <chrono>
#include <filesystem>
#include <fstream>
#include <random>

#include <fmt/format.h>

#include "test_util.hpp"

using namespace modelc;
using namespace modelc::test;

namespace {

struct Timed {
  Compiled result;
  double seconds = 0;
};

Timed timed_compile(const std::string& text) {
  const auto start = std::chrono::steady_clock::now();
  Timed t{compile_text(text, "hostile.yaml"), 0};
  t.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return t;
}

// The one error of a hostile input, checked for time and content.
void expect_clear_error(const std::string& text, const std::string& message_part) {
  const Timed t = timed_compile(text);
  CAPTURE(t.result.errors().substr(0, 2000));
  CHECK(t.seconds < 1.0 * kTimeScale);
  REQUIRE_FALSE(t.result.graph.has_value());
  REQUIRE(t.result.diags.size() >= 1);
  const Diagnostic& d = t.result.diags.all().front();
  CHECK(d.loc.file);
  CHECK(d.loc.str().rfind("hostile.yaml", 0) == 0);
  CHECK(d.message.find(message_part) != std::string::npos);
}

}  // namespace

TEST_SUITE("hostile") {
  TEST_CASE("1 MiB of random bytes") {
    std::mt19937 rng(20241127);
    std::string bytes(1 << 20, '\0');
    for (char& c : bytes) c = static_cast<char>(rng() & 0xFF);
    expect_clear_error(bytes, "not UTF-8");
  }

  TEST_CASE("1 MiB of random printable text never crashes") {
    std::mt19937 rng(7);
    const std::string alphabet = "abc:-[]{},'\"#&*!|> \n\t0123456789$";
    for (int round = 0; round < 8; ++round) {
      std::string text(1 << 17, ' ');
      for (char& c : text) c = alphabet[rng() % alphabet.size()];
      const Timed t = timed_compile(text);
      CHECK(t.seconds < 1.0 * kTimeScale);
      CHECK_FALSE(t.result.graph.has_value());
      CHECK_FALSE(t.result.diags.empty());
    }
  }

  TEST_CASE("randomly mutated real specs never crash") {
    std::ifstream in(source_path("specs/googlenet.yaml"));
    const std::string original((std::istreambuf_iterator<char>(in)),
                               std::istreambuf_iterator<char>());
    REQUIRE(original.size() > 1000);
    std::mt19937 rng(12345);
    const std::string alphabet = "abcxyz_019:-[]{},$/'\" #\n";
    int rejected = 0;
    const auto start = std::chrono::steady_clock::now();
    for (int round = 0; round < 300; ++round) {
      std::string text = original;
      const int edits = 1 + static_cast<int>(rng() % 4);
      for (int e = 0; e < edits; ++e) {
        const size_t at = rng() % text.size();
        switch (rng() % 3) {
          case 0: text[at] = alphabet[rng() % alphabet.size()]; break;
          case 1: text.erase(at, 1 + rng() % 8); break;
          default: text.insert(at, 1, alphabet[rng() % alphabet.size()]); break;
        }
      }
      const Compiled c = compile_text(text, "mutated.yaml");
      CHECK(c.graph.has_value() == c.diags.empty());
      rejected += c.graph ? 0 : 1;
    }
    CHECK(rejected > 100);  // most mutations break something, and are reported
    CHECK(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() <
          5.0 * kTimeScale);
  }

  TEST_CASE("200,000 nested brackets") {
    expect_clear_error("name: X\ninput: " + std::string(200000, '['), "nested more than 64 deep");
    expect_clear_error("a: " + std::string(200000, '{'), "nested more than 64 deep");
  }

  TEST_CASE("deep block nesting: 100,000 nested sequences on one line, deep indentation") {
    std::string dashes;
    for (int i = 0; i < 100000; ++i) dashes += "- ";
    expect_clear_error(dashes + "x\n", "nested sequences");
    std::string indented = "a:\n";
    for (int i = 1; i < 1000; ++i) indented += std::string(static_cast<size_t>(i), ' ') + "b:\n";
    expect_clear_error(indented, "indented by more than");
  }

  TEST_CASE("alias expansion (billion laughs)") {
    std::string text = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n";
    for (int i = 1; i < 12; ++i) {
      text += fmt::format("a{}: &a{} [", i, i);
      for (int k = 0; k < 10; ++k) text += fmt::format("{}*a{}", k ? ", " : "", i - 1);
      text += "]\n";
    }
    expect_clear_error(text, "expands to more than");
  }

  TEST_CASE("a repeat of 2,000,000,000 fails before expanding") {
    expect_clear_error(R"(name: X
input: {shape: [8]}
blocks:
  u:
    layers:
      - {op: relu}
layers:
  - {block: u, repeat: 2000000000}
)",
                       "the model expands to 2,000,000,001 layers; the limit is 100,000");
  }

  TEST_CASE("nested repeats multiply past the limit without overflow") {
    std::string text =
        "name: X\ninput: {shape: [8]}\nblocks:\n  b0:\n    layers:\n      - {op: relu}\n";
    for (int i = 1; i < 40; ++i)
      text += fmt::format("  b{}:\n    layers:\n      - {{block: b{}, repeat: 1000000000}}\n", i,
                          i - 1);
    text += "layers:\n  - {block: b39}\n";
    expect_clear_error(text, "the model expands to too many layers");
  }

  TEST_CASE("2e9 filters, huge inputs, huge dense layers") {
    expect_clear_error(
        "name: X\ninput: {shape: [227, 227, 3]}\nlayers:\n  - {op: conv2d, filters: 2000000000, "
        "kernel: 11, stride: 4}\n",
        "elements; the limit is 17,179,869,184");
    expect_clear_error(
        "name: X\ninput: {shape: [2147483648, 2147483648, 3]}\nlayers:\n  - {op: relu}\n",
        "shape must be a list");
    expect_clear_error("name: X\ninput: {shape: [99999999999]}\nlayers:\n  - {op: relu}\n",
                       "shape must be a list");
    expect_clear_error(
        "name: X\ninput: {shape: [200000]}\nlayers:\n  - {op: dense, units: 200000}\n",
        "parameters here");
    expect_clear_error(
        "name: X\ninput: {shape: [8]}\nlayers:\n  - {op: dense, units: 99999999999999999999}\n",
        "out of range");
  }

  TEST_CASE("spec file size limit and unreadable files") {
    const auto dir = std::filesystem::temp_directory_path() / "modelc_hostile";
    std::filesystem::create_directories(dir);
    const auto big = dir / "big.yaml";
    {
      std::ofstream out(big);
      out << "name: X\n# " << std::string(5 << 20, 'x') << "\n";
    }
    Diagnostics diags;
    CHECK_FALSE(compile_file(big.string(), diags).has_value());
    CHECK(diags.format().find("the limit is 4,194,304") != std::string::npos);
    Diagnostics missing;
    CHECK_FALSE(compile_file((dir / "missing.yaml").string(), missing).has_value());
    CHECK(missing.format().find("cannot open the spec file: No such file or directory") !=
          std::string::npos);
    Diagnostics directory;
    CHECK_FALSE(compile_file(dir.string(), directory).has_value());
    CHECK(directory.format().find("is a directory") != std::string::npos);
    std::filesystem::remove_all(dir);
  }

  TEST_CASE("empty and non-mapping documents") {
    expect_clear_error("", "the spec is empty");
    expect_clear_error("- 1\n- 2\n", "the spec must be a mapping");
    expect_clear_error("a: 1\n---\nb: 2\n", "more than one YAML document");
    expect_clear_error("a: [1, 2\n", "invalid YAML");
    expect_clear_error(",", "invalid YAML");  // yaml-cpp 0.7's LoadAll loops forever on this
    expect_clear_error("# comment\n, 4, 4] from 'b'\nname: X\n",
                       "invalid YAML: the document cannot be read from here");
    expect_clear_error("name: X\n...\nlayers: []\n", "more than one YAML document");
    expect_clear_error(std::string("a: 1\0b: 2", 9), "control character");
  }

}  // TEST_SUITE
