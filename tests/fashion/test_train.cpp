// Training on the real data set (Debian's dataset-fashion-mnist, installed by
// scripts/deps.sh; without it these fail, naming the missing file): a short
// run must learn, and the same seed and thread count must give the same run.
#include <doctest/doctest.h>

#include <cstdio>
#include <vector>

#include "fashion_cnn.hpp"
#include "fashion_data.hpp"
#include "trainer.hpp"

namespace {

using Net = modelc::gen::FashionCNN;

const fashion::Dataset& data() {
  static const fashion::Dataset d = fashion::load_dataset(fashion::kDefaultDataDir);
  return d;
}

fashion::Dataset subset(int64_t train, int64_t test) {
  fashion::Dataset d;
  d.mean = data().mean;
  d.stddev = data().stddev;
  d.train.images.assign(data().train.images.begin(),
                        data().train.images.begin() + train * fashion::kPixels);
  d.train.labels.assign(data().train.labels.begin(), data().train.labels.begin() + train);
  d.test.images.assign(data().test.images.begin(),
                       data().test.images.begin() + test * fashion::kPixels);
  d.test.labels.assign(data().test.labels.begin(), data().test.labels.begin() + test);
  return d;
}

struct Run {
  std::vector<fashion::EpochRow> rows;
  std::vector<float> weights;
};

Run train(const fashion::Dataset& d, const fashion::TrainOptions& o, int threads) {
  Net net(o.batch, {.threads = threads, .seed = o.seed});
  net.init_weights(o.seed);
  Run r;
  r.rows = fashion::train(net, d, o);
  for (const auto& p : net.params())
    r.weights.insert(r.weights.end(), p.value.begin(), p.value.end());
  return r;
}

}  // namespace

TEST_CASE("the data set is there and normalised") {
  REQUIRE(data().train.count() == 60000);
  REQUIRE(data().test.count() == 10000);
  double sum = 0;
  for (float v : data().train.images) sum += v;
  CHECK(sum / static_cast<double>(data().train.images.size()) == doctest::Approx(0).epsilon(1e-4));
  CHECK(data().mean == doctest::Approx(0.286).epsilon(0.01));
}

TEST_CASE("one epoch on 6,000 images clears 75% test accuracy") {
  const fashion::Dataset d = subset(6000, 10000);
  fashion::TrainOptions o;
  o.epochs = 1;
  o.batch = 64;
  o.warmup_epochs = 0.1f;
  const Run r = train(d, o, 1);
  REQUIRE(r.rows.size() == 1);
  MESSAGE("1 epoch on 6,000 images: train loss ", r.rows[0].train_loss, ", test accuracy ",
          r.rows[0].test_accuracy, ", ", r.rows[0].images_per_second, " img/s");
  CHECK(r.rows[0].test_accuracy >= 0.75);
  CHECK(r.rows[0].train_loss < 1.0);
}

TEST_CASE("the same seed and thread count give the same curve and weights") {
  const fashion::Dataset d = subset(320, 200);
  fashion::TrainOptions o;
  o.epochs = 2;
  o.batch = 64;
  o.seed = 5;
  o.flip = true;  // the flips' random draws too
  const Run a = train(d, o, 2), b = train(d, o, 2);
  REQUIRE(a.rows.size() == 2);
  REQUIRE(b.rows.size() == 2);
  for (size_t e = 0; e < 2; ++e) {
    CAPTURE(e);
    CHECK(a.rows[e].train_loss == b.rows[e].train_loss);
    CHECK(a.rows[e].train_accuracy == b.rows[e].train_accuracy);
    CHECK(a.rows[e].test_accuracy == b.rows[e].test_accuracy);
  }
  CHECK(a.weights == b.weights);

  o.seed = 6;
  const Run c = train(d, o, 2);
  CHECK(c.rows[0].train_loss != a.rows[0].train_loss);
  CHECK(c.weights != a.weights);
}
