// Trains the generated FashionAutoencoder (specs/fashion_autoencoder.yaml) on
// Fashion-MNIST from scratch: the image is both the input and the mse target.
// Prints the train loss and the test reconstruction MSE after each epoch next
// to the error of predicting the training set's mean image, and writes the
// weights, the curve and a picture of test images and their reconstructions.
//   train_autoencoder [--epochs N] [--batch N] [--limit N] [--threads N] --out DIR
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

#include "autoencoder.hpp"
#include "fashion_autoencoder.hpp"
#include "fashion_data.hpp"
#include "trainer.hpp"

namespace {

using Net = modelc::gen::FashionAutoencoder;
using Clock = std::chrono::steady_clock;

constexpr const char* kUsage = R"(usage: train_autoencoder [options]
Trains the convolutional autoencoder of specs/fashion_autoencoder.yaml on
Fashion-MNIST (each image is its own mse target), evaluates the test
reconstruction error after each epoch, and saves the weights, the curve and a
picture of test images (top row) and their reconstructions (bottom row).

options:
  --epochs N        epochs (3)
  --batch N         mini-batch size (32)
  --lr X            peak learning rate (0.003 for Adam, 0.05 for SGD)
  --optimizer NAME  adam (default) or sgd (momentum 0.9)
  --warmup X        epochs of linear warm-up before the cosine decay (0.2)
  --flip            random horizontal flips of the training images (off)
  --seed N          shuffles, flips and initial weights (1)
  --limit N         train on the first N training images only (all 60,000)
  --test-limit N    evaluate on the first N test images only (all 10,000)
  --threads N       threads, 0 = every core (1); the same seed and thread count
                    give the same run
  --data DIR        the IDX files (/usr/share/datasets/fashion-mnist)
  --out DIR         writes fashion_autoencoder.safetensors, curve.csv,
                    reconstructions.png and reconstructions.pgm (autoencoder_out)
)";

struct Args {
  fashion::TrainOptions train;
  bool lr_given = false;
  int64_t train_limit = 0, test_limit = 0;
  int threads = 1;
  std::string data = fashion::kDefaultDataDir;
  std::string out = "autoencoder_out";
};

[[noreturn]] void usage_error(const std::string& what) {
  std::fprintf(stderr, "train_autoencoder: %s\n\n%s", what.c_str(), kUsage);
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
  auto& t = a.train;
  t.epochs = 3;
  t.batch = 32;
  t.lr = 3e-3f;
  t.warmup_epochs = 0.2f;
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    if (flag == "-h" || flag == "--help") {
      std::fputs(kUsage, stdout);
      std::exit(0);
    }
    if (flag == "--flip") {
      t.flip = true;
      continue;
    }
    if (flag.rfind("--", 0) != 0) usage_error("unexpected argument '" + flag + "'");
    if (i + 1 >= argc) usage_error(flag + ": unknown option or missing value");
    const std::string v = argv[++i];
    if (flag == "--epochs")
      t.epochs = number<int>(flag, v, 1, 1000);
    else if (flag == "--batch")
      t.batch = number<int>(flag, v, 1, 4096);
    else if (flag == "--lr")
      t.lr = number<float>(flag, v, 0, 10), a.lr_given = true;
    else if (flag == "--warmup")
      t.warmup_epochs = number<float>(flag, v, 0, 1000);
    else if (flag == "--seed")
      t.seed = number<uint64_t>(flag, v, 0, 1e15);
    else if (flag == "--limit")
      a.train_limit = number<int64_t>(flag, v, 1, 1e9);
    else if (flag == "--test-limit")
      a.test_limit = number<int64_t>(flag, v, 1, 1e9);
    else if (flag == "--threads")
      a.threads = number<int>(flag, v, 0, 1024);
    else if (flag == "--data")
      a.data = v;
    else if (flag == "--out")
      a.out = v;
    else if (flag == "--optimizer") {
      if (v != "adam" && v != "sgd") usage_error("--optimizer wants adam or sgd, got '" + v + "'");
      t.sgd = v == "sgd";
    } else {
      usage_error("unknown option '" + flag + "'");
    }
  }
  if (t.sgd && !a.lr_given) t.lr = 0.05f;
  return a;
}

std::string clock_text(double seconds) {
  const auto s = static_cast<long>(seconds + 0.5);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%ld:%02ld", s / 60, s % 60);
  return buf;
}

// A progress line rewritten in place on a terminal; nothing when piped.
class ProgressBar {
 public:
  ProgressBar(int epochs, bool tty) : epochs_(epochs), tty_(tty) {}
  void update(int epoch, int64_t done, int64_t total, double loss) {
    if (!tty_) return;
    const auto now = Clock::now();
    if (epoch != epoch_) epoch_ = epoch, start_ = now, last_ = now - std::chrono::seconds(1);
    if (done < total && now - last_ < std::chrono::milliseconds(100)) return;
    last_ = now;
    const double seconds = std::chrono::duration<double>(now - start_).count();
    const double rate = seconds > 0 ? static_cast<double>(done) / seconds : 0;
    constexpr int kWidth = 24;
    const auto filled = static_cast<int>(kWidth * done / total);
    std::string bar(static_cast<size_t>(filled), '#');
    bar.resize(kWidth, '.');
    std::printf("\repoch %*d/%d [%s] %3d%% %6lld/%lld %5.0f img/s  loss %.5f  ETA %s ", width(),
                epoch, epochs_, bar.c_str(), static_cast<int>(100 * done / total),
                static_cast<long long>(done), static_cast<long long>(total), rate, loss,
                clock_text(rate > 0 ? static_cast<double>(total - done) / rate : 0).c_str());
    std::fflush(stdout);
  }
  void clear() {
    if (tty_) std::printf("\r\033[K");
  }
  int width() const { return static_cast<int>(std::to_string(epochs_).size()); }

 private:
  int epochs_;
  bool tty_;
  int epoch_ = 0;
  Clock::time_point start_, last_;
};

// The first test image of each class (in class order), then the next ones,
// up to `count` indices.
std::vector<int64_t> picture_indices(const fashion::Split& test, int count) {
  std::vector<int64_t> picked;
  for (int c = 0; c < fashion::kClasses; ++c)
    for (int64_t i = 0; i < test.count(); ++i)
      if (test.labels[static_cast<size_t>(i)] == c) {
        picked.push_back(i);
        break;
      }
  for (int64_t i = 0; i < test.count() && static_cast<int>(picked.size()) < count; ++i)
    if (std::find(picked.begin(), picked.end(), i) == picked.end()) picked.push_back(i);
  if (static_cast<int>(picked.size()) > count) picked.resize(static_cast<size_t>(count));
  return picked;
}

std::vector<float> gather(const std::vector<float>& images, const std::vector<int64_t>& indices) {
  std::vector<float> out;
  for (int64_t i : indices)
    out.insert(out.end(), images.begin() + i * fashion::kPixels,
               images.begin() + (i + 1) * fashion::kPixels);
  return out;
}

int run(const Args& a) {
  const auto t_start = Clock::now();
  const fashion::Dataset data = fashion::load_dataset(a.data, a.train_limit, a.test_limit);
  std::filesystem::create_directories(a.out);
  const double load_seconds = std::chrono::duration<double>(Clock::now() - t_start).count();

  const std::vector<float> test_pixels = autoencoder::pixels(data.test, data);
  const double baseline =
      autoencoder::mse_against_image(test_pixels, autoencoder::mean_image(data.train, data));

  const auto& o = a.train;
  Net net(std::max(o.batch, 1), {.threads = a.threads, .seed = o.seed});
  net.init_weights(o.seed);
  int64_t weights = 0;
  for (const auto& p : net.params())
    if (p.trainable) weights += static_cast<int64_t>(p.value.size());
  std::printf(
      "FashionAutoencoder: %lld trainable weights; %lld training and %lld test images (read in "
      "%.1f s)\n",
      static_cast<long long>(weights), static_cast<long long>(data.train.count()),
      static_cast<long long>(data.test.count()), load_seconds);
  std::printf(
      "%s, peak lr %g, batch %d, %d epochs, warm-up %g epochs then cosine decay, flips %s, "
      "seed %llu, threads %d\n",
      o.sgd ? "SGD (momentum 0.9)" : "Adam", static_cast<double>(o.lr), o.batch, o.epochs,
      static_cast<double>(o.warmup_epochs), o.flip ? "on" : "off",
      static_cast<unsigned long long>(o.seed), a.threads);
  std::printf(
      "mean-image baseline: test MSE %.5f (every test image predicted as the training mean)\n",
      baseline);
  std::fflush(stdout);

  const std::string csv = a.out + "/curve.csv";
  const std::string weights_path = a.out + "/fashion_autoencoder.safetensors";
  const std::string png = a.out + "/reconstructions.png", pgm = a.out + "/reconstructions.pgm";
  ProgressBar bar(o.epochs, isatty(fileno(stdout)) != 0);
  const auto rows = autoencoder::train(
      net, data, o,
      [&](int epoch, int64_t done, int64_t total, double loss) {
        bar.update(epoch, done, total, loss);
      },
      [&](const std::vector<autoencoder::EpochRow>& r) {
        const autoencoder::EpochRow& e = r.back();
        bar.clear();
        std::printf(
            "epoch %*d/%d  train loss %.5f  test MSE %.5f (%.1f%% of the baseline)  %5.0f img/s  "
            "%s\n",
            bar.width(), e.epoch, o.epochs, e.train_loss, e.test_mse, 100 * e.test_mse / baseline,
            e.images_per_second, clock_text(e.seconds).c_str());
        std::fflush(stdout);
        autoencoder::write_csv(csv, r);
      });
  net.save_weights(weights_path);

  std::vector<float> reconstructions;
  const double test_mse =
      autoencoder::reconstruction_mse(net, data.test, test_pixels, &reconstructions);
  const std::vector<int64_t> shown = picture_indices(data.test, 10);
  const autoencoder::GreyImage grid = autoencoder::comparison_grid(
      gather(test_pixels, shown), gather(reconstructions, shown), static_cast<int>(shown.size()));
  autoencoder::write_png(png, grid);
  autoencoder::write_pgm(pgm, grid);

  const double train_seconds = rows.back().seconds;
  const double total = std::chrono::duration<double>(Clock::now() - t_start).count();
  std::printf(
      "final test MSE %.5f against %.5f for the mean image (%.1f%%); training %.1f s (%.0f img/s "
      "overall, test passes included), %.1f s in all\n",
      test_mse, baseline, 100 * test_mse / baseline, train_seconds,
      static_cast<double>(data.train.count()) * o.epochs / train_seconds, total);
  std::printf("wrote %s, %s, %s, %s\n", weights_path.c_str(), csv.c_str(), png.c_str(),
              pgm.c_str());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const Args a = parse(argc, argv);
  try {
    return run(a);
  } catch (const std::exception& e) {
    std::fflush(stdout);
    std::fprintf(stderr, "train_autoencoder: error: %s\n", e.what());
    return 1;
  }
}
