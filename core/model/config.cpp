#include "model/config.h"

#include <array>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iterator>
#include <sstream>
#include <type_traits>
#include <string_view>

#include "analyses/curse_of_memory.h"  // the student's ranges
#include "cells/cell_info.h"
#include "io/number_format.h"
#include "training/tasks.h"

namespace gs {

// --- names ---------------------------------------------------------------------------------

namespace {

// Each enum's names, indexed by its values (config.h: KeyNames).
// The cells' names are their rows' (cells/cell_info.h).
constexpr auto kCellNameList = [] {
  std::array<const char*, kCellKinds> names{};
  for (int i = 0; i < kCellKinds; ++i) names[i] = kCellRows[i].name;
  return names;
}();
const char* const kInitNameList[] = {"uniform", "xavier", "orthogonal", "identity"};
const char* const kTaskNameList[] = {"adding", "copy", "remember-first"};
const char* const kOptimizerNameList[] = {"sgd", "adam"};
const char* const kPrecisionNameList[] = {"f32", "f64"};
static_assert(std::size(kInitNameList) == int(InitKind::Identity) + 1);
static_assert(std::size(kTaskNameList) == int(TaskKind::RememberFirst) + 1);
static_assert(std::size(kOptimizerNameList) == int(OptimizerKind::Adam) + 1);
static_assert(std::size(kPrecisionNameList) == int(Precision::F64) + 1);
const KeyNames kCellNames = {kCellNameList.data(), kCellKinds};
const KeyNames kInitNames = {kInitNameList, int(std::size(kInitNameList))};
const KeyNames kTaskNames = {kTaskNameList, int(std::size(kTaskNameList))};
const KeyNames kOptimizerNames = {kOptimizerNameList, int(std::size(kOptimizerNameList))};
const KeyNames kPrecisionNames = {kPrecisionNameList, int(std::size(kPrecisionNameList))};

const char* name_of(const KeyNames& names, int index) {
  return index >= 0 && index < names.count ? names.names[index] : "?";
}

// The index of `name`, or -1.
int index_of(const KeyNames& names, const std::string& name) {
  for (int i = 0; i < names.count; ++i)
    if (name == names.names[i]) return i;
  return -1;
}

std::string choices(const KeyNames& names) {
  std::string out;
  for (int i = 0; i < names.count; ++i) out += (i ? ", " : "") + std::string(names.names[i]);
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

// --- one value, as its row describes it ---

// Offsets are only defined for standard-layout types (GStyleVarInfo's ImGuiStyle is one too).
static_assert(std::is_standard_layout_v<Config>);
// Enums are read and written as their int index.
static_assert(sizeof(CellKind) == sizeof(int) && sizeof(InitKind) == sizeof(int) &&
              sizeof(TaskKind) == sizeof(int) && sizeof(OptimizerKind) == sizeof(int) &&
              sizeof(Precision) == sizeof(int));

template <class T>
T& field(const ConfigKey& key, Config& config) {
  return *reinterpret_cast<T*>(reinterpret_cast<char*>(&config) + key.offset);
}
template <class T>
const T& field(const ConfigKey& key, const Config& config) {
  return *reinterpret_cast<const T*>(reinterpret_cast<const char*>(&config) + key.offset);
}
int enum_index(const ConfigKey& key, const Config& config) {
  int index;
  std::memcpy(&index, reinterpret_cast<const char*>(&config) + key.offset, sizeof index);
  return index;
}
void set_enum_index(const ConfigKey& key, Config& config, int index) {
  std::memcpy(reinterpret_cast<char*>(&config) + key.offset, &index, sizeof index);
}

bool in_range(const KeyRange& range, double x) {
  if (range.zero && x == 0) return true;
  return (range.min_open ? x > range.min : x >= range.min) && x <= range.max;
}
bool in_range(const KeyRange& range, long long x) {
  if (range.zero && x == 0) return true;
  const auto lo = static_cast<long long>(range.min), hi = static_cast<long long>(range.max);
  return (range.min_open ? x > lo : x >= lo) && x <= hi;
}

// The range as messages write it: "[1, 1024]", "(0, 10]".
std::string interval_text(const KeyRange& range, bool integer) {
  auto bound = [&](double x) {
    return integer ? std::to_string(static_cast<long long>(x)) : number_text(x);
  };
  return (range.min_open ? "(" : "[") + bound(range.min) + ", " + bound(range.max) + "]";
}

// What a number key allows, as the error message says it: "an integer in [1, 1024]", "a number
// in (0, 10]", "0 (off) or an integer in [2, 1000000]" (0 named only when outside the interval).
std::string allowed(const KeyRange& range, bool integer) {
  const std::string text =
      (integer ? "an integer in " : "a number in ") + interval_text(range, integer);
  const bool zero_inside = range.min_open ? range.min < 0 && 0 <= range.max
                                          : range.min <= 0 && 0 <= range.max;
  return range.zero && !zero_inside ? "0 (" + std::string(range.zero) + ") or " + text : text;
}

const size_t kMaxListItems = 32;

// Parses `value` into the row's field of `next`. Returns "" or the one-line error.
std::string set_value(const ConfigKey& key, Config& next, const std::string& value) {
  const std::string name = key.name;
  switch (key.type) {
    case KeyType::Int:
    case KeyType::Uint64: {
      long long parsed = 0;
      if (!parse_integer(value, parsed) || !in_range(key.range, parsed))
        return range_error(name, value, allowed(key.range, true));
      if (key.type == KeyType::Int)
        field<int>(key, next) = static_cast<int>(parsed);
      else
        field<uint64_t>(key, next) = static_cast<uint64_t>(parsed);
      return "";
    }
    case KeyType::Real: {
      double parsed = 0;
      if (!parse_number(value, parsed) || !in_range(key.range, parsed))
        return range_error(name, value, allowed(key.range, false));
      field<double>(key, next) = parsed == 0 ? 0.0 : parsed;  // -0 is 0: one canonical text
      return "";
    }
    case KeyType::Enum: {
      const int index = index_of(*key.names, value);
      if (index < 0) return range_error(name, value, "one of " + choices(*key.names));
      set_enum_index(key, next, index);
      return "";
    }
    case KeyType::CellList: {
      std::vector<CellKind>& cells = field<std::vector<CellKind>>(key, next);
      cells.clear();
      for (const std::string& part : split(value, ',')) {
        const int index = index_of(*key.names, part);
        if (index < 0) return range_error(name, value, "a comma list of " + choices(*key.names));
        const CellKind cell = static_cast<CellKind>(index);
        for (CellKind seen : cells)
          if (seen == cell) return range_error(name, value, "each cell at most once");
        cells.push_back(cell);
      }
      if (cells.empty()) return range_error(name, value, "at least one cell");
      return "";
    }
    case KeyType::IntList: {
      std::vector<int>& items = field<std::vector<int>>(key, next);
      items.clear();
      for (const std::string& part : split(value, ',')) {
        long long item = 0;
        if (!parse_integer(part, item) || !in_range(key.range, item))
          return range_error(name, value,
                             "a comma list of integers in " + interval_text(key.range, true));
        items.push_back(static_cast<int>(item));
      }
      if (items.empty() || items.size() > kMaxListItems)
        return range_error(name, value, "1 to " + std::to_string(kMaxListItems) + " " + name);
      for (size_t i = 1; i < items.size(); ++i)
        if (items[i] <= items[i - 1])
          return range_error(name, value, "increasing " + name + ", e.g. 10,100,1000");
      return "";
    }
  }
  return range_error(name, value, "?");
}

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

const char* cell_name(CellKind cell) { return name_of(kCellNames, int(cell)); }
const char* init_name(InitKind init) { return name_of(kInitNames, int(init)); }
const char* task_name(TaskKind task) { return name_of(kTaskNames, int(task)); }
const char* optimizer_name(OptimizerKind optimizer) {
  return name_of(kOptimizerNames, int(optimizer));
}
const char* precision_name(Precision precision) { return name_of(kPrecisionNames, int(precision)); }
bool parse_cell_name(const std::string& text, CellKind& cell) {
  const int index = index_of(kCellNames, text);
  if (index >= 0) cell = static_cast<CellKind>(index);
  return index >= 0;
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

namespace {

const bool kLog = true, kLinear = false;  // a slider's scale
const unsigned kModel = kAffectsModel, kDecay = kAffectsDecay, kSweep = kAffectsSweep,
               kTraining = kAffectsTraining, kCritical = kAffectsCritical,
               kTruncation = kAffectsTruncation, kMemory = kAffectsMemory;

// One row per key, in to_text's order: name, type, where the value is, its names (enums),
//   {the valid range}, {the page's control: group, place in it, slider range and scale, format;
//   {} for none: the text field takes the key},
//   what a change restarts,
//   the help line,
//   and, where it is not Applies, what a loaded model of your own makes of it.

// The model and how its weights are drawn: the cells, their size, the sequence, the seeds.
std::vector<ConfigKey> model_keys() {
  return {
    {"cell", KeyType::CellList, offsetof(Config, cells), &kCellNames,
     {}, {ControlGroup::Cells, 1},
     kModel,
     "cells to compare, comma list of rnn-tanh, rnn-relu, rnn-sigmoid, rnn-identity, "
     "lstm, gru, mingru, minlstm, lru",
     WithOwnModel::FromFile},
    {"hidden", KeyType::Int, offsetof(Config, hidden), nullptr,
     {1, 1024}, {ControlGroup::Model, 3, 1, 512, kLog, "%d"},
     kModel,
     "hidden units H, 1..1024 (the LRU's are complex: 2 H reals of state)",
     WithOwnModel::FromFile},
    {"length", KeyType::Int, offsetof(Config, length), nullptr,
     {1, kMaxLength}, {ControlGroup::Model, 2, 2, 20000, kLog, "%d"},
     kDecay | kTraining | kTruncation,
     "sequence length T of the task, 1..100000 (copy: the delay)"},
    {"seed", KeyType::Uint64, offsetof(Config, seed), nullptr,
     {0, 9007199254740992.0}, {ControlGroup::Model, 8},  // 2^53: every seed a double holds
     kModel,
     "random seed for weights, data and training"},
    {"seeds", KeyType::Int, offsetof(Config, seeds), nullptr,
     {1, 64}, {ControlGroup::Model, 9, 1, 16, kLinear, "%d"},
     kDecay | kSweep | kCritical,
     "number of seeds to average curves over, 1..64"},
    {"sequences", KeyType::Int, offsetof(Config, sequences), nullptr,
     {1, 64}, {},
     kDecay | kSweep,
     "input sequences per seed (same weights) the curves are taken over: median and 10-90% "
     "band, 1..64"},
    {"init", KeyType::Enum, offsetof(Config, init), &kInitNames,
     {}, {ControlGroup::Model, 4},
     kModel,
     "initialization: uniform (PyTorch default), xavier, orthogonal, identity",
     WithOwnModel::DrawsWeights},
    {"scale", KeyType::Real, offsetof(Config, scale), nullptr,
     {0, 100}, {ControlGroup::Model, 5, 0, 3, kLinear, "%.3g"},
     kModel,
     "multiplies W_hh after initialization (the LRU: its memory, |lambda|^(1/scale)), 0..100",
     WithOwnModel::DrawsWeights},
    {"radius", KeyType::Real, offsetof(Config, radius), nullptr,
     {0, 100, false, "off"}, {ControlGroup::Model, 6, 0, 3, kLinear, "%.3g"},
     kModel,
     "target spectral radius of each H x H block of W_hh; 0 = off",
     WithOwnModel::DrawsWeights},
    {"forget_bias", KeyType::Real, offsetof(Config, forget_bias), nullptr,
     {-20, 20}, {ControlGroup::Model, 7, -5, 10, kLinear, "%.3g"},
     kModel,
     "LSTM forget-gate bias b_if + b_hf, -20..20",
     WithOwnModel::DrawsWeights},
    {"chrono", KeyType::Int, offsetof(Config, chrono), nullptr,
     {2, 1000000, false, "off"},  // T_max = 1 would draw from U(1, 0): no such interval
     {},
     kModel,
     "chrono initialization's T_max for LSTM and GRU gate biases (replaces forget_bias), "
     "2..1000000; 0 = off",
     WithOwnModel::DrawsWeights},
  };
}

// The task, training and the experiments built on it.
std::vector<ConfigKey> training_keys() {
  return {
    {"task", KeyType::Enum, offsetof(Config, task), &kTaskNames,
     {}, {ControlGroup::Model, 1},
     kModel,
     "adding, copy, remember-first"},
    {"batch", KeyType::Int, offsetof(Config, batch), nullptr,
     {1, 4096}, {ControlGroup::Training, 1, 1, 256, kLog, "%d"},
     kTraining | kCritical | kTruncation,
     "minibatch size, 1..4096"},
    {"optimizer", KeyType::Enum, offsetof(Config, optimizer), &kOptimizerNames,
     {}, {ControlGroup::Training, 2},
     kTraining | kCritical,
     "sgd (with momentum) or adam"},
    {"lr", KeyType::Real, offsetof(Config, lr), nullptr,
     {0, 10, true}, {ControlGroup::Training, 3, 1e-4, 1, kLog, "%.2g"},
     kTraining | kCritical,
     "learning rate, (0, 10]"},
    {"momentum", KeyType::Real, offsetof(Config, momentum), nullptr,
     {0, 0.999}, {ControlGroup::Training, 4, 0, 0.99, kLinear, "%.2f",
                     "optimizer=sgd"},
     kTraining | kCritical,
     "SGD momentum, 0..0.999"},
    {"clip", KeyType::Real, offsetof(Config, clip), nullptr,
     {0, 1e9, false, "off"}, {ControlGroup::Training, 5, 0, 100, kLinear, "%.3g"},
     kTraining | kCritical,
     "clip gradients to this global norm; 0 = off"},
    {"truncate", KeyType::Int, offsetof(Config, truncate), nullptr,
     {0, 1000000, false, "full"}, {},
     kTraining | kCritical,
     "truncated BPTT: each loss's gradient flows back at most this many steps, "
     "0..1000000; 0 = full"},
    {"iters", KeyType::Int, offsetof(Config, iters), nullptr,
     {1, 1000000}, {ControlGroup::Training, 6, 10, 20000, kLog, "%d"},
     kCritical,  // the page's training goes on to the new count instead of starting again
     "training iterations, 1..1000000"},
    {"lengths", KeyType::IntList, offsetof(Config, lengths), nullptr,
     {1, kMaxLength}, {},  // a list: no slider
     kSweep | kCritical,
     "sequence lengths for the sweep and the critical experiment, comma list of 1..100000"},
    {"solve_threshold", KeyType::Real, offsetof(Config, solve_threshold), nullptr,
     {0, 1, true}, {},
     kAffectsCriticalScore,
     "critical experiment: solved = final loss below this times chance, (0, 1]"},
  };
}

// How the numbers are computed and shown: precision, the page's tour.
std::vector<ConfigKey> run_keys() {
  return {
    {"precision", KeyType::Enum, offsetof(Config, precision), &kPrecisionNames,
     {}, {},
     kModel,
     "f32 (fast) or f64 (the reference)",
     WithOwnModel::FileDefault},
    {"tour", KeyType::Int, offsetof(Config, tour), nullptr,
     {0, kTourSteps, false, "off"}, {},  // the tour's own buttons set it (web/tour.cpp)
     kAffectsNothing,
     "the page's guided tour: the step shown, 1..11; 0 = off (no effect on numbers)"},
  };
}

// The LRU's ring (Orvieto et al. 2023): only its drawn model reads them.
std::vector<ConfigKey> lru_keys() {
  return {
    {"r_min", KeyType::Real, offsetof(Config, r_min), nullptr,
     {0.001, 0.99999}, {ControlGroup::Model, 10, 0.001, 0.999, kLinear, "%.3g", "cell=lru"},
     kModel,
     "LRU: smallest drawn |lambda|, 0.001..0.99999, at most r_max",
     WithOwnModel::DrawsWeights},
    {"r_max", KeyType::Real, offsetof(Config, r_max), nullptr,
     {0.001, 0.99999}, {ControlGroup::Model, 11, 0.5, 0.9999, kLinear, "%.4g", "cell=lru"},
     kModel,
     "LRU: largest drawn |lambda|, 0.001..0.99999",
     WithOwnModel::DrawsWeights},
    {"max_phase", KeyType::Real, offsetof(Config, max_phase), nullptr,
     {0, 6.2832, true}, {ControlGroup::Model, 12, 0.01, 3.1416, kLinear, "%.3g", "cell=lru"},
     kModel,
     "LRU: largest drawn phase of lambda in radians, (0, 6.2832]",
     WithOwnModel::DrawsWeights},
  };
}

// The curse of memory's one-dimensional student (analyses/curse_of_memory.h): no cell reads them.
std::vector<ConfigKey> memory_keys() {
  return {
    {"teacher", KeyType::Real, offsetof(Config, teacher), nullptr,
     {0, kMaxMemoryLambda, true}, {ControlGroup::Memory, 1, 0.5, 0.9999, kLinear, "%.4g"},
     kMemory,
     "curse of memory: the teacher's lambda, (0, 0.9999]"},
    {"rho", KeyType::Real, offsetof(Config, rho), nullptr,
     {0, kMaxMemoryRho}, {ControlGroup::Memory, 2, 0, 0.99, kLinear, "%.2f"},
     kMemory,
     "curse of memory: the inputs' autocorrelation at lag 1, 0..0.99 (0: white noise)"},
    {"student", KeyType::Real, offsetof(Config, student), nullptr,
     {0, kMaxMemoryLambda, true}, {ControlGroup::Memory, 3, 0.01, 0.9999, kLinear, "%.4g"},
     kMemory,
     "curse of memory: the student's lambda where its descent starts, (0, 0.9999]"},
    {"student_lr", KeyType::Real, offsetof(Config, student_lr), nullptr,
     {0, 1e6, true}, {ControlGroup::Memory, 4, 1e-4, 10, kLog, "%.2g"},
     kMemory,
     "curse of memory: the descent's learning rate, (0, 1000000]"},
    {"student_iters", KeyType::Int, offsetof(Config, student_iters), nullptr,
     {1, kMaxMemoryIterations}, {ControlGroup::Memory, 5, 10, 10000, kLog, "%d"},
     kMemory,
     "curse of memory: the descent's iterations, 1..100000"},
  };
}

}  // namespace

// Every key, in to_text's order: the groups above, one after the other.
const std::vector<ConfigKey>& config_keys() {
  static const std::vector<ConfigKey> keys = [] {
    std::vector<ConfigKey> all;
    for (auto group : {model_keys, training_keys, run_keys, lru_keys, memory_keys}) {
      const std::vector<ConfigKey> rows = group();
      all.insert(all.end(), rows.begin(), rows.end());
    }
    return all;
  }();
  return keys;
}

std::vector<std::string> keys_with_own_model(WithOwnModel role) {
  std::vector<std::string> names;
  for (const ConfigKey& key : config_keys())
    if (key.with_own_model == role) names.push_back(key.name);
  return names;
}

const ConfigKey* find_config_key(const std::string& name) {
  for (const ConfigKey& key : config_keys())
    if (name == key.name) return &key;
  return nullptr;
}

void* config_field(const ConfigKey& key, Config& config) {
  return reinterpret_cast<char*>(&config) + key.offset;
}

std::string config_value_text(const ConfigKey& key, const Config& config) {
  switch (key.type) {
    case KeyType::Int: return std::to_string(field<int>(key, config));
    case KeyType::Uint64: return std::to_string(field<uint64_t>(key, config));
    case KeyType::Real: return number_text(field<double>(key, config));
    case KeyType::Enum: return name_of(*key.names, enum_index(key, config));
    case KeyType::CellList: return cells_text(field<std::vector<CellKind>>(key, config));
    case KeyType::IntList: return lengths_text(field<std::vector<int>>(key, config));
  }
  return "?";
}

bool same_config(const Config& a, const Config& b) {
  for (const ConfigKey& key : config_keys()) {
    bool same = false;
    switch (key.type) {
      case KeyType::Int: same = field<int>(key, a) == field<int>(key, b); break;
      case KeyType::Uint64: same = field<uint64_t>(key, a) == field<uint64_t>(key, b); break;
      case KeyType::Real:
        same = std::memcmp(&field<double>(key, a), &field<double>(key, b), sizeof(double)) == 0;
        break;
      case KeyType::Enum: same = enum_index(key, a) == enum_index(key, b); break;
      case KeyType::CellList:
        same = field<std::vector<CellKind>>(key, a) == field<std::vector<CellKind>>(key, b);
        break;
      case KeyType::IntList:
        same = field<std::vector<int>>(key, a) == field<std::vector<int>>(key, b);
        break;
    }
    if (!same) return false;
  }
  return true;
}

std::string set_config_value(Config& config, const std::string& key, const std::string& value) {
  const ConfigKey* row = find_config_key(key);
  if (!row) {
    std::string known;
    for (const ConfigKey& k : config_keys())
      known += (known.empty() ? "" : ", ") + std::string(k.name);
    return "unknown key '" + excerpt(key) + "' (known keys: " + known + ")";
  }
  Config next = config;  // edit a copy so that a failure leaves `config` untouched
  if (std::string error = set_value(*row, next, value); !error.empty()) return error;
  config = next;
  return "";
}

std::string validate_config(const Config& c) {
  const bool lru = selects(c, CellKind::Lru);
  // whatever the cells: a link that sets them for later must not make the LRU unselectable
  if (c.r_min > c.r_max)
    return "r_min=" + number_text(c.r_min) + " is above r_max=" + number_text(c.r_max) +
           ": the LRU's ring needs r_min <= r_max";
  if (c.scale == 0 && lru)
    return "scale=0 is invalid with cell=lru: the LRU's scale multiplies its memory "
           "(|lambda|^(1/scale)), and a memory of 0 steps has no gradient to show";
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
           " and batch=" + std::to_string(c.batch) +
           (cells == 1 ? " are too large to train one cell: ("
                       : " with " + std::to_string(cells) + " cells are too large to train: cells x (") +
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

namespace {

// The canonical pairs of the keys `wanted` picks, '&'-separated, in the table's order.
template <class Wanted>
std::string pairs_text(const Config& config, Wanted wanted) {
  std::string text;
  for (const ConfigKey& key : config_keys())
    if (wanted(key))
      text += (text.empty() ? "" : "&") + std::string(key.name) + "=" +
              config_value_text(key, config);
  return text;
}

}  // namespace

std::string to_text(const Config& config) {
  return pairs_text(config, [](const ConfigKey&) { return true; });
}

std::string keys_text(const Config& config, unsigned affects) {
  return pairs_text(config, [&](const ConfigKey& key) { return (key.affects & affects) != 0; });
}

std::vector<std::pair<std::string, std::string>> config_pairs(const Config& config) {
  std::vector<std::pair<std::string, std::string>> pairs;
  for (const ConfigKey& key : config_keys())
    pairs.emplace_back(key.name, config_value_text(key, config));
  return pairs;
}

}  // namespace gs
