// libFuzzer target: `modelc import` on arbitrary bytes (seeded with the ONNX
// files of tests/import/data). Only modelc::ImportError may come out; a crash,
// a sanitizer report, a hang or another exception is a finding. External data
// is looked for in a folder that does not exist, so no file is read.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "import/onnx_import.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  modelc::ImportOptions options;
  options.model_path = "fuzz.onnx";
  try {
    const modelc::ImportResult r =
        modelc::import_onnx_bytes(bytes, "fuzz.onnx", "/nonexistent/modelc_fuzz", options);
    if (r.spec.empty()) {
      std::fprintf(stderr, "fuzz_import: an import without a spec\n");
      std::abort();
    }
  } catch (const modelc::ImportError&) {}
  return 0;
}
