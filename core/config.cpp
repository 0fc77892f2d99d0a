#include "config.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <sstream>

namespace gs {

// --- names ---------------------------------------------------------------------------------

namespace {

template <class Enum>
struct Named {
  Enum value;
  const char* name;
};

const Named<CellKind> kCells[] = {{CellKind::RnnTanh, "rnn-tanh"},
                                  {CellKind::RnnRelu, "rnn-relu"},
                                  {CellKind::RnnSigmoid, "rnn-sigmoid"},
                                  {CellKind::RnnIdentity, "rnn-identity"},
                                  {CellKind::Lstm, "lstm"},
                                  {CellKind::Gru, "gru"}};
const Named<InitKind> kInits[] = {{InitKind::Uniform, "uniform"},
                                  {InitKind::Xavier, "xavier"},
                                  {InitKind::Orthogonal, "orthogonal"},
                                  {InitKind::Identity, "identity"}};
const Named<TaskKind> kTasks[] = {{TaskKind::Adding, "adding"},
                                  {TaskKind::Copy, "copy"},
                                  {TaskKind::RememberFirst, "remember-first"}};
const Named<OptimizerKind> kOptimizers[] = {{OptimizerKind::Sgd, "sgd"},
                                            {OptimizerKind::Adam, "adam"}};
const Named<Precision> kPrecisions[] = {{Precision::F32, "f32"}, {Precision::F64, "f64"}};

template <class Enum, size_t N>
const char* name_of(const Named<Enum> (&table)[N], Enum value) {
  for (const auto& entry : table)
    if (entry.value == value) return entry.name;
  return "?";
}

template <class Enum, size_t N>
bool value_of(const Named<Enum> (&table)[N], const std::string& name, Enum& value) {
  for (const auto& entry : table)
    if (name == entry.name) {
      value = entry.value;
      return true;
    }
  return false;
}

template <class Enum, size_t N>
std::string choices(const Named<Enum> (&table)[N]) {
  std::string out;
  for (const auto& entry : table) out += (out.empty() ? "" : ", ") + std::string(entry.name);
  return out;
}

std::vector<std::string> split(const std::string& text, char separator) {
  std::vector<std::string> parts;
  std::string part;
  std::istringstream stream(text);
  while (std::getline(stream, part, separator)) parts.push_back(part);
  if (!text.empty() && text.back() == separator) parts.push_back("");
  return parts;
}

// Shortest text that reads back as the same double.
std::string number_text(double x) {
  char buffer[32];
  if (x == std::floor(x) && std::abs(x) < 1e15) {  // integers as integers: 10, not 1e+01
    std::snprintf(buffer, sizeof buffer, "%.0f", x);
    return buffer;
  }
  for (int precision = 1; precision <= 17; ++precision) {
    std::snprintf(buffer, sizeof buffer, "%.*g", precision, x);
    if (std::strtod(buffer, nullptr) == x) break;
  }
  return buffer;
}

// --- number parsing: whole text must be a number, and within [lo, hi] ---

// A value as error messages quote it: one line of bounded length whatever the input (a value
// set by set_config_value may hold any byte). At most its first 80 bytes, cut at a UTF-8
// character boundary and marked "...", with control characters escaped as \xNN.
std::string quoted(const std::string& text) {
  const size_t max_bytes = 80;
  size_t end = text.size();
  if (end > max_bytes) {
    end = max_bytes;
    while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  }
  std::string out;
  for (size_t i = 0; i < end; ++i) {
    const unsigned char ch = static_cast<unsigned char>(text[i]);
    if (ch < 0x20 || ch == 0x7f) {
      char escaped[8];
      std::snprintf(escaped, sizeof escaped, "\\x%02x", ch);
      out += escaped;
    } else {
      out += text[i];
    }
  }
  if (end < text.size()) out += "...";
  return out;
}

std::string range_error(const std::string& key, const std::string& value, const std::string& what) {
  return key + "=" + quoted(value) + " is invalid: expected " + what;
}

bool parse_integer(const std::string& text, long long& out) {
  if (text.empty()) return false;
  char* end = nullptr;
  errno = 0;
  out = std::strtoll(text.c_str(), &end, 10);
  return errno == 0 && *end == '\0';
}

bool parse_number(const std::string& text, double& out) {
  if (text.empty()) return false;
  char* end = nullptr;
  errno = 0;
  out = std::strtod(text.c_str(), &end);
  // glibc also sets ERANGE for a subnormal result that is not exact (5e-324, which to_text
  // writes for 0x1p-1074): a number like any other. Refused: overflow, and underflow to 0.
  const bool in_range = errno == 0 || (errno == ERANGE && out != 0);
  return in_range && *end == '\0' && std::isfinite(out);
}

std::string set_int(int& field, const std::string& key, const std::string& value, long long lo,
                    long long hi) {
  long long parsed = 0;
  if (!parse_integer(value, parsed) || parsed < lo || parsed > hi)
    return range_error(key, value,
                       "an integer in [" + std::to_string(lo) + ", " + std::to_string(hi) + "]");
  field = static_cast<int>(parsed);
  return "";
}

std::string set_real(double& field, const std::string& key, const std::string& value, double lo,
                     double hi, bool lo_open = false) {
  double parsed = 0;
  if (!parse_number(value, parsed) || (lo_open ? parsed <= lo : parsed < lo) || parsed > hi)
    return range_error(key, value,
                       std::string("a number in ") + (lo_open ? "(" : "[") + number_text(lo) +
                           ", " + number_text(hi) + "]");
  field = parsed;
  return "";
}

template <class Enum, size_t N>
std::string set_enum(Enum& field, const Named<Enum> (&table)[N], const std::string& key,
                     const std::string& value) {
  if (!value_of(table, value, field)) return range_error(key, value, "one of " + choices(table));
  return "";
}

const int kMaxHidden = 1024;
const int kMaxLength = 100000;
const long long kMaxLengthTimesHidden = 4000000;  // a probe's BPTT cache: ~100 bytes each
const long long kMaxCurveValues = 2000000;        // cells x seeds x steps kept for the plots
const int kMaxHiddenForRadius = 256;              // EigenSolver: ~70 ms natively at 256
const long long kMaxTrainingScalars = 4000000;    // the trainers' BPTT caches: ~100 bytes each

}  // namespace

const char* cell_name(CellKind cell) { return name_of(kCells, cell); }
const char* init_name(InitKind init) { return name_of(kInits, init); }
const char* task_name(TaskKind task) { return name_of(kTasks, task); }
const char* optimizer_name(OptimizerKind optimizer) { return name_of(kOptimizers, optimizer); }
const char* precision_name(Precision precision) { return name_of(kPrecisions, precision); }
bool parse_cell_name(const std::string& text, CellKind& cell) {
  return value_of(kCells, text, cell);
}

std::string cells_text(const std::vector<CellKind>& cells) {
  std::string out;
  for (CellKind cell : cells) out += (out.empty() ? "" : ",") + std::string(cell_name(cell));
  return out;
}

std::string lengths_text(const std::vector<int>& lengths) {
  std::string out;
  for (int length : lengths) out += (out.empty() ? "" : ",") + std::to_string(length);
  return out;
}

// --- the vocabulary --------------------------------------------------------------------------

const std::vector<ConfigKey>& config_keys() {
  static const std::vector<ConfigKey> keys = {
      {"cell",
       "cells to compare, comma list of rnn-tanh, rnn-relu, rnn-sigmoid, rnn-identity, "
       "lstm, gru"},
      {"hidden", "hidden units H, 1..1024"},
      {"length", "sequence length T of the task, 1..100000 (copy: the delay)"},
      {"seed", "random seed for weights, data and training"},
      {"seeds", "number of seeds to average curves over, 1..64"},
      {"init", "initialization: uniform (PyTorch default), xavier, orthogonal, identity"},
      {"scale", "multiplies W_hh after initialization, 0..100"},
      {"radius", "target spectral radius of each H x H block of W_hh; 0 = off"},
      {"forget_bias", "LSTM forget-gate bias b_if + b_hf, -20..20"},
      {"task", "adding, copy, remember-first"},
      {"batch", "minibatch size, 1..4096"},
      {"optimizer", "sgd (with momentum) or adam"},
      {"lr", "learning rate, (0, 10]"},
      {"momentum", "SGD momentum, 0..0.999"},
      {"clip", "clip gradients to this global norm; 0 = off"},
      {"iters", "training iterations, 1..1000000"},
      {"lengths", "sequence lengths for the sweep, comma list of 1..100000"},
      {"precision", "f32 (fast) or f64 (the reference)"},
  };
  return keys;
}

std::string set_config_value(Config& config, const std::string& key, const std::string& value) {
  Config next = config;  // edit a copy so that a failure leaves `config` untouched
  std::string error;
  if (key == "cell") {
    next.cells.clear();
    for (const std::string& name : split(value, ',')) {
      CellKind cell;
      if (!parse_cell_name(name, cell))
        return range_error(key, value, "a comma list of " + choices(kCells));
      for (CellKind seen : next.cells)
        if (seen == cell) return range_error(key, value, "each cell at most once");
      next.cells.push_back(cell);
    }
    if (next.cells.empty()) return range_error(key, value, "at least one cell");
  } else if (key == "hidden") {
    error = set_int(next.hidden, key, value, 1, kMaxHidden);
  } else if (key == "length") {
    error = set_int(next.length, key, value, 1, kMaxLength);
  } else if (key == "seed") {
    long long parsed = 0;
    if (!parse_integer(value, parsed) || parsed < 0 || parsed > (1LL << 53))
      return range_error(key, value, "an integer in [0, 9007199254740992]");
    next.seed = static_cast<uint64_t>(parsed);
  } else if (key == "seeds") {
    error = set_int(next.seeds, key, value, 1, 64);
  } else if (key == "init") {
    error = set_enum(next.init, kInits, key, value);
  } else if (key == "scale") {
    error = set_real(next.scale, key, value, 0, 100);
  } else if (key == "radius") {
    error = set_real(next.radius, key, value, 0, 100);
  } else if (key == "forget_bias") {
    error = set_real(next.forget_bias, key, value, -20, 20);
  } else if (key == "task") {
    error = set_enum(next.task, kTasks, key, value);
  } else if (key == "batch") {
    error = set_int(next.batch, key, value, 1, 4096);
  } else if (key == "optimizer") {
    error = set_enum(next.optimizer, kOptimizers, key, value);
  } else if (key == "lr") {
    error = set_real(next.lr, key, value, 0, 10, /*lo_open=*/true);
  } else if (key == "momentum") {
    error = set_real(next.momentum, key, value, 0, 0.999);
  } else if (key == "clip") {
    error = set_real(next.clip, key, value, 0, 1e9);
  } else if (key == "iters") {
    error = set_int(next.iters, key, value, 1, 1000000);
  } else if (key == "lengths") {
    next.lengths.clear();
    for (const std::string& part : split(value, ',')) {
      long long length = 0;
      if (!parse_integer(part, length) || length < 1 || length > kMaxLength)
        return range_error(key, value, "a comma list of integers in [1, 100000]");
      next.lengths.push_back(static_cast<int>(length));
    }
    if (next.lengths.empty() || next.lengths.size() > 32)
      return range_error(key, value, "1 to 32 lengths");
    for (size_t i = 1; i < next.lengths.size(); ++i)
      if (next.lengths[i] <= next.lengths[i - 1])
        return range_error(key, value, "increasing lengths, e.g. 10,100,1000");
  } else if (key == "precision") {
    error = set_enum(next.precision, kPrecisions, key, value);
  } else {
    std::string known;
    for (const ConfigKey& k : config_keys())
      known += (known.empty() ? "" : ", ") + std::string(k.name);
    return "unknown key '" + quoted(key) + "' (known keys: " + known + ")";
  }
  if (!error.empty()) return error;
  config = next;
  return "";
}

std::string validate_config(const Config& c) {
  if (c.task == TaskKind::Adding && c.length < 2)
    return "length=" + std::to_string(c.length) +
           " is invalid for task=adding: expected length >= 2 (one marker in each half)";
  if (c.radius > 0 && c.hidden > kMaxHiddenForRadius)
    return "radius=" + number_text(c.radius) + " with hidden=" + std::to_string(c.hidden) +
           " is too costly: radius needs hidden <= " + std::to_string(kMaxHiddenForRadius) +
           " (an eigendecomposition of each H x H block; use scale for larger H)";
  if (static_cast<long long>(c.length) * c.hidden > kMaxLengthTimesHidden)
    return "length=" + std::to_string(c.length) + " with hidden=" + std::to_string(c.hidden) +
           " is too large: length x hidden must be <= " + std::to_string(kMaxLengthTimesHidden);
  const long long curve_values = static_cast<long long>(c.cells.size()) * c.seeds * c.length;
  if (curve_values > kMaxCurveValues)
    return "seeds=" + std::to_string(c.seeds) + " with length=" + std::to_string(c.length) +
           " and " + std::to_string(c.cells.size()) +
           " cells is too large: cells x seeds x length must be <= " +
           std::to_string(kMaxCurveValues) + " (every curve is kept for the plots)";
  for (int length : c.lengths) {
    if (c.task == TaskKind::Adding && length < 2)
      return "lengths=" + lengths_text(c.lengths) +
             " is invalid for task=adding: every length must be >= 2 (one marker in each half)";
    if (static_cast<long long>(length) * c.hidden > kMaxLengthTimesHidden)
      return "lengths=" + lengths_text(c.lengths) + " with hidden=" + std::to_string(c.hidden) +
             " is too large: length x hidden must be <= " + std::to_string(kMaxLengthTimesHidden);
  }
  return "";
}

std::string validate_for_training(const Config& c) {
  const long long cells = static_cast<long long>(c.cells.size());
  if (cells * c.length * c.hidden * c.batch > kMaxTrainingScalars)
    return "length=" + std::to_string(c.length) + ", hidden=" + std::to_string(c.hidden) +
           " and batch=" + std::to_string(c.batch) + " with " + std::to_string(cells) +
           (cells == 1 ? " cell" : " cells") +
           " are too large to train: cells x length x hidden x batch must be <= " +
           std::to_string(kMaxTrainingScalars);
  return "";
}

std::string parse_config(Config& config, const std::string& text) {
  Config next = config;
  std::string token;
  size_t start = (!text.empty() && text[0] == '#') ? 1 : 0;
  for (size_t i = start; i <= text.size(); ++i) {
    const char ch = i < text.size() ? text[i] : '&';
    if (ch == '&' || ch == ';' || ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r') {
      if (token.empty()) continue;
      const size_t equals = token.find('=');
      if (equals == std::string::npos)
        return "'" + quoted(token) + "' is not a key=value pair (no spaces around '=')";
      const std::string error =
          set_config_value(next, token.substr(0, equals), token.substr(equals + 1));
      if (!error.empty()) return error;
      token.clear();
    } else {
      token += ch;
    }
  }
  const std::string error = validate_config(next);
  if (!error.empty()) return error;
  config = next;
  return "";
}

std::string to_text(const Config& c) {
  std::ostringstream out;
  out << "cell=" << cells_text(c.cells) << "&hidden=" << c.hidden << "&length=" << c.length
      << "&seed=" << c.seed << "&seeds=" << c.seeds << "&init=" << init_name(c.init)
      << "&scale=" << number_text(c.scale) << "&radius=" << number_text(c.radius)
      << "&forget_bias=" << number_text(c.forget_bias) << "&task=" << task_name(c.task)
      << "&batch=" << c.batch << "&optimizer=" << optimizer_name(c.optimizer)
      << "&lr=" << number_text(c.lr) << "&momentum=" << number_text(c.momentum)
      << "&clip=" << number_text(c.clip) << "&iters=" << c.iters
      << "&lengths=" << lengths_text(c.lengths) << "&precision=" << precision_name(c.precision);
  return out.str();
}

std::vector<std::pair<std::string, std::string>> config_pairs(const Config& config) {
  std::vector<std::pair<std::string, std::string>> pairs;
  for (const std::string& pair : split(to_text(config), '&')) {
    const size_t equals = pair.find('=');
    pairs.emplace_back(pair.substr(0, equals), pair.substr(equals + 1));
  }
  return pairs;
}

}  // namespace gs
