#include "io/safetensors.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <nlohmann/json.hpp>

#include "model/config.h"  // excerpt

namespace gs {

namespace {

using nlohmann::json;

// Bytes per element of every dtype the format defines (sizes are needed to check any header).
struct Dtype {
  const char* name;
  int bytes;
};
const Dtype kDtypes[] = {{"BOOL", 1}, {"U8", 1},  {"I8", 1},  {"F8_E5M2", 1}, {"F8_E4M3", 1},
                         {"I16", 2},  {"U16", 2}, {"F16", 2}, {"BF16", 2},    {"I32", 4},
                         {"U32", 4},  {"F32", 4}, {"F64", 8}, {"I64", 8},     {"U64", 8}};

int dtype_bytes(const std::string& dtype) {
  for (const Dtype& d : kDtypes)
    if (dtype == d.name) return d.bytes;
  return 0;
}

// A tensor's name as messages show it: quoted, at most 80 bytes, control characters escaped.
std::string in_quotes(const std::string& name) { return "'" + excerpt(name) + "'"; }

// "[3, 4]" for messages; with `separator` "," as the header writes it.
std::string shape_text(const std::vector<int64_t>& shape, const char* separator = ", ") {
  std::string out = "[";
  for (size_t i = 0; i < shape.size(); ++i)
    out += (i ? separator : "") + std::to_string(shape[i]);
  return out + "]";
}

uint64_t read_u64_le(const unsigned char* p) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}

bool get_unsigned(const json& j, uint64_t& out) {
  if (!j.is_number_unsigned()) return false;
  out = j.get<uint64_t>();
  return true;
}

// One header entry; "" or the error.
std::string parse_entry(const std::string& name, const json& j, std::size_t data_size,
                        TensorEntry& out) {
  const std::string expected =
      "tensor " + in_quotes(name) +
      " in the header is malformed: expected {\"dtype\": \"F32\", \"shape\": [...], "
      "\"data_offsets\": [begin, end]} with non-negative integers";
  if (!j.is_object()) return expected;
  const auto dtype = j.find("dtype"), shape = j.find("shape"), offsets = j.find("data_offsets");
  if (dtype == j.end() || shape == j.end() || offsets == j.end() || !dtype->is_string() ||
      !shape->is_array() || !offsets->is_array() || offsets->size() != 2)
    return expected;
  out.name = name;
  out.dtype = dtype->get<std::string>();
  uint64_t begin = 0, end = 0;
  if (!get_unsigned((*offsets)[0], begin) || !get_unsigned((*offsets)[1], end)) return expected;
  const int element = dtype_bytes(out.dtype);
  if (!element)
    return "tensor " + in_quotes(name) + " has dtype " + in_quotes(out.dtype) +
           ", which safetensors does not define";
  // Elements, refusing any shape whose bytes could not fit in the data (no overflow).
  uint64_t count = 1;
  for (const json& dim : *shape) {
    uint64_t d = 0;
    if (!get_unsigned(dim, d)) return expected;
    out.shape.push_back(static_cast<int64_t>(std::min<uint64_t>(d, INT64_MAX)));
    if (d != 0 && count > (uint64_t{1} << 62) / d) count = uint64_t{1} << 62;  // saturate
    else count *= d;
  }
  if (begin > end)
    return "the header lies about tensor " + in_quotes(name) + ": its data_offsets [" +
           std::to_string(begin) + ", " + std::to_string(end) + "] run backwards";
  const uint64_t needed = count >= (uint64_t{1} << 62) / 8 ? UINT64_MAX : count * element;
  if (needed != end - begin)
    return "the header lies about tensor " + in_quotes(name) + ": shape " +
           shape_text(out.shape) + " of " + out.dtype + " takes " +
           (needed == UINT64_MAX ? std::string("more bytes than any file") :
                                   std::to_string(needed) + " bytes") +
           ", its data_offsets [" + std::to_string(begin) + ", " + std::to_string(end) +
           "] give " + std::to_string(end - begin);
  if (end > data_size)
    return "the file is truncated, or its header lies: tensor " + in_quotes(name) +
           " ends at byte " + std::to_string(end) + " of the data, which has " +
           std::to_string(data_size) + " bytes";
  out.begin = static_cast<std::size_t>(begin);
  out.end = static_cast<std::size_t>(end);
  return "";
}

// scan_json's SAX handler: counts values and keeps each open object's keys.
struct ScanHandler {
  JsonScan& scan;
  std::size_t max_values;
  std::vector<std::vector<std::string>> keys;  // per open object or array (arrays: unused)

  bool value() {
    if (++scan.values <= max_values) return true;
    scan.too_many = true;
    return false;
  }
  bool null() { return value(); }
  bool boolean(bool) { return value(); }
  bool number_integer(json::number_integer_t) { return value(); }
  bool number_unsigned(json::number_unsigned_t) { return value(); }
  bool number_float(json::number_float_t, const json::string_t&) { return value(); }
  bool string(json::string_t&) { return value(); }
  bool binary(json::binary_t&) { return value(); }
  bool start_object(std::size_t) {
    keys.emplace_back();
    return value();
  }
  bool key(json::string_t& name) {
    std::vector<std::string>& seen = keys.back();
    // a linear search: objects in these files have few keys, except a header's tensors, which
    // the header's size limit bounds
    if (std::find(seen.begin(), seen.end(), name) != seen.end()) {
      scan.duplicate = name;
      scan.duplicate_depth = static_cast<int>(keys.size());
      return false;
    }
    seen.push_back(name);
    return true;
  }
  bool end_object() {
    keys.pop_back();
    return true;
  }
  bool start_array(std::size_t) {
    keys.emplace_back();
    return value();
  }
  bool end_array() {
    keys.pop_back();
    return true;
  }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) {
    return false;
  }
};

}  // namespace

JsonScan scan_json(const char* begin, const char* end, std::size_t max_values) {
  JsonScan scan;
  ScanHandler handler{scan, max_values, {}};
  const bool ok = json::sax_parse(begin, end, &handler);
  scan.valid = ok;
  return scan;
}

std::string header_limit_text() { return std::to_string(kMaxHeaderBytes >> 20) + " MB"; }

std::string weights_file_limit_text() {
  return std::to_string(kMaxWeightsFileBytes >> 20) + " MB";
}

std::string file_size_error(std::size_t size) {
  if (size <= kMaxWeightsFileBytes) return "";
  return "the file has " + std::to_string(size) + " bytes, over gradscope's limit of " +
         weights_file_limit_text() + " (" + std::to_string(kMaxWeightsFileBytes) +
         " bytes): export the recurrent layer alone (scripts/export_weights.py)";
}

int64_t TensorEntry::count() const {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  return n;
}

const TensorEntry* Safetensors::find(const std::string& name) const {
  for (const TensorEntry& t : tensors)
    if (t.name == name) return &t;
  return nullptr;
}

std::string Safetensors::metadata_value(const std::string& key) const {
  for (const auto& [k, v] : metadata)
    if (k == key) return v;
  return "";
}

std::string parse_safetensors(const unsigned char* bytes, std::size_t size, Safetensors& out) {
  out = Safetensors();
  if (std::string error = file_size_error(size); !error.empty()) return error;
  if (size >= 4 && std::memcmp(bytes, "PK\x03\x04", 4) == 0)
    return "not a safetensors file: it is a zip archive, as torch.save writes; export the "
           "layer with scripts/export_weights.py";
  if (size < 8)
    return "not a safetensors file (or truncated): it has " + std::to_string(size) +
           " bytes, and a safetensors file starts with an 8-byte header length";
  if (size == 8 || bytes[8] != '{')
    return "not a safetensors file: after the 8-byte header length comes no JSON header "
           "(which starts with '{')";
  const uint64_t header_size = read_u64_le(bytes);
  if (header_size > size - 8)
    return "the file is truncated: its header length says " + std::to_string(header_size) +
           " bytes, but only " + std::to_string(size - 8) + " bytes follow";
  if (header_size > kMaxHeaderBytes)
    return "the header length says " + std::to_string(header_size) +
           " bytes, over gradscope's limit of " + header_limit_text() + " (" +
           std::to_string(kMaxHeaderBytes) +
           " bytes) for a safetensors header, which lists the tensors (a few KB in real files)";
  const char* header_text = reinterpret_cast<const char*>(bytes + 8);
  // Checked before it is parsed: JSON's rule on a key named twice is the last one wins, which
  // would silently drop a tensor.
  const JsonScan scan = scan_json(header_text, header_text + header_size, kMaxHeaderBytes);
  if (!scan.duplicate.empty())
    return scan.duplicate_depth == 1
               ? "the header lists tensor " + in_quotes(scan.duplicate) +
                     " twice: a file holds each tensor once"
               : "the header is malformed: the key " + in_quotes(scan.duplicate) +
                     " appears twice in one object";
  const json header = scan.valid ? json::parse(header_text, header_text + header_size, nullptr,
                                               /*allow_exceptions=*/false)
                                 : json(json::value_t::discarded);
  if (header.is_discarded())
    return "not a safetensors file, or truncated: its " + std::to_string(header_size) +
           "-byte header is not valid JSON";
  if (!header.is_object()) return "not a safetensors file: its header is not a JSON object";
  out.data = bytes + 8 + header_size;
  out.data_size = size - 8 - static_cast<std::size_t>(header_size);
  for (const auto& [name, value] : header.items()) {
    if (name == "__metadata__") {
      if (!value.is_object())
        return "the header's __metadata__ is malformed: expected an object of strings";
      for (const auto& [key, text] : value.items()) {
        if (!text.is_string())
          return "the header's __metadata__ is malformed: " + in_quotes(key) + " is not a string";
        out.metadata.emplace_back(key, text.get<std::string>());
      }
      continue;
    }
    TensorEntry entry;
    if (const std::string error = parse_entry(name, value, out.data_size, entry); !error.empty())
      return error;
    out.tensors.push_back(entry);
  }
  // The tensors must tile the data: sorted by offset, each starts where the last ended.
  std::stable_sort(out.tensors.begin(), out.tensors.end(),
                   [](const TensorEntry& a, const TensorEntry& b) {
                     return a.begin != b.begin ? a.begin < b.begin : a.end < b.end;
                   });
  std::size_t at = 0;
  const TensorEntry* previous = nullptr;
  for (const TensorEntry& t : out.tensors) {
    if (t.begin < at)
      return "the header lies: tensors " + in_quotes(previous->name) + " (bytes " +
             std::to_string(previous->begin) + "-" + std::to_string(previous->end) + ") and " +
             in_quotes(t.name) + " (bytes " + std::to_string(t.begin) + "-" +
             std::to_string(t.end) + ") overlap";
    if (t.begin > at)
      return "the header lies: bytes " + std::to_string(at) + "-" + std::to_string(t.begin) +
             " of the data belong to no tensor";
    at = t.end;
    previous = &t;
  }
  if (at != out.data_size)
    return "the header lies: bytes " + std::to_string(at) + "-" + std::to_string(out.data_size) +
           " of the data (after the last tensor) belong to no tensor";
  return "";
}

std::string dtype_error(const TensorEntry& tensor) {
  for (const char* read : {"F16", "BF16", "F32", "F64"})
    if (tensor.dtype == read) return "";
  return "tensor " + in_quotes(tensor.name) + " is " + excerpt(tensor.dtype) +
         ": gradscope reads F16, BF16 (widened to float32), F32 (float32) and F64 (float64) "
         "tensors; convert it with .float() or .double() (scripts/export_weights.py does)";
}

namespace {

// IEEE 754 binary16 to double, exactly (every half is a double): 1 sign bit, 5 of exponent
// (bias 15), 10 of mantissa; exponent 0 holds zero and the subnormals, 31 infinity and NaN.
double half_to_double(uint16_t bits) {
  const int exponent = (bits >> 10) & 0x1f, mantissa = bits & 0x3ff;
  double v = exponent == 0    ? std::ldexp(mantissa, -24)
             : exponent == 31 ? (mantissa ? std::nan("") : HUGE_VAL)
                              : std::ldexp(mantissa + 1024, exponent - 25);
  return bits >> 15 ? -v : v;
}

// bfloat16 is float32's upper half: the same sign and exponent, 7 bits of mantissa.
double bfloat16_to_double(uint16_t bits) {
  const uint32_t wide = static_cast<uint32_t>(bits) << 16;
  float v;
  std::memcpy(&v, &wide, 4);
  return v;
}

}  // namespace

std::string tensor_values(const Safetensors& file, const TensorEntry& tensor,
                          std::vector<double>& values) {
  if (std::string error = dtype_error(tensor); !error.empty()) return error;
  const bool f32 = tensor.dtype == "F32", f16 = tensor.dtype == "F16", bf16 = tensor.dtype == "BF16";
  const std::size_t n = static_cast<std::size_t>(tensor.count());
  values.resize(n);
  const unsigned char* p = file.data + tensor.begin;
  for (std::size_t i = 0; i < n; ++i) {
    if (f16 || bf16) {  // little-endian, as every safetensors file
      const uint16_t bits = static_cast<uint16_t>(p[2 * i] | (p[2 * i + 1] << 8));
      values[i] = f16 ? half_to_double(bits) : bfloat16_to_double(bits);
    } else if (f32) {
      uint32_t bits = 0;
      for (int b = 3; b >= 0; --b) bits = (bits << 8) | p[4 * i + b];
      float v;
      std::memcpy(&v, &bits, 4);
      values[i] = v;
    } else {
      const uint64_t bits = read_u64_le(p + 8 * i);
      double v;
      std::memcpy(&v, &bits, 8);
      values[i] = v;
    }
  }
  return "";
}

std::string first_non_finite(const TensorEntry& tensor, const std::vector<double>& values) {
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (std::isfinite(values[i])) continue;
    std::vector<int64_t> index(tensor.shape.size());
    int64_t rest = static_cast<int64_t>(i);
    for (size_t d = tensor.shape.size(); d-- > 0;) {
      index[d] = rest % tensor.shape[d];
      rest /= tensor.shape[d];
    }
    return std::string(std::isnan(values[i]) ? "NaN" : values[i] > 0 ? "+Inf" : "-Inf") +
           " at " + shape_text(index);
  }
  return "";
}

TensorOut tensor_out(const std::string& name, const Mat& m) {
  TensorOut t{name, {m.rows(), m.cols()}, {}};
  t.values.reserve(m.size());
  for (Eigen::Index r = 0; r < m.rows(); ++r)
    for (Eigen::Index c = 0; c < m.cols(); ++c) t.values.push_back(m(r, c));
  return t;
}

TensorOut tensor_out(const std::string& name, const Vec& v) {
  return TensorOut{name, {v.size()}, std::vector<double>(v.data(), v.data() + v.size())};
}

namespace {

// A JSON string literal (the names are written by hand, so that the bytes are ours to fix).
std::string json_string(const std::string& text) {
  std::string out = "\"";
  for (char ch : text) {
    const unsigned char u = static_cast<unsigned char>(ch);
    if (ch == '"' || ch == '\\') {
      out += '\\';
      out += ch;
    } else if (u < 0x20) {
      char escaped[8];
      std::snprintf(escaped, sizeof escaped, "\\u%04x", u);
      out += escaped;
    } else {
      out += ch;
    }
  }
  return out + "\"";
}

void append_le(std::string& out, uint64_t bits, int bytes) {
  for (int b = 0; b < bytes; ++b) out += static_cast<char>((bits >> (8 * b)) & 0xff);
}

}  // namespace

std::string write_safetensors(const std::vector<TensorOut>& tensors, const std::string& dtype,
                              const std::vector<std::pair<std::string, std::string>>& metadata) {
  const bool f32 = dtype == "F32";
  const int element = f32 ? 4 : 8;
  std::string header = "{";
  if (!metadata.empty()) {
    header += "\"__metadata__\":{";
    for (size_t i = 0; i < metadata.size(); ++i)
      header += (i ? "," : "") + json_string(metadata[i].first) + ":" +
                json_string(metadata[i].second);
    header += "}";
  }
  std::size_t offset = 0;
  for (const TensorOut& t : tensors) {
    const std::size_t bytes = t.values.size() * element;
    header += (header.size() > 1 ? "," : "") + json_string(t.name) + ":{\"dtype\":\"" + dtype +
              "\",\"shape\":" + shape_text(t.shape, ",") + ",\"data_offsets\":[" +
              std::to_string(offset) + "," + std::to_string(offset + bytes) + "]}";
    offset += bytes;
  }
  header += "}";
  header.append((8 - header.size() % 8) % 8, ' ');
  std::string out;
  out.reserve(8 + header.size() + offset);
  append_le(out, header.size(), 8);
  out += header;
  for (const TensorOut& t : tensors)
    for (double v : t.values) {
      if (f32) {
        const float f = static_cast<float>(v);
        uint32_t bits;
        std::memcpy(&bits, &f, 4);
        append_le(out, bits, 4);
      } else {
        uint64_t bits;
        std::memcpy(&bits, &v, 8);
        append_le(out, bits, 8);
      }
    }
  return out;
}

}  // namespace gs
