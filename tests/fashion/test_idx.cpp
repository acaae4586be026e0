// The IDX reader and the data-set loader on crafted files: every way a file
// can be wrong gives an error that names the file and says what is wrong.
#include <doctest/doctest.h>
#include <zlib.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "fashion_data.hpp"
#include "idx.hpp"

namespace fs = std::filesystem;
using Bytes = std::vector<unsigned char>;

namespace {

// A fresh scratch directory per test case.
fs::path scratch(const std::string& name) {
  const fs::path dir = fs::temp_directory_path() / ("modelc_fashion_test_" + name);
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

Bytes idx(uint32_t magic, const std::vector<uint32_t>& dims, size_t body, unsigned char fill = 7) {
  Bytes b;
  auto be32 = [&](uint32_t v) {
    for (int s = 24; s >= 0; s -= 8) b.push_back(static_cast<unsigned char>(v >> s));
  };
  be32(magic);
  for (uint32_t d : dims) be32(d);
  for (size_t i = 0; i < body; ++i) b.push_back(static_cast<unsigned char>(fill + i % 3));
  return b;
}

void write_plain(const fs::path& p, const Bytes& b) {
  std::ofstream(p, std::ios::binary)
      .write(reinterpret_cast<const char*>(b.data()), static_cast<std::streamsize>(b.size()));
}

Bytes gzip(const Bytes& b) {
  const fs::path tmp = fs::temp_directory_path() / "modelc_fashion_test_gzip.gz";
  gzFile f = gzopen(tmp.c_str(), "wb");
  REQUIRE(f);
  gzwrite(f, b.data(), static_cast<unsigned>(b.size()));
  gzclose(f);
  std::ifstream in(tmp, std::ios::binary);
  Bytes out((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  fs::remove(tmp);
  return out;
}

std::string error_of(const fs::path& p, const std::vector<int64_t>& dims) {
  try {
    fashion::read_idx(p.string(), dims);
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "no error";
}

}  // namespace

TEST_CASE("read_idx reads gzipped and plain files") {
  const fs::path dir = scratch("good");
  const Bytes images = idx(0x803, {2, 3, 4}, 24);
  write_plain(dir / "a.gz", gzip(images));
  write_plain(dir / "a", images);
  for (const char* name : {"a.gz", "a"}) {
    const fashion::IdxArray a = fashion::read_idx((dir / name).string(), {-1, 3, 4});
    CHECK(a.dims == std::vector<int64_t>{2, 3, 4});
    REQUIRE(a.data.size() == 24);
    CHECK(a.data[0] == 7);
    CHECK(a.data[23] == 9);
  }
}

TEST_CASE("read_idx errors name the file and say what is wrong") {
  const fs::path dir = scratch("bad");
  const fs::path p = dir / "x.gz";
  const std::string name = p.string();

  SUBCASE("missing") {
    CHECK(error_of(p, {-1}) == name + ": cannot open (No such file or directory)");
  }
  SUBCASE("empty") {
    write_plain(p, {});
    CHECK(error_of(p, {-1}) == name + ": truncated: shorter than the 4-byte IDX header");
  }
  SUBCASE("wrong magic: a labels file where images are expected") {
    write_plain(p, gzip(idx(0x801, {5}, 5)));
    CHECK(error_of(p, {-1, 28, 28}) ==
          name +
              ": wrong magic number 0x00000801, expected 0x00000803 (unsigned bytes, 3 "
              "dimensions): not the IDX file expected here");
  }
  SUBCASE("wrong magic: not an IDX file at all") {
    write_plain(p, gzip(Bytes{'h', 'e', 'l', 'l', 'o', '\n'}));
    CHECK(error_of(p, {-1}).find(name + ": wrong magic number 0x68656C6C") == 0);
  }
  SUBCASE("wrong dimensions") {
    write_plain(p, gzip(idx(0x803, {2, 28, 27}, 2 * 28 * 27)));
    CHECK(error_of(p, {-1, 28, 28}) == name + ": dimensions [2, 28, 27], expected [any, 28, 28]");
  }
  SUBCASE("header cut short") {
    Bytes b = idx(0x803, {2, 28, 28}, 0);
    b.resize(10);
    write_plain(p, gzip(b));
    CHECK(error_of(p, {-1, 28, 28}) == name + ": truncated in the header (3 dimensions expected)");
  }
  SUBCASE("body cut short") {
    write_plain(p, gzip(idx(0x803, {3, 2, 2}, 7)));
    CHECK(error_of(p, {-1, 2, 2}) ==
          name + ": truncated: 7 of 12 data bytes for dimensions [3, 2, 2]");
  }
  SUBCASE("trailing bytes") {
    write_plain(p, gzip(idx(0x801, {4}, 5)));
    CHECK(error_of(p, {-1}) == name + ": trailing bytes after the 4 data bytes of dimensions [4]");
  }
  SUBCASE("absurd dimensions are refused before allocating") {
    write_plain(p, gzip(idx(0x803, {60000, 60000, 60000}, 0)));
    CHECK(error_of(p, {-1, -1, -1}).find(name + ": dimensions [60000, 60000") == 0);
  }
  SUBCASE("gzip stream cut off") {
    Bytes z = gzip(idx(0x803, {20, 28, 28}, 20 * 28 * 28));
    z.resize(z.size() / 2);
    write_plain(p, z);
    CHECK(error_of(p, {-1, 28, 28}) == name + ": truncated gzip stream (unexpected end of file)");
  }
  SUBCASE("gzip trailer missing") {
    Bytes z = gzip(idx(0x801, {4}, 4));
    z.resize(z.size() - 8);  // the CRC and length
    write_plain(p, z);
    CHECK(error_of(p, {-1}) == name + ": truncated gzip stream (unexpected end of file)");
  }
  SUBCASE("corrupt gzip: bad CRC") {
    Bytes z = gzip(idx(0x801, {4}, 4));
    z[z.size() - 8] ^= 0xFF;
    write_plain(p, z);
    CHECK(error_of(p, {-1}) == name + ": corrupt gzip data (incorrect data check)");
  }
  SUBCASE("corrupt gzip: garbage after the gzip header") {
    Bytes z = gzip(idx(0x803, {20, 28, 28}, 20 * 28 * 28));
    for (size_t i = 10; i < z.size(); ++i) z[i] = 0xFF;
    write_plain(p, z);
    CHECK(error_of(p, {-1, 28, 28}).find(name + ": corrupt gzip data (") == 0);
  }
}

TEST_CASE("load_dataset checks the files against each other") {
  const fs::path dir = scratch("set");
  auto write_set = [&](uint32_t train_labels, unsigned char label_fill) {
    write_plain(dir / "train-images-idx3-ubyte.gz", gzip(idx(0x803, {3, 28, 28}, 3 * 784)));
    write_plain(dir / "train-labels-idx1-ubyte.gz",
                gzip(idx(0x801, {train_labels}, train_labels, label_fill)));
    write_plain(dir / "t10k-images-idx3-ubyte", idx(0x803, {2, 28, 28}, 2 * 784));  // plain
    write_plain(dir / "t10k-labels-idx1-ubyte.gz", gzip(idx(0x801, {2}, 2)));
  };
  auto error = [&] {
    try {
      fashion::load_dataset(dir.string());
    } catch (const std::runtime_error& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };

  SUBCASE("a good set, one file uncompressed") {
    write_set(3, 1);
    const fashion::Dataset d = fashion::load_dataset(dir.string(), 2);
    CHECK(d.train.count() == 2);
    CHECK(d.test.count() == 2);
    CHECK(d.test.labels == std::vector<int32_t>{7, 8});
    CHECK(d.mean == doctest::Approx(8.0 / 255));
  }
  SUBCASE("images and labels disagree") {
    write_set(4, 1);
    CHECK(error() == (dir / "train-images-idx3-ubyte.gz").string() + " has 3 images, but " +
                         (dir / "train-labels-idx1-ubyte.gz").string() + " has 4 labels");
  }
  SUBCASE("label out of range") {
    write_set(3, 9);  // labels 9, 10, 11
    CHECK(error() ==
          (dir / "train-labels-idx1-ubyte.gz").string() + ": label 10 of image 1 is outside 0..9");
  }
  SUBCASE("a missing file") {
    write_set(3, 1);
    fs::remove(dir / "t10k-labels-idx1-ubyte.gz");
    CHECK(error() == (dir / "t10k-labels-idx1-ubyte.gz").string() +
                         ": cannot open (No such file or directory)");
  }
}
