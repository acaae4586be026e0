#include "idx.hpp"

#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <stdexcept>

namespace fashion {
namespace {

// Anything larger is not an IDX file this program wants (Fashion-MNIST's
// training images are 47 MB).
constexpr int64_t kMaxBytes = int64_t{1} << 30;

struct GzCloser {
  void operator()(gzFile f) const { gzclose(f); }
};
using GzPtr = std::unique_ptr<gzFile_s, GzCloser>;

std::string shape_text(const std::vector<int64_t>& dims) {
  std::string s = "[";
  for (size_t i = 0; i < dims.size(); ++i) {
    if (i) s += ", ";
    s += dims[i] < 0 ? std::string("any") : std::to_string(dims[i]);
  }
  return s + "]";
}

// gzread of exactly n bytes (zlib reads plain files transparently). Returns the
// bytes read; throws on a stream error (corrupt data, bad CRC, cut-off stream).
int64_t read_bytes(gzFile f, const std::string& path, void* out, int64_t n) {
  auto* p = static_cast<unsigned char*>(out);
  int64_t done = 0;
  while (done < n) {
    const auto chunk = static_cast<unsigned>(std::min<int64_t>(n - done, 1 << 30));
    const int got = gzread(f, p + done, chunk);
    if (got <= 0) {
      int err = Z_OK;
      std::string msg = gzerror(f, &err);  // "<path>: <what>"
      if (msg.starts_with(path + ": ")) msg.erase(0, path.size() + 2);
      if (err == Z_BUF_ERROR)
        throw std::runtime_error(path + ": truncated gzip stream (" + msg + ")");
      if (got < 0 || (err != Z_OK && err != Z_STREAM_END))
        throw std::runtime_error(path + ": corrupt gzip data (" + msg + ")");
      break;
    }
    done += got;
  }
  return done;
}

}  // namespace

IdxArray read_idx(const std::string& path, const std::vector<int64_t>& dims) {
  errno = 0;
  GzPtr f(gzopen(path.c_str(), "rb"));
  if (!f)
    throw std::runtime_error(path + ": cannot open (" +
                             (errno ? std::strerror(errno) : "out of memory") + ")");

  unsigned char head[4];
  if (read_bytes(f.get(), path, head, 4) < 4)
    throw std::runtime_error(path + ": truncated: shorter than the 4-byte IDX header");
  const auto rank = static_cast<int64_t>(dims.size());
  const uint32_t magic =
      (uint32_t{head[0]} << 24) | (uint32_t{head[1]} << 16) | (uint32_t{head[2]} << 8) | head[3];
  const uint32_t want_magic = 0x0800u | static_cast<uint32_t>(rank);
  if (magic != want_magic) {
    char got[16], want[16];
    std::snprintf(got, sizeof got, "0x%08X", magic);
    std::snprintf(want, sizeof want, "0x%08X", want_magic);
    throw std::runtime_error(path + ": wrong magic number " + got + ", expected " + want +
                             " (unsigned bytes, " + std::to_string(rank) +
                             " dimensions): not the IDX file expected here");
  }

  IdxArray a;
  int64_t total = 1;
  for (int64_t i = 0; i < rank; ++i) {
    unsigned char b[4];
    if (read_bytes(f.get(), path, b, 4) < 4)
      throw std::runtime_error(path + ": truncated in the header (" + std::to_string(rank) +
                               " dimensions expected)");
    const int64_t d = (int64_t{b[0]} << 24) | (int64_t{b[1]} << 16) | (int64_t{b[2]} << 8) | b[3];
    a.dims.push_back(d);
    total *= d;  // at most 2^32 per factor; checked against kMaxBytes below
    if (total > kMaxBytes) break;
  }
  bool ok = static_cast<int64_t>(a.dims.size()) == rank;
  for (size_t i = 0; ok && i < dims.size(); ++i) ok = dims[i] < 0 || dims[i] == a.dims[i];
  if (!ok)
    throw std::runtime_error(path + ": dimensions " + shape_text(a.dims) + ", expected " +
                             shape_text(dims));
  if (total > kMaxBytes)
    throw std::runtime_error(path + ": dimensions " + shape_text(a.dims) + " give " +
                             std::to_string(total) + " bytes; the limit is " +
                             std::to_string(kMaxBytes));

  a.data.resize(static_cast<size_t>(total));
  const int64_t got = read_bytes(f.get(), path, a.data.data(), total);
  if (got < total)
    throw std::runtime_error(path + ": truncated: " + std::to_string(got) + " of " +
                             std::to_string(total) + " data bytes for dimensions " +
                             shape_text(a.dims));
  unsigned char extra;
  if (read_bytes(f.get(), path, &extra, 1) != 0)
    throw std::runtime_error(path + ": trailing bytes after the " + std::to_string(total) +
                             " data bytes of dimensions " + shape_text(a.dims));
  return a;
}

}  // namespace fashion
