// Fine-tunes an imported model: `finetune WEIGHTS DATA.bin STEPS OUT.safetensors`.
// DATA.bin: batch (int32), then batch NCHW float32 images, then batch int32
// labels. Runs STEPS SGD train_steps on that batch (momentum 0.9, lr 0.01),
// prints the loss of each step, saves the weights. Built per model by
// tests/import/check_models.py --finetune (like run_imported.cpp).
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include MODELC_IMPORT_HEADER

int main(int argc, char** argv) {
  if (argc != 5) {
    std::cerr << "usage: finetune WEIGHTS DATA.bin STEPS OUT.safetensors\n";
    return 2;
  }
  try {
    std::ifstream in(argv[2], std::ios::binary);
    int32_t batch = 0;
    in.read(reinterpret_cast<char*>(&batch), 4);
    if (!in || batch < 1 || batch > 256) throw std::runtime_error("bad batch in DATA.bin");
    modelc::gen::MODELC_IMPORT_CLASS net(batch,
                                         modelc::ModelOptions{.threads = 0, .dropout = false});
    net.load_weights(argv[1]);
    std::vector<float> images(static_cast<size_t>(batch * net.input_size()));
    std::vector<int32_t> labels(static_cast<size_t>(batch));
    in.read(reinterpret_cast<char*>(images.data()),
            static_cast<std::streamsize>(images.size() * sizeof(float)));
    in.read(reinterpret_cast<char*>(labels.data()),
            static_cast<std::streamsize>(labels.size() * sizeof(int32_t)));
    if (!in) throw std::runtime_error("DATA.bin is too short");
    const int steps = std::stoi(argv[3]);
    modelc::SgdOptions sgd;
    sgd.lr = 0.01f;
    sgd.momentum = 0.9f;
    for (int s = 0; s < steps; ++s)
      std::printf("step %d loss %.6f\n", s, net.train_step(images, labels, batch, sgd));
    net.save_weights(argv[4]);
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "finetune: " << e.what() << "\n";
    return 1;
  }
}
