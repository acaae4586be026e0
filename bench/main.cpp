// modelc_bench: the machine's FMA peak, then per model the median forward time
// at each batch and the median train step (loss_and_grad + SGD) at batch 8, as
// a table (ms, images/s, GFLOP/s = 2 x MACs / time, % of the measured peak) and
// as JSON lines (--json FILE). --profile adds per-layer times. See README.md.
#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "alexnet.hpp"
#include "fma_peak.hpp"
#include "googlenet.hpp"
#include "resnet50.hpp"
#include "vgg16.hpp"

namespace {

using Clock = std::chrono::steady_clock;

struct Options {
  std::vector<std::string> models = {"alexnet", "vgg16", "googlenet", "resnet50"};
  std::vector<int> batches = {1, 8};
  bool train = true;
  bool quick = false;
  bool profile = false;
  bool memory = false;
  int profile_top = 15;
  double seconds = 2.0;  // time budget per measurement (at least min_reps runs)
  std::string json;
};

struct Stats {
  double median_ms = 0, min_ms = 0;
  int runs = 0;
};

// Runs f once to warm up, then repeatedly for about `seconds` (between min_reps
// and max_reps runs); returns the median and the minimum.
Stats time_runs(const std::function<void()>& f, double seconds, int min_reps, int max_reps) {
  f();
  std::vector<double> ms;
  const auto start = Clock::now();
  while (static_cast<int>(ms.size()) < max_reps) {
    const auto t0 = Clock::now();
    f();
    const auto t1 = Clock::now();
    ms.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
    const double spent = std::chrono::duration<double>(t1 - start).count();
    if (static_cast<int>(ms.size()) >= min_reps && spent >= seconds) break;
  }
  std::sort(ms.begin(), ms.end());
  return {ms[ms.size() / 2], ms.front(), static_cast<int>(ms.size())};
}

struct Row {
  std::string model, what;
  int batch;
  Stats s;
  double gflop;  // per run
};

struct Bench {
  Options opt;
  double peak1 = 0, peak2 = 0;  // GFLOP/s
  std::vector<Row> rows;
  FILE* json = nullptr;

  void print_row(const Row& r) const {
    const double gflops = r.gflop / (r.s.median_ms / 1e3);
    const double peak = omp_get_max_threads() > 1 ? peak2 : peak1;
    std::printf("%-10s %-8s %5d %10.1f %10.1f %9.1f %9.0f %6.0f%% %5d\n", r.model.c_str(),
                r.what.c_str(), r.batch, r.s.median_ms, r.s.min_ms, r.batch / (r.s.median_ms / 1e3),
                gflops, 100.0 * gflops / peak, r.s.runs);
    std::fflush(stdout);
    if (json) {
      std::fprintf(json,
                   "{\"model\": \"%s\", \"what\": \"%s\", \"batch\": %d, \"median_ms\": %.3f, "
                   "\"min_ms\": %.3f, \"runs\": %d, \"images_per_s\": %.2f, \"gflops\": %.1f, "
                   "\"peak_gflops\": %.1f, \"threads\": %d}\n",
                   r.model.c_str(), r.what.c_str(), r.batch, r.s.median_ms, r.s.min_ms, r.s.runs,
                   r.batch / (r.s.median_ms / 1e3), gflops, peak, omp_get_max_threads());
      std::fflush(json);
    }
  }

  static void print_profile(const modelc::Model& net, modelc::Phase phase, int runs, int batch,
                            int top, const char* title) {
    const auto layers = net.layers();
    const auto secs = net.layer_seconds(phase);
    double total = 0;
    for (double s : secs) total += s;
    std::vector<size_t> order(layers.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return secs[a] > secs[b]; });
    std::printf("\n%s %s, batch %d: %.2f ms per run; slowest layers (ms per run)\n",
                std::string(net.name()).c_str(), title, batch, total * 1e3 / runs);
    std::printf("  %-28s %-14s %9s %6s %9s\n", "layer", "op", "ms", "%", "GFLOP/s");
    const double mac_factor = phase == modelc::Phase::backward ? 2.0 : 1.0;
    for (int k = 0; k < top && k < static_cast<int>(order.size()); ++k) {
      const size_t i = order[static_cast<size_t>(k)];
      if (secs[i] <= 0) break;
      const double ms = secs[i] * 1e3 / runs;
      const double gf =
          mac_factor * 2.0 * static_cast<double>(layers[i].macs) * batch / (secs[i] / runs) / 1e9;
      std::printf("  %-28s %-14s %9.3f %5.1f%% %9.0f\n", std::string(layers[i].name).c_str(),
                  std::string(layers[i].op).c_str(), ms, 100.0 * secs[i] / total, gf);
    }
    // Time per op kind, to see the share of the non-GEMM ops.
    std::map<std::string, double> by_op;
    for (size_t i = 0; i < layers.size(); ++i) by_op[std::string(layers[i].op)] += secs[i];
    std::printf("  by op:");
    for (const auto& [op, s] : by_op)
      if (s > 0) std::printf(" %s %.2f ms,", op.c_str(), s * 1e3 / runs);
    std::printf("\n");
  }

  // What an inference-only model at batch 1 and 8 holds (MB).
  template <class Net>
  static void print_memory(const std::string& name) {
    for (int b : {1, 8}) {
      const Net net(b, {.training = false});
      const modelc::Model::MemoryUse m = net.memory_use();
      const auto mb = [](size_t bytes) { return static_cast<double>(bytes) / 1e6; };
      std::printf(
          "%-10s memory at inference, batch %d: weights %.1f MB + prepared %.1f MB + "
          "arena %.1f MB + scratch %.1f MB\n",
          name.c_str(), b, mb(m.weights), mb(m.prepared), mb(m.inference_arena), mb(m.scratch));
    }
  }

  template <class Net>
  void run(const std::string& name) {
    const int max_batch = *std::max_element(opt.batches.begin(), opt.batches.end());
    Net net(std::max(max_batch, opt.train ? 8 : 1));
    net.init_weights(1);
    double fwd_macs = 0, all_macs = 0;
    for (const modelc::LayerSpec& l : net.layers()) {
      all_macs += static_cast<double>(l.macs);
      if (l.inference) fwd_macs += static_cast<double>(l.macs);
    }
    std::vector<float> images(static_cast<size_t>(net.max_batch() * Net::kInputSize));
    for (size_t i = 0; i < images.size(); ++i) images[i] = static_cast<float>(i % 251) / 251.0f;
    const double budget = opt.quick ? 0.3 : opt.seconds;
    for (int b : opt.batches) {
      const std::span<const float> in(images.data(), static_cast<size_t>(b * Net::kInputSize));
      const Stats s = time_runs([&] { net.forward(in, b); }, budget, opt.quick ? 2 : 5, 200);
      rows.push_back({name, "forward", b, s, 2.0 * fwd_macs * b / 1e9});
      print_row(rows.back());
    }
    if (opt.train) {
      const std::vector<int32_t> labels = {0, 1, 2, 3, 4, 5, 6, 7};
      const std::span<const float> in(images.data(), static_cast<size_t>(8 * Net::kInputSize));
      const modelc::SgdOptions sgd{.lr = 0.001f, .momentum = 0.9f};
      const Stats s =
          time_runs([&] { net.train_step(in, labels, 8, sgd); }, budget, opt.quick ? 1 : 3, 20);
      // Training FLOPs: the usual 3 x forward MACs (forward, input and weight gradients).
      rows.push_back({name, "train", 8, s, 3.0 * 2.0 * all_macs * 8 / 1e9});
      print_row(rows.back());
    }
    if (opt.memory) print_memory<Net>(name);
    if (opt.profile) {
      const int runs = opt.quick ? 2 : 5;
      net.set_profiling(true);
      for (int b : opt.batches) {
        const std::span<const float> in(images.data(), static_cast<size_t>(b * Net::kInputSize));
        net.forward(in, b);
        net.reset_profile();
        for (int r = 0; r < runs; ++r) net.forward(in, b);
        print_profile(net, modelc::Phase::inference, runs, b, opt.profile_top, "forward");
      }
      if (opt.train) {
        const std::vector<int32_t> labels = {0, 1, 2, 3, 4, 5, 6, 7};
        const std::span<const float> in(images.data(), static_cast<size_t>(8 * Net::kInputSize));
        net.reset_profile();
        const int tr = opt.quick ? 1 : 2;
        for (int r = 0; r < tr; ++r) net.loss_and_grad(in, labels, 8);
        print_profile(net, modelc::Phase::training, tr, 8, opt.profile_top, "training forward");
        print_profile(net, modelc::Phase::backward, tr, 8, opt.profile_top, "backward");
      }
      net.set_profiling(false);
      std::printf("\n");
    }
  }
};

std::vector<std::string> split(const std::string& s) {
  std::vector<std::string> out;
  size_t at = 0;
  while (at <= s.size()) {
    const size_t comma = std::min(s.find(',', at), s.size());
    if (comma > at) out.push_back(s.substr(at, comma - at));
    at = comma + 1;
  }
  return out;
}

int usage() {
  std::fprintf(stderr,
               "usage: modelc_bench [--models alexnet,vgg16,googlenet,resnet50] [--batches 1,8]\n"
               "                    [--no-train] [--quick] [--seconds S] [--profile [--top N]]\n"
               "                    [--memory]\n"
               "                    [--threads N] [--json FILE]\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  Bench bench;
  Options& o = bench.opt;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    const bool has_value = i + 1 < argc;
    if (a == "--models" && has_value) {
      o.models = split(argv[++i]);
    } else if (a == "--batches" && has_value) {
      o.batches.clear();
      for (const std::string& b : split(argv[++i])) o.batches.push_back(std::stoi(b));
    } else if (a == "--no-train") {
      o.train = false;
    } else if (a == "--quick") {
      o.quick = true;
    } else if (a == "--profile") {
      o.profile = true;
    } else if (a == "--memory") {
      o.memory = true;
    } else if (a == "--top" && has_value) {
      o.profile_top = std::stoi(argv[++i]);
    } else if (a == "--seconds" && has_value) {
      o.seconds = std::stod(argv[++i]);
    } else if (a == "--threads" && has_value) {
      omp_set_num_threads(std::stoi(argv[++i]));
    } else if (a == "--json" && has_value) {
      o.json = argv[++i];
    } else {
      return usage();
    }
  }
  if (o.batches.empty()) return usage();
  if (!o.json.empty()) {
    bench.json = std::fopen(o.json.c_str(), "w");
    if (!bench.json) {
      std::perror(o.json.c_str());
      return 1;
    }
  }
  const int threads = omp_get_max_threads();
  bench.peak1 = modelc_bench::fma_peak_gflops(1);
  bench.peak2 = modelc_bench::fma_peak_gflops(threads);
  std::printf("FMA peak (%s): %.0f GFLOP/s on 1 thread, %.0f on %d threads\n",
              modelc_bench::fma_peak_isa(), bench.peak1, bench.peak2, threads);
  if (bench.json)
    std::fprintf(bench.json,
                 "{\"fma_peak_gflops_1t\": %.1f, \"fma_peak_gflops\": %.1f, "
                 "\"threads\": %d}\n",
                 bench.peak1, bench.peak2, threads);
  std::printf("%-10s %-8s %5s %10s %10s %9s %9s %7s %5s\n", "model", "what", "batch", "median ms",
              "min ms", "images/s", "GFLOP/s", "% peak", "runs");
  for (const std::string& m : o.models) {
    if (m == "alexnet") {
      bench.run<modelc::gen::AlexNet>(m);
    } else if (m == "vgg16") {
      bench.run<modelc::gen::VGG16>(m);
    } else if (m == "googlenet") {
      bench.run<modelc::gen::GoogLeNet>(m);
    } else if (m == "resnet50") {
      bench.run<modelc::gen::ResNet50>(m);
    } else {
      std::fprintf(stderr, "unknown model '%s'\n", m.c_str());
      return usage();
    }
  }
  if (bench.json) std::fclose(bench.json);
  std::printf(
      "(median over repeated runs after one warm-up; train = loss_and_grad + SGD at batch "
      "8, GFLOP/s counted as 3 x forward MACs)\n");
}
