// Runs an imported model once: `run_imported WEIGHTS INPUT.bin OUTPUT.bin`.
// INPUT.bin holds one NCHW float32 image (the imported spec's input layout);
// OUTPUT.bin gets every output of forward(), in spec order, NHWC float32.
// Built per model by tests/import/check_models.py with -DMODELC_IMPORT_HEADER
// and -DMODELC_IMPORT_CLASS (the imported spec's header and class).
#include <cstdio>
#include <fstream>
#include <iostream>
#include <vector>

#include MODELC_IMPORT_HEADER

int main(int argc, char** argv) {
  if (argc != 4) {
    std::cerr << "usage: run_imported WEIGHTS INPUT.bin OUTPUT.bin\n";
    return 2;
  }
  try {
    modelc::gen::MODELC_IMPORT_CLASS net(/*max_batch=*/1);
    net.load_weights(argv[1]);
    std::vector<float> input(static_cast<size_t>(net.input_size()));
    std::ifstream in(argv[2], std::ios::binary);
    in.read(reinterpret_cast<char*>(input.data()),
            static_cast<std::streamsize>(input.size() * sizeof(float)));
    if (!in || in.peek() != EOF) {
      std::cerr << argv[2] << ": expected exactly " << input.size() << " float32 values\n";
      return 1;
    }
    net.forward(input, 1);
    std::ofstream out(argv[3], std::ios::binary);
    for (int i = 0; i < net.num_outputs(); ++i) {
      const auto o = net.output(i);
      out.write(reinterpret_cast<const char*>(o.data()),
                static_cast<std::streamsize>(o.size() * sizeof(float)));
    }
    return out ? 0 : 1;
  } catch (const std::exception& e) {
    std::cerr << "run_imported: " << e.what() << "\n";
    return 1;
  }
}
