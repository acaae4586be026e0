// IDX files (the MNIST format), plain or gzipped: a big-endian header
// (magic 0x0000_08_<rank>, then rank uint32 sizes) followed by unsigned bytes.
// Every error is a std::runtime_error whose message names the file.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace fashion {

struct IdxArray {
  std::vector<int64_t> dims;
  std::vector<uint8_t> data;  // product(dims) bytes, row-major
};

// Reads an IDX file of unsigned bytes with `rank` dimensions. `dims` gives the
// expected sizes; -1 accepts any size on that axis. Throws on a missing file,
// a corrupt or truncated gzip stream, a wrong magic number, unexpected sizes,
// a truncated body or trailing bytes.
IdxArray read_idx(const std::string& path, const std::vector<int64_t>& dims);

}  // namespace fashion
