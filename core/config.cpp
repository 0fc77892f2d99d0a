#include "config.h"

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <string_view>

#include "number_format.h"
#include "tasks.h"

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
  if (x == std::floor(x) && std::abs(x) < 1e15) {  // integers as integers: 10, not 1e+01
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%.0f", x);
    return buffer;
  }
  return format_exact(x);
}

// One byte of user text as an error message shows it: printable ASCII as itself, the rest
// escaped.
std::string shown_byte(char byte) {
  const unsigned char ch = static_cast<unsigned char>(byte);
  switch (ch) {
    case '\r': return "\\r";
    case '\n': return "\\n";
    case '\t': return "\\t";
    case '\\': return "\\\\";
  }
  if (ch >= 0x20 && ch < 0x7f) return std::string(1, byte);
  char escaped[8];
  std::snprintf(escaped, sizeof escaped, "\\x%02x", ch);
  return escaped;
}

// --- number parsing: whole text must be a number, and within [lo, hi] ---

std::string range_error(const std::string& key, const std::string& value, const std::string& what) {
  return key + "=" + excerpt(value) + " is invalid: expected " + what;
}

bool is_digit(char ch) { return ch >= '0' && ch <= '9'; }

// Skips digits from `i`; returns how many.
size_t skip_digits(const std::string& text, size_t& i) {
  const size_t start = i;
  while (i < text.size() && is_digit(text[i])) ++i;
  return i - start;
}

// Plain decimal, [+-]digits[.digits][e[+-]digits] (integers: [+-]digits), nothing before or
// after. strtod and strtoll take more (leading whitespace, hex, inf, nan) that to_text never
// writes, so the vocabulary does not accept it either.
bool is_decimal(const std::string& text, bool integer) {
  size_t i = (!text.empty() && (text[0] == '+' || text[0] == '-')) ? 1 : 0;
  size_t digits = skip_digits(text, i);
  if (!integer && i < text.size() && text[i] == '.') digits += skip_digits(text, ++i);
  if (digits == 0) return false;
  if (!integer && i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
    if (++i < text.size() && (text[i] == '+' || text[i] == '-')) ++i;
    if (skip_digits(text, i) == 0) return false;
  }
  return i == text.size();
}

bool parse_integer(const std::string& text, long long& out) {
  if (!is_decimal(text, /*integer=*/true)) return false;
  errno = 0;
  out = std::strtoll(text.c_str(), nullptr, 10);
  return errno == 0;
}

// A finite double. A subnormal result (strtod: ERANGE but not 0) is exact enough to keep, and
// to_text writes it back as text that reads as the same double; a value that underflows to 0 or
// overflows is refused.
bool parse_number(const std::string& text, double& out) {
  if (!is_decimal(text, /*integer=*/false)) return false;
  errno = 0;
  out = std::strtod(text.c_str(), nullptr);
  return std::isfinite(out) && (errno == 0 || out != 0);
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
  field = parsed == 0 ? 0.0 : parsed;  // -0 is 0: one canonical text
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
const long long kMaxCurveValues = 2000000;  // cells x seeds x steps kept for the plots
const int kMaxHiddenForRadius = 256;        // EigenSolver: ~70 ms natively at 256

// Memory, counted in "units": one value per hidden unit per step and sequence, with a step's
// inputs, targets and outputs (up to 10 + 9 + 9 values for copy, kept twice, and the vectors
// holding them) costing as much as kStepUnits hidden units. In float64, the worst case
// (sequence.h's buffers, LSTM the widest):
// - a probe (decay, sweep, the page's curves; batch 1): h, c, 4 gates and tanh(c) per unit, 7 x
//   8 bytes, plus the heatmap's float: 60 bytes per unit (GRU 44, RNN 12); a step's inputs,
//   targets, outputs and curve values, about 600 bytes natively (copy, with Eigen's 64-byte
//   alignment under AVX-512; less in wasm): 10 units.
// - a minibatch pass (train, bench, the page's training): those 7 values forward and dh, dc and
//   4 dgates backward, 13 x 8 = 104 bytes per unit (GRU 96, RNN 24); a step and sequence's data,
//   with the next minibatch drawn while the last is kept, about 10 units at batch 1 and less
//   per sequence at larger batches; the weights, their gradient, Adam's two moments and a copy
//   at the start, 5 x 8 x 4H(H + 12) bytes <= 2H x (H + 10) units.
// So a probe at kMaxSequenceUnits takes <= 300 MB, and every trainer together at
// kMaxTrainingUnits <= 416 MB (measured natively at the limits, LSTM, float64, copy, batch 1:
// 297 MB and 400 MB peak RSS). The page's worker at its worst holds both probes (600 MB; 540 MB
// when training is allowed), the trainers, the probes' weights (136 MB at H = 1024), the curves
// (100 MB) and 6 cells' training histories (252 MB at 10^6 iterations): under 1.5 GB of the
// 2 GB a wasm module can grow to, half that in float32 (the default).
const long long kStepUnits = 10;
const long long kMaxSequenceUnits = 5000000;  // steps x (hidden + 10), one sequence's BPTT
const long long kMaxTrainingUnits = 4000000;  // cells x (steps x batch + 2 hidden) x (hidden + 10)

// The steps of a sequence of `length` (copy: length + 20), as the limits count them.
long long steps_of(const Config& c, int length) { return task_shape(c.task, length).steps; }
// How the messages write it.
std::string steps_text(const Config& c) {
  return c.task == TaskKind::Copy ? "(length + 20)" : "length";
}

long long sequence_units(const Config& c, int length) {
  return steps_of(c, length) * (c.hidden + kStepUnits);
}

long long training_units(const Config& c) {
  const long long columns = steps_of(c, c.length) * c.batch + 2LL * c.hidden;
  return static_cast<long long>(c.cells.size()) * columns * (c.hidden + kStepUnits);
}

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
      {"sequences",
       "input sequences per seed (same weights) the curves are taken over: median and 10-90% "
       "band, 1..64"},
      {"init", "initialization: uniform (PyTorch default), xavier, orthogonal, identity"},
      {"scale", "multiplies W_hh after initialization, 0..100"},
      {"radius", "target spectral radius of each H x H block of W_hh; 0 = off"},
      {"forget_bias", "LSTM forget-gate bias b_if + b_hf, -20..20"},
      {"chrono",
       "chrono initialization's T_max for LSTM and GRU gate biases (replaces forget_bias), "
       "2..1000000; 0 = off"},
      {"task", "adding, copy, remember-first"},
      {"batch", "minibatch size, 1..4096"},
      {"optimizer", "sgd (with momentum) or adam"},
      {"lr", "learning rate, (0, 10]"},
      {"momentum", "SGD momentum, 0..0.999"},
      {"clip", "clip gradients to this global norm; 0 = off"},
      {"truncate",
       "truncated BPTT: each loss's gradient flows back at most this many steps, "
       "0..1000000; 0 = full"},
      {"iters", "training iterations, 1..1000000"},
      {"lengths",
       "sequence lengths for the sweep and the critical experiment, comma list of 1..100000"},
      {"solve_threshold",
       "critical experiment: solved = final loss below this times chance, (0, 1]"},
      {"precision", "f32 (fast) or f64 (the reference)"},
      {"tour", "the page's guided tour: the step shown, 1..8; 0 = off (no effect on numbers)"},
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
  } else if (key == "sequences") {
    error = set_int(next.sequences, key, value, 1, 64);
  } else if (key == "init") {
    error = set_enum(next.init, kInits, key, value);
  } else if (key == "scale") {
    error = set_real(next.scale, key, value, 0, 100);
  } else if (key == "radius") {
    error = set_real(next.radius, key, value, 0, 100);
  } else if (key == "forget_bias") {
    error = set_real(next.forget_bias, key, value, -20, 20);
  } else if (key == "chrono") {
    // T_max = 1 would draw from U(1, 0): no such interval
    if (!set_int(next.chrono, key, value, 0, 1000000).empty() || next.chrono == 1)
      return range_error(key, value, "0 (off) or an integer in [2, 1000000]");
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
  } else if (key == "truncate") {
    error = set_int(next.truncate, key, value, 0, 1000000);
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
  } else if (key == "solve_threshold") {
    error = set_real(next.solve_threshold, key, value, 0, 1, /*lo_open=*/true);
  } else if (key == "precision") {
    error = set_enum(next.precision, kPrecisions, key, value);
  } else if (key == "tour") {
    error = set_int(next.tour, key, value, 0, kTourSteps);
  } else {
    std::string known;
    for (const ConfigKey& k : config_keys())
      known += (known.empty() ? "" : ", ") + std::string(k.name);
    return "unknown key '" + excerpt(key) + "' (known keys: " + known + ")";
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
  if (sequence_units(c, c.length) > kMaxSequenceUnits)
    return "length=" + std::to_string(c.length) + " with hidden=" + std::to_string(c.hidden) +
           " is too large: " + steps_text(c) +
           " x (hidden + 10) must be <= " + std::to_string(kMaxSequenceUnits) +
           " (BPTT keeps every step)";
  const long long curve_values =
      static_cast<long long>(c.cells.size()) * c.seeds * c.sequences * c.length;
  if (curve_values > kMaxCurveValues)
    return "seeds=" + std::to_string(c.seeds) + " and sequences=" + std::to_string(c.sequences) +
           " with length=" + std::to_string(c.length) + " and " +
           std::to_string(c.cells.size()) +
           " cells is too large: cells x seeds x sequences x length must be <= " +
           std::to_string(kMaxCurveValues) + " (every curve is kept for the plots)";
  for (int length : c.lengths) {
    if (c.task == TaskKind::Adding && length < 2)
      return "lengths=" + lengths_text(c.lengths) +
             " is invalid for task=adding: every length must be >= 2 (one marker in each half)";
    if (sequence_units(c, length) > kMaxSequenceUnits)
      return "lengths=" + lengths_text(c.lengths) + " with hidden=" + std::to_string(c.hidden) +
             " is too large: " + steps_text(c) +
             " x (hidden + 10) must be <= " + std::to_string(kMaxSequenceUnits) +
             " for every length (BPTT keeps every step)";
  }
  return "";
}

std::string validate_for_training(const Config& c) {
  const size_t cells = c.cells.size();
  if (training_units(c) > kMaxTrainingUnits)
    return "length=" + std::to_string(c.length) + ", hidden=" + std::to_string(c.hidden) +
           " and batch=" + std::to_string(c.batch) + " with " + std::to_string(cells) +
           (cells == 1 ? " cell" : " cells") + " are too large to train: cells x (" +
           steps_text(c) + " x batch + 2 x hidden) x (hidden + 10) must be <= " +
           std::to_string(kMaxTrainingUnits) +
           " (BPTT keeps every step of every sequence, and the weights 4 times)";
  return "";
}

std::string limits_help(bool training) {
  std::string text = "  steps x (hidden + 10) <= " + std::to_string(kMaxSequenceUnits) +
                     ", for length and each of lengths\n"
                     "    (steps: length; task=copy: length + 20): BPTT keeps every step\n";
  text += "  cells x seeds x sequences x length <= " + std::to_string(kMaxCurveValues) +
          ": every curve is kept for the plots\n";
  text += "  hidden <= " + std::to_string(kMaxHiddenForRadius) +
          " if radius > 0: an eigendecomposition of each H x H block\n";
  if (training)
    text += "  cells x (steps x batch + 2 x hidden) x (hidden + 10) <= " +
            std::to_string(kMaxTrainingUnits) +
            ": BPTT keeps\n    every step of every sequence, and the weights 4 times\n";
  return text;
}

std::string parse_config(Config& config, const std::string& text) {
  Config next = config;
  std::string token;
  size_t start = (!text.empty() && text[0] == '#') ? 1 : 0;
  for (size_t i = start; i <= text.size(); ++i) {
    const char ch = i < text.size() ? text[i] : '&';
    if (std::string_view(kConfigSeparators).find(ch) != std::string_view::npos) {
      if (token.empty()) continue;
      const size_t equals = token.find('=');
      if (equals == std::string::npos)
        return "'" + excerpt(token) + "' is not a key=value pair (no spaces around '=')";
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

bool parse_decimal(const std::string& text, double& value) { return parse_number(text, value); }
bool parse_decimal_integer(const std::string& text, long long& value) {
  return parse_integer(text, value);
}

std::string excerpt(const std::string& text) {
  const size_t kMaxShown = 80;
  std::string out;
  for (size_t i = 0; i < text.size() && i < kMaxShown; ++i) out += shown_byte(text[i]);
  if (text.size() > kMaxShown) out += "... (" + std::to_string(text.size()) + " bytes)";
  return out;
}

std::string to_text(const Config& c) {
  std::ostringstream out;
  out << "cell=" << cells_text(c.cells) << "&hidden=" << c.hidden << "&length=" << c.length
      << "&seed=" << c.seed << "&seeds=" << c.seeds << "&sequences=" << c.sequences
      << "&init=" << init_name(c.init)
      << "&scale=" << number_text(c.scale) << "&radius=" << number_text(c.radius)
      << "&forget_bias=" << number_text(c.forget_bias) << "&chrono=" << c.chrono
      << "&task=" << task_name(c.task)
      << "&batch=" << c.batch << "&optimizer=" << optimizer_name(c.optimizer)
      << "&lr=" << number_text(c.lr) << "&momentum=" << number_text(c.momentum)
      << "&clip=" << number_text(c.clip) << "&truncate=" << c.truncate << "&iters=" << c.iters
      << "&lengths=" << lengths_text(c.lengths)
      << "&solve_threshold=" << number_text(c.solve_threshold)
      << "&precision=" << precision_name(c.precision) << "&tour=" << c.tour;
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
