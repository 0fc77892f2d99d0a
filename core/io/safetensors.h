// safetensors, the weights format of the PyTorch ecosystem, read and written without a library:
//
//   8 bytes     N, the header's length, unsigned little-endian
//   N bytes     a JSON object: per tensor {"dtype": "F32", "shape": [rows, cols],
//               "data_offsets": [begin, end]} (offsets into the data, end exclusive), and an
//               optional "__metadata__" object of string values
//   the rest    the data: every tensor's bytes, little-endian, row-major, back to back
//
// The reader trusts nothing: the header must be JSON of that form, every tensor's byte count
// must match its dtype and shape, and the tensors must cover the data exactly, without overlap
// or gap (what the format requires). Errors are values (one line), never exceptions: the page's
// worker is built without them. Values are read as double; float32 widens exactly.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "model/scalar.h"

namespace gs {

// The largest file gradscope reads (weights or inputs), natively and in the page: it is held in
// memory whole. The largest model gradscope computes with, an LSTM with hidden and input size
// 1024 in float64 (config's hidden limit, and own_model.h's input limit), takes 67 MB; the rest
// leaves room for a file that holds a whole model around the recurrent layer.
inline constexpr std::size_t kMaxWeightsFileBytes = std::size_t{256} << 20;
// "256 MB", for messages and --help.
std::string weights_file_limit_text();
// "" if a file of `size` bytes may be read, else the message (checked before reading it).
std::string file_size_error(std::size_t size);

// The largest safetensors header gradscope reads: a header lists the tensors, a few KB for real
// files (about 100 bytes a tensor); JSON takes many times its size in memory once parsed, so a
// header that claims more is refused before it is parsed.
inline constexpr std::size_t kMaxHeaderBytes = std::size_t{1} << 20;
// "1 MB", for messages.
std::string header_limit_text();

// What a pass over JSON text found, without building the document (memory: its keys only).
struct JsonScan {
  bool valid = false;            // one well-formed JSON value
  std::size_t values = 0;        // numbers, strings, literals, arrays and objects, each one
  bool too_many = false;         // more than the max_values given: the scan stopped there
  std::string duplicate;         // the first key an object names twice ("" if none)
  int duplicate_depth = 0;       // 1: a key of the top-level object
};
// Scans [begin, end): stops at the first error, at the first duplicate key, or when more than
// `max_values` values have been seen.
JsonScan scan_json(const char* begin, const char* end, std::size_t max_values);

struct TensorEntry {
  std::string name;
  std::string dtype;             // as written: "F32", "F64", "BF16", ...
  std::vector<int64_t> shape;    // row-major
  std::size_t begin = 0, end = 0;  // bytes of the data section
  int64_t count() const;         // elements (1 for a scalar, shape [])
};

struct Safetensors {
  const unsigned char* data = nullptr;  // the data section (borrowed: the caller's bytes)
  std::size_t data_size = 0;
  std::vector<TensorEntry> tensors;     // in the order of their data
  std::vector<std::pair<std::string, std::string>> metadata;  // "__metadata__"

  const TensorEntry* find(const std::string& name) const;
  std::string metadata_value(const std::string& key) const;  // "" if absent
};

// Parses and checks `bytes` (the whole file). `out` borrows `bytes`, which must outlive it.
// Returns "" or one line saying what is wrong.
std::string parse_safetensors(const unsigned char* bytes, std::size_t size, Safetensors& out);

// "" for an F32 or F64 tensor, else the error naming the tensor and its dtype.
std::string dtype_error(const TensorEntry& tensor);

// Reads one tensor's values as double: F16, BF16, F32 and F64, each exactly (any other dtype:
// dtype_error). A model of F16 or BF16 tensors computes in float32, the narrowest precision
// gradscope has: every half value is a float32.
// Non-finite values are kept; see first_non_finite.
std::string tensor_values(const Safetensors& file, const TensorEntry& tensor,
                          std::vector<double>& values);

// The first value that is NaN or +-Inf, as "NaN at [3, 7]", or "" if all are finite.
std::string first_non_finite(const TensorEntry& tensor, const std::vector<double>& values);

// A tensor to write: its name, shape and values (row-major), written in `dtype` ("F32", "F64").
struct TensorOut {
  std::string name;
  std::vector<int64_t> shape;
  std::vector<double> values;
};
TensorOut tensor_out(const std::string& name, const Mat& m);  // a (rows, cols) matrix
TensorOut tensor_out(const std::string& name, const Vec& v);  // a (n) vector

// The file's bytes: the header (tensors in the order given, their data in that order, the
// metadata's keys as given; padded with spaces to a multiple of 8 bytes, as the reference
// implementation does), then the data. The same tensors give the same bytes.
std::string write_safetensors(const std::vector<TensorOut>& tensors, const std::string& dtype,
                              const std::vector<std::pair<std::string, std::string>>& metadata);

}  // namespace gs
