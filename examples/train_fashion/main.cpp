// Trains the generated FashionCNN (specs/fashion_cnn.yaml) on Fashion-MNIST and
// classifies test images with the saved weights.
//   train_fashion [--epochs N] [--batch N] [--lr X] [--seed N] ... --out DIR
//   train_fashion classify [--weights FILE] [--count N] [--data DIR]
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <string>
#include <type_traits>
#include <vector>

#include "curve.hpp"
#include "fashion_cnn.hpp"
#include "fashion_data.hpp"
#include "trainer.hpp"

namespace {

using Net = modelc::gen::FashionCNN;
using Clock = std::chrono::steady_clock;

constexpr const char* kUsage = R"(usage:
  train_fashion [options]            train, evaluate after each epoch, save weights and curve
  train_fashion classify [options]   classify test images with saved weights

training options:
  --epochs N        epochs (6)
  --batch N         mini-batch size (64)
  --lr X            peak learning rate (0.002 for Adam, 0.05 for SGD)
  --optimizer NAME  adam (default) or sgd (momentum 0.9)
  --warmup X        epochs of linear warm-up before the cosine decay (0.5)
  --weight-decay X  AdamW decay, or L2 for SGD (0)
  --flip            random horizontal flips of the training images (off)
  --seed N          shuffles, flips, initial weights and dropout (1)
  --train-limit N   train on the first N training images only
  --test-limit N    evaluate on the first N test images only
  --threads N       threads, 0 = every core (0); the same seed and thread count
                    give the same run
  --data DIR        the IDX files (/usr/share/datasets/fashion-mnist)
  --out DIR         writes fashion_cnn.safetensors, curve.csv, curve.svg (fashion_out)

classify options:
  --weights FILE    (fashion_out/fashion_cnn.safetensors)
  --count N         print the predictions for the first N test images (10)
  --data DIR, --threads N, --test-limit N as above
)";

struct Args {
  bool classify = false;
  fashion::TrainOptions train;
  bool lr_given = false;
  int64_t train_limit = 0, test_limit = 0;
  int threads = 0;
  int count = 10;
  std::string data = fashion::kDefaultDataDir;
  std::string out = "fashion_out";
  std::string weights;
};

[[noreturn]] void usage_error(const std::string& what) {
  std::fprintf(stderr, "train_fashion: %s\n\n%s", what.c_str(), kUsage);
  std::exit(2);
}

template <class T>
T number(const std::string& flag, const std::string& text, double lo, double hi) {
  char* end = nullptr;
  errno = 0;
  const double v = std::strtod(text.c_str(), &end);
  if (text.empty() || *end != '\0' || errno != 0 || !(v >= lo && v <= hi)) {
    char range[64];
    std::snprintf(range, sizeof range, "%g..%g", lo, hi);
    usage_error(flag + " wants a number in " + range + ", got '" + text + "'");
  }
  if constexpr (std::is_integral_v<T>) {
    if (v != static_cast<double>(static_cast<int64_t>(v)))
      usage_error(flag + " wants an integer, got '" + text + "'");
  }
  return static_cast<T>(v);
}

Args parse(int argc, char** argv) {
  Args a;
  int i = 1;
  if (i < argc && std::string(argv[i]) == "classify") {
    a.classify = true;
    ++i;
  }
  for (; i < argc; ++i) {
    const std::string flag = argv[i];
    if (flag == "-h" || flag == "--help") {
      std::fputs(kUsage, stdout);
      std::exit(0);
    }
    if (flag == "--flip") {
      a.train.flip = true;
      continue;
    }
    if (i + 1 >= argc) usage_error(flag + ": unknown option or missing value");
    const std::string v = argv[++i];
    auto& t = a.train;
    if (flag == "--epochs")
      t.epochs = number<int>(flag, v, 1, 1000);
    else if (flag == "--batch")
      t.batch = number<int>(flag, v, 1, 4096);
    else if (flag == "--lr")
      t.lr = number<float>(flag, v, 0, 10), a.lr_given = true;
    else if (flag == "--warmup")
      t.warmup_epochs = number<float>(flag, v, 0, 1000);
    else if (flag == "--weight-decay")
      t.weight_decay = number<float>(flag, v, 0, 1);
    else if (flag == "--seed")
      t.seed = number<uint64_t>(flag, v, 0, 1e15);
    else if (flag == "--train-limit")
      a.train_limit = number<int64_t>(flag, v, 1, 1e9);
    else if (flag == "--test-limit")
      a.test_limit = number<int64_t>(flag, v, 1, 1e9);
    else if (flag == "--threads")
      a.threads = number<int>(flag, v, 0, 1024);
    else if (flag == "--count")
      a.count = number<int>(flag, v, 0, 1e9);
    else if (flag == "--data")
      a.data = v;
    else if (flag == "--out")
      a.out = v;
    else if (flag == "--weights")
      a.weights = v;
    else if (flag == "--optimizer") {
      if (v != "adam" && v != "sgd") usage_error("--optimizer wants adam or sgd, got '" + v + "'");
      t.sgd = v == "sgd";
    } else {
      usage_error("unknown option '" + flag + "'");
    }
  }
  if (a.train.sgd && !a.lr_given) a.train.lr = 0.05f;
  if (a.weights.empty()) a.weights = a.out + "/fashion_cnn.safetensors";
  return a;
}

std::string clock_text(double seconds) {
  const auto s = static_cast<long>(seconds + 0.5);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%ld:%02ld", s / 60, s % 60);
  return buf;
}

// The progress bar (a terminal) or nothing (plain output: one line per epoch).
class ProgressBar {
 public:
  ProgressBar(int epochs, bool tty) : epochs_(epochs), tty_(tty) {}
  void update(int epoch, int64_t done, int64_t total, double loss, double accuracy) {
    if (!tty_) return;
    const auto now = Clock::now();
    if (epoch != epoch_) {  // the rate counts from the end of the first batch
      epoch_ = epoch, start_ = now, first_done_ = done, last_ = now - std::chrono::seconds(1);
      if (done < total) return;
    }
    if (done < total && now - last_ < std::chrono::milliseconds(100)) return;
    last_ = now;
    const double seconds = std::chrono::duration<double>(now - start_).count();
    const double rate = seconds > 0 ? static_cast<double>(done - first_done_) / seconds : 0;
    constexpr int kWidth = 24;
    const auto filled = static_cast<int>(kWidth * done / total);
    std::string bar(static_cast<size_t>(filled), '#');
    bar.resize(kWidth, '.');
    std::printf("\repoch %*d/%d [%s] %3d%% %6lld/%lld %5.0f img/s  loss %.4f  acc %6.2f%%  ETA %s ",
                width(), epoch, epochs_, bar.c_str(), static_cast<int>(100 * done / total),
                static_cast<long long>(done), static_cast<long long>(total), rate, loss,
                100 * accuracy,
                clock_text(rate > 0 ? static_cast<double>(total - done) / rate : 0).c_str());
    std::fflush(stdout);
  }
  // Clears the bar before an epoch's summary line.
  void clear() {
    if (tty_) std::printf("\r\033[K");
  }
  int width() const { return static_cast<int>(std::to_string(epochs_).size()); }

 private:
  int epochs_;
  bool tty_;
  int epoch_ = 0;
  int64_t first_done_ = 0;
  Clock::time_point start_, last_;
};

int run_training(const Args& a) {
  const auto t_start = Clock::now();
  std::filesystem::create_directories(a.out);
  const fashion::Dataset data = fashion::load_dataset(a.data, a.train_limit, a.test_limit);
  const double load_seconds = std::chrono::duration<double>(Clock::now() - t_start).count();

  const auto& o = a.train;
  Net net(std::max(o.batch, 1), {.threads = a.threads, .seed = o.seed});
  net.init_weights(o.seed);
  int64_t weights = 0;
  for (const auto& p : net.params())
    if (p.trainable) weights += static_cast<int64_t>(p.value.size());
  std::printf(
      "FashionCNN: %lld trainable weights; %lld training and %lld test images (read in %.1f s)\n",
      static_cast<long long>(weights), static_cast<long long>(data.train.count()),
      static_cast<long long>(data.test.count()), load_seconds);
  std::printf(
      "%s, peak lr %g, batch %d, %d epochs, warm-up %g epochs then cosine decay, "
      "flips %s, seed %llu, threads %d\n",
      o.sgd ? "SGD (momentum 0.9)" : "Adam", static_cast<double>(o.lr), o.batch, o.epochs,
      static_cast<double>(o.warmup_epochs), o.flip ? "on" : "off",
      static_cast<unsigned long long>(o.seed), a.threads);
  std::fflush(stdout);

  const std::string csv = a.out + "/curve.csv", svg = a.out + "/curve.svg";
  const std::string weights_path = a.out + "/fashion_cnn.safetensors";
  ProgressBar bar(o.epochs, isatty(fileno(stdout)) != 0);
  const auto rows = fashion::train(
      net, data, o,
      [&](int epoch, int64_t done, int64_t total, double loss, double acc) {
        bar.update(epoch, done, total, loss, acc);
      },
      [&](const std::vector<fashion::EpochRow>& r) {
        const fashion::EpochRow& e = r.back();
        bar.clear();
        std::printf("epoch %*d/%d  loss %.4f  train %6.2f%%  test %6.2f%%  %5.0f img/s  %s\n",
                    bar.width(), e.epoch, o.epochs, e.train_loss, 100 * e.train_accuracy,
                    100 * e.test_accuracy, e.images_per_second, clock_text(e.seconds).c_str());
        std::fflush(stdout);
        fashion::write_csv(csv, r);
        char title[160];
        std::snprintf(title, sizeof title,
                      "FashionCNN on Fashion-MNIST: test accuracy %.2f%% after %d epochs (%s)",
                      100 * e.test_accuracy, e.epoch, clock_text(e.seconds).c_str());
        fashion::write_svg(svg, r, title);
      });
  net.save_weights(weights_path);

  const double train_seconds = rows.back().seconds;
  const double total = std::chrono::duration<double>(Clock::now() - t_start).count();
  std::printf(
      "final test accuracy %.2f%%; training %.1f s (%.0f img/s overall, test passes "
      "included), %.1f s in all\n",
      100 * rows.back().test_accuracy, train_seconds,
      static_cast<double>(data.train.count()) * o.epochs / train_seconds, total);
  std::printf("wrote %s, %s, %s\n", weights_path.c_str(), csv.c_str(), svg.c_str());
  return 0;
}

int run_classify(const Args& a) {
  const fashion::Dataset data = fashion::load_dataset(a.data, 1, a.test_limit);
  Net net(256, {.threads = a.threads, .training = false});
  net.load_weights(a.weights);
  std::vector<int32_t> predicted;
  const double accuracy = fashion::evaluate(net, data.test, &predicted);
  const int shown = static_cast<int>(std::min<int64_t>(a.count, data.test.count()));
  for (int i = 0; i < shown; ++i) {
    const auto p = static_cast<size_t>(predicted[static_cast<size_t>(i)]);
    const auto t = static_cast<size_t>(data.test.labels[static_cast<size_t>(i)]);
    const std::string wrong = "  (wrong: it is " + std::string(fashion::kClassNames[t]) + ")";
    std::printf("test image %5d: %s%s\n", i, std::string(fashion::kClassNames[p]).c_str(),
                p == t ? "" : wrong.c_str());
  }
  std::printf("test accuracy %.2f%% (%lld images, weights %s)\n", 100 * accuracy,
              static_cast<long long>(data.test.count()), a.weights.c_str());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const Args a = parse(argc, argv);
  try {
    return a.classify ? run_classify(a) : run_training(a);
  } catch (const std::exception& e) {
    std::fflush(stdout);
    std::fprintf(stderr, "train_fashion: error: %s\n", e.what());
    return 1;
  }
}
