// `modelc import` in-process on the ONNX files of tests/import/data (written by
// tests/import/make_fixtures.py from PyTorch): broken models get one clear
// error each (every unsupported node listed), good ones a spec that checks,
// the same bytes twice. Their numbers against PyTorch are tests/import.
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cli.hpp"
#include "test_util.hpp"

using namespace modelc;
using namespace modelc::test;

namespace {

struct Run {
  int status;
  std::string out, err;
};

Run run(std::vector<std::string> args) {
  std::ostringstream out, err;
  const int status = run_cli(args, out, err);
  return {status, out.str(), err.str()};
}

std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string data(const std::string& name) { return source_path("tests/import/data/" + name); }

std::filesystem::path work_dir() {
  auto d = std::filesystem::temp_directory_path() / "modelc_import_test";
  std::filesystem::create_directories(d);
  return d;
}

// Imports `model` and expects failure with every `needles` in the message.
void expect_error(const std::string& model, std::initializer_list<std::string_view> needles,
                  std::vector<std::string> extra = {}) {
  std::vector<std::string> args = {"import", data(model), "-o", (work_dir() / "bad.yaml").string()};
  args.insert(args.end(), extra.begin(), extra.end());
  const Run r = run(args);
  CAPTURE(r.err);
  CHECK(r.status == 1);
  for (std::string_view n : needles) CHECK(r.err.find(n) != std::string::npos);
  CHECK(r.err.find("modelc import: error: ") == 0);
}

}  // namespace

TEST_SUITE("import") {
  TEST_CASE("broken models: one clear error each, never a crash") {
    expect_error("bad_not_onnx.onnx", {"bad_not_onnx.onnx: not an ONNX model"});
    expect_error("bad_truncated.onnx",
                 {"bad_truncated.onnx: not an ONNX model", "truncated, corrupt or non-ONNX"});
    expect_error("bad_size.onnx",
                 {"initializer 'w' holds 400 bytes but its shape [4, 3, 3, 3] of FLOAT needs 432"});
    expect_error("bad_external.onnx", {"external data file 'missing_weights.bin' is missing",
                                       "copy it next to the model"});
    expect_error("bad_dynamic.onnx",
                 {"input 'x' has shape [N, 3, H, W] with dynamic or missing dimensions",
                  "--input-shape N,C,H,W"});
    expect_error("missing.onnx", {"missing.onnx: cannot open: No such file or directory"});
    expect_error("bad_dynamic.onnx", {"--input-shape has 3 dimensions but input 'x' has 4"},
                 {"--input-shape", "1,3,8"});
  }

  TEST_CASE("every unsupported node is listed, with its op and input shapes") {
    const Run r =
        run({"import", data("bad_unsupported.onnx"), "-o", (work_dir() / "bad.yaml").string()});
    CHECK(r.status == 1);
    CHECK(r.err.find("node 'the_cos' (Cos, inputs [1, 4, 6, 6]): modelc has no mapping for ONNX "
                     "op Cos") != std::string::npos);
    CHECK(r.err.find("node 'the_tile' (Tile, inputs [1, 4, 6, 6] [4]): modelc has no mapping for "
                     "ONNX op Tile") != std::string::npos);
    CHECK(r.err.find("after_cos") == std::string::npos);  // a Relu: no cascade
    CHECK(r.err.find("2 problems") != std::string::npos);
  }

  TEST_CASE("usage errors") {
    CHECK(run({"import", data("mini_zoo.onnx")}).status == 2);  // no -o
    CHECK(run({"import", "-o", "x.yaml"}).status == 2);         // no model
    const Run r = run({"import", data("mini_zoo.onnx"), "-o", "x.yaml", "--input-shape", "1,x"});
    CHECK(r.status == 2);
    CHECK(r.err.find("--input-shape takes positive integers") != std::string::npos);
    CHECK(run({"import", data("mini_zoo.onnx"), "-o", "x.yaml", "--name", "3net"}).status == 2);
  }

  TEST_CASE("a dynamic model imports with --input-shape") {
    const auto spec = work_dir() / "dyn.yaml";
    const Run r = run(
        {"import", data("bad_dynamic.onnx"), "-o", spec.string(), "--input-shape", "1,3,16,16"});
    CAPTURE(r.err);
    CHECK(r.status == 0);
    CHECK(slurp(spec).find("input: {name: x, shape: [16, 16, 3], layout: nchw}") !=
          std::string::npos);
  }

  TEST_CASE("mini_zoo: the v2 patterns, the same bytes twice, metadata for every tensor") {
    const auto a = work_dir() / "a", b = work_dir() / "b";
    const Run ra = run({"import", data("mini_zoo.onnx"), "-o", (a / "net.yaml").string()});
    CAPTURE(ra.err);
    REQUIRE(ra.status == 0);
    REQUIRE(run({"import", data("mini_zoo.onnx"), "-o", (b / "net.yaml").string()}).status == 0);
    const std::string spec = slurp(a / "net.yaml");
    CHECK(spec == slurp(b / "net.yaml"));
    CHECK(slurp(a / "net.safetensors") == slurp(b / "net.safetensors"));
    for (const char* op :
         {"op: relu6", "op: depthwise_conv2d", "op: hard_swish", "op: hard_sigmoid", "op: multiply",
          "op: slice", "op: channel_shuffle", "op: layernorm", "op: gelu", "op: scale",
          "op: batchnorm", "ceil: true", "groups: 4", "dilation: 2", "op: flatten"})
      CHECK_MESSAGE(spec.find(op) != std::string::npos, op);
    CHECK(spec.find("# Conv /stem/stem.0/Conv") != std::string::npos);
    // __metadata__: every tensor mapped to its initializer, with both transforms.
    const std::string w = slurp(a / "net.safetensors");
    uint64_t n = 0;
    std::memcpy(&n, w.data(), 8);
    const auto header = nlohmann::json::parse(w.substr(8, n));
    const auto& meta = header.at("__metadata__");
    int tensors = 0;
    for (const auto& [k, v] : header.items()) {
      if (k == "__metadata__") continue;
      ++tensors;
      REQUIRE_MESSAGE(meta.contains(k), k);
      const std::string m = meta.at(k);
      CHECK(m.find("onnx=") == 0);
      CHECK(m.find("; to_modelc=") != std::string::npos);
      CHECK(m.find("; to_onnx=") != std::string::npos);
    }
    CHECK(tensors > 20);
    // The flatten of a 4x4x24 map into a Linear: rows reordered from C, H, W to H, W, C.
    CHECK(meta.at("head_0_gemm.kernel").get<std::string>() ==
          "onnx=head.0.weight; to_modelc=x.T.reshape(24, 4, 4, 32).transpose(1, 2, 0, "
          "3).reshape(384, 32); to_onnx=x.reshape(4, 4, 24, 32).transpose(2, 0, 1, "
          "3).reshape(384, 32).T");
  }
}
