// The table of keys (core/model/config.h, config_keys()): every key there was before the table is a
// row with exactly the range, help, default and restart set it had, and to_text writes the same
// bytes as before for every config; every field of Config is a row; each row agrees with itself
// (its help and its range, its slider and its range).
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <limits>
#include <random>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "model/config.h"
#include "config_samples.h"

using namespace gs;

namespace {

// to_text as it was before the table (commit df9287f), kept whole, with its own names and number
// format: URL hashes, fixtures and exports hold its output, so the table's must be the same bytes.
namespace before_table {

const char* const kCells[] = {"rnn-tanh", "rnn-relu", "rnn-sigmoid", "rnn-identity", "lstm",
                              "gru",      "mingru",   "minlstm",     "lru"};  // later cells appended
const char* const kInits[] = {"uniform", "xavier", "orthogonal", "identity"};
const char* const kTasks[] = {"adding", "copy", "remember-first"};
const char* const kOptimizers[] = {"sgd", "adam"};
const char* const kPrecisions[] = {"f32", "f64"};

std::string format_exact(double value) {
  if (!std::isfinite(value)) return "overflow";
  char buffer[32];
  for (int precision = 1; precision <= 17; ++precision) {
    std::snprintf(buffer, sizeof buffer, "%.*g", precision, value);
    if (std::strtod(buffer, nullptr) == value) break;
  }
  return buffer;
}

std::string number_text(double x) {
  if (x == std::floor(x) && std::abs(x) < 1e15) {
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%.0f", x);
    return buffer;
  }
  return format_exact(x);
}

std::string cells_text(const std::vector<CellKind>& cells) {
  std::string out;
  for (CellKind cell : cells) out += (out.empty() ? "" : ",") + std::string(kCells[int(cell)]);
  return out;
}

std::string lengths_text(const std::vector<int>& lengths) {
  std::string out;
  for (int length : lengths) out += (out.empty() ? "" : ",") + std::to_string(length);
  return out;
}

std::string to_text(const Config& c) {
  std::ostringstream out;
  out << "cell=" << before_table::cells_text(c.cells) << "&hidden=" << c.hidden << "&length=" << c.length
      << "&seed=" << c.seed << "&seeds=" << c.seeds << "&sequences=" << c.sequences
      << "&init=" << kInits[int(c.init)]
      << "&scale=" << number_text(c.scale) << "&radius=" << number_text(c.radius)
      << "&forget_bias=" << number_text(c.forget_bias) << "&chrono=" << c.chrono
      << "&task=" << kTasks[int(c.task)]
      << "&batch=" << c.batch << "&optimizer=" << kOptimizers[int(c.optimizer)]
      << "&lr=" << number_text(c.lr) << "&momentum=" << number_text(c.momentum)
      << "&clip=" << number_text(c.clip) << "&truncate=" << c.truncate << "&iters=" << c.iters
      << "&lengths=" << lengths_text(c.lengths)
      << "&solve_threshold=" << number_text(c.solve_threshold)
      << "&precision=" << kPrecisions[int(c.precision)];
  return out.str();
}

}  // namespace before_table

// Every key as it was before the table: its type, valid range, help, default and the page's
// restarts (web/worker/compute.cpp's hand-written key sets: model keys restart everything, then decay
// length seeds sequences, sweep lengths seeds sequences, training length batch optimizer lr
// momentum clip truncate; the critical experiment's flags are new). The controls are
// web/controls.cpp's as they were: group, place in the panel, slider range, scale and format;
// sequences, chrono, truncate, lengths, solve_threshold and precision had none.
struct Before {
  const char* name;
  KeyType type;
  KeyRange range;
  KeyControl control;
  unsigned affects;
  const char* default_text;
  const char* help;
};

const unsigned kModel = kAffectsModel, kDecay = kAffectsDecay, kSweep = kAffectsSweep,
               kTraining = kAffectsTraining, kCritical = kAffectsCritical,
               kTruncation = kAffectsTruncation;
const auto kCellsGroup = ControlGroup::Cells, kModelGroup = ControlGroup::Model,
           kTrainingGroup = ControlGroup::Training;

const Before kBefore[] = {
    {"cell", KeyType::CellList, {}, {kCellsGroup, 1}, kModel, "rnn-tanh,lstm,gru",
     "cells to compare, comma list of rnn-tanh, rnn-relu, rnn-sigmoid, rnn-identity, lstm, gru, "
     "mingru, minlstm, lru"},
    {"hidden", KeyType::Int, {1, 1024}, {kModelGroup, 3, 1, 512, true, "%d"}, kModel, "32",
     "hidden units H, 1..1024 (the LRU's are complex: 2 H reals of state)"},
    {"length", KeyType::Int, {1, 100000}, {kModelGroup, 2, 2, 20000, true, "%d"}, kDecay | kTraining | kTruncation,
     "50", "sequence length T of the task, 1..100000 (copy: the delay)"},
    {"seed", KeyType::Uint64, {0, 9007199254740992.0}, {kModelGroup, 8}, kModel, "2",  // 1 before the first-minute issue
     "random seed for weights, data and training"},
    {"seeds", KeyType::Int, {1, 64}, {kModelGroup, 9, 1, 16, false, "%d"}, kDecay | kSweep | kCritical,
     "1", "number of seeds to average curves over, 1..64"},
    {"sequences", KeyType::Int, {1, 64}, {}, kDecay | kSweep, "1",
     "input sequences per seed (same weights) the curves are taken over: median and 10-90% band, "
     "1..64"},
    {"init", KeyType::Enum, {}, {kModelGroup, 4}, kModel, "uniform",
     "initialization: uniform (PyTorch default), xavier, orthogonal, identity"},
    {"scale", KeyType::Real, {0, 100}, {kModelGroup, 5, 0, 3, false, "%.3g"}, kModel, "1",
     "multiplies W_hh after initialization (the LRU: its memory, |lambda|^(1/scale)), 0..100"},
    {"radius", KeyType::Real, {0, 100, false, "off"}, {kModelGroup, 6, 0, 3, false, "%.3g"}, kModel,
     "0", "target spectral radius of each H x H block of W_hh; 0 = off"},
    {"forget_bias", KeyType::Real, {-20, 20}, {kModelGroup, 7, -5, 10, false, "%.3g"}, kModel, "1",
     "LSTM forget-gate bias b_if + b_hf, -20..20"},
    {"chrono", KeyType::Int, {2, 1000000, false, "off"}, {}, kModel,
     "0",
     "chrono initialization's T_max for LSTM and GRU gate biases (replaces forget_bias), "
     "2..1000000; 0 = off"},
    {"task", KeyType::Enum, {}, {kModelGroup, 1}, kModel, "adding", "adding, copy, remember-first"},
    {"batch", KeyType::Int, {1, 4096}, {kTrainingGroup, 1, 1, 256, true, "%d"},
     kTraining | kCritical | kTruncation,
     "32", "minibatch size, 1..4096"},
    {"optimizer", KeyType::Enum, {}, {kTrainingGroup, 2}, kTraining | kCritical, "adam",
     "sgd (with momentum) or adam"},
    {"lr", KeyType::Real, {0, 10, true}, {kTrainingGroup, 3, 1e-4, 1, true, "%.2g"},
     kTraining | kCritical, "0.01", "learning rate, (0, 10]"},
    {"momentum", KeyType::Real, {0, 0.999}, {kTrainingGroup, 4, 0, 0.99, false, "%.2f"},
     kTraining | kCritical, "0.9", "SGD momentum, 0..0.999"},
    {"clip", KeyType::Real, {0, 1e9, false, "off"}, {kTrainingGroup, 5, 0, 100, false, "%.3g"},
     kTraining | kCritical, "1", "clip gradients to this global norm; 0 = off"},
    {"truncate", KeyType::Int, {0, 1000000, false, "full"}, {},
     kTraining | kCritical, "0",
     "truncated BPTT: each loss's gradient flows back at most this many steps, 0..1000000; "
     "0 = full"},
    {"iters", KeyType::Int, {1, 1000000}, {kTrainingGroup, 6, 10, 20000, true, "%d"}, kCritical, "600",
     "training iterations, 1..1000000"},
    {"lengths", KeyType::IntList, {1, 100000}, {}, kSweep | kCritical, "10,20,50,100,200",  // 10,...,3000 before
     "sequence lengths for the sweep and the critical experiment, comma list of 1..100000"},
    {"solve_threshold", KeyType::Real, {0, 1, true}, {},
     kAffectsCriticalScore, "0.1",
     "critical experiment: solved = final loss below this times chance, (0, 1]"},
    {"precision", KeyType::Enum, {}, {}, kModel, "f32",
     "f32 (fast) or f64 (the reference)"},
};

bool was_before(const std::string& name) {
  for (const Before& b : kBefore)
    if (name == b.name) return true;
  return false;
}

// The canonical text without the keys added after the table was made, so that this test holds
// the old keys' bytes still when a new key is added.
std::string without_new_keys(const std::string& text) {
  std::string out, pair;
  std::istringstream stream(text);
  while (std::getline(stream, pair, '&'))
    if (was_before(pair.substr(0, pair.find('='))))
      out += (out.empty() ? "" : "&") + pair;
  return out;
}

// Any value at all in every field, no validation: to_text writes whatever a Config holds.
Config random_fields(std::mt19937_64& rng) {
  auto pick = [&](int n) { return static_cast<int>(rng() % n); };
  const double specials[] = {0.0,
                             -0.0,
                             0.1,
                             1.0 / 3,
                             -2.5,
                             1e15,
                             1e15 - 1,
                             -1e15 + 1,
                             999999999999999.5,
                             1e16,
                             123456789012345678.0,
                             1e-320,
                             5e-324,
                             std::numeric_limits<double>::max(),
                             std::numeric_limits<double>::infinity(),
                             std::numeric_limits<double>::quiet_NaN()};
  auto real = [&]() -> double {
    switch (pick(4)) {
      case 0: return specials[pick(int(std::size(specials)))];
      case 1: return std::round(std::ldexp(double(rng() >> 11), -pick(60)));  // integers
      case 2: {
        double any;
        const uint64_t bits = rng();
        std::memcpy(&any, &bits, sizeof any);  // NaN, inf and subnormals included
        return any;
      }
      default: return std::uniform_real_distribution<double>(-100, 100)(rng);
    }
  };
  auto integer = [&]() -> int {
    switch (pick(3)) {
      case 0: return pick(100);
      case 1: return static_cast<int>(static_cast<uint32_t>(rng()));  // any int
      default: return pick(2000000) - 1000000;
    }
  };
  Config c;
  c.cells.clear();
  for (int n = pick(8); n > 0; --n) c.cells.push_back(static_cast<CellKind>(pick(int(std::size(before_table::kCells)))));
  c.hidden = integer();
  c.length = integer();
  c.seed = pick(2) ? rng() : rng() >> 11;
  c.seeds = integer();
  c.sequences = integer();
  c.init = static_cast<InitKind>(pick(4));
  c.scale = real();
  c.radius = real();
  c.forget_bias = real();
  c.chrono = integer();
  c.task = static_cast<TaskKind>(pick(3));
  c.batch = integer();
  c.optimizer = static_cast<OptimizerKind>(pick(2));
  c.lr = real();
  c.momentum = real();
  c.clip = real();
  c.truncate = integer();
  c.iters = integer();
  c.lengths.clear();
  for (int n = pick(7); n > 0; --n) c.lengths.push_back(integer());
  c.solve_threshold = real();
  c.precision = static_cast<Precision>(pick(2));
  return c;
}

}  // namespace

TEST_CASE("to_text writes the same bytes as before the table, for any config") {
  CHECK(to_text(Config()) ==
        "cell=rnn-tanh,lstm,gru&hidden=32&length=50&seed=2&seeds=1&sequences=1&init=uniform&"
        "scale=1&radius=0&forget_bias=1&chrono=0&task=adding&batch=32&optimizer=adam&lr=0.01&"
        "momentum=0.9&clip=1&truncate=0&iters=600&lengths=10,20,50,100,200&"
        "solve_threshold=0.1&precision=f32&tour=0&r_min=0.9&r_max=0.999&"
        "max_phase=0.3141592653589793&teacher=0.99&rho=0&student=0.5&student_lr=0.1&"
        "student_iters=300");  // tour, r_min, ...: added after the table
  std::mt19937_64 rng(20240610);
  int compared = 0, accepted = 0, differing = 0;
  for (int i = 0; i < 50000; ++i, ++compared) {
    const Config c = random_fields(rng);
    const std::string before = before_table::to_text(c);
    if (without_new_keys(to_text(c)) != before && ++differing <= 5) {
      INFO(before);
      CHECK(without_new_keys(to_text(c)) == before);
    }
  }
  // Configs the parser accepts, as the page and the CLI make them.
  for (int i = 0; i < 10000; ++i) {
    Config c;
    if (!parse_config(c, gs_samples::random_config_text(rng)).empty()) continue;
    ++compared, ++accepted;
    if (without_new_keys(to_text(c)) != before_table::to_text(c) && ++differing <= 5)
      CHECK(without_new_keys(to_text(c)) == before_table::to_text(c));
  }
  CHECK(differing == 0);
  CHECK(accepted > 2000);  // most are refused by a memory limit as a whole: ~40% pass
  MESSAGE(compared << " configs compared, " << accepted << " of them parsed");
}

TEST_CASE("every key there was before the table is a row, with its range, help and default") {
  const std::vector<ConfigKey>& keys = config_keys();
  size_t previous = 0;
  for (const Before& b : kBefore) {
    CAPTURE(b.name);
    const ConfigKey* key = find_config_key(b.name);
    REQUIRE(key != nullptr);
    const size_t index = static_cast<size_t>(key - keys.data());
    CHECK(index >= previous);  // in the old order (new keys may come in between)
    previous = index;
    CHECK(key->type == b.type);
    CHECK(key->range.min == b.range.min);
    CHECK(key->range.max == b.range.max);
    CHECK(key->range.min_open == b.range.min_open);
    CHECK(std::string(key->range.zero ? key->range.zero : "") == (b.range.zero ? b.range.zero : ""));
    CHECK(key->control.group == b.control.group);
    CHECK(key->control.position == b.control.position);
    CHECK(key->control.min == b.control.min);
    CHECK(key->control.max == b.control.max);
    CHECK(key->control.log == b.control.log);
    CHECK(std::string(key->control.format ? key->control.format : "") ==
          (b.control.format ? b.control.format : ""));
    CHECK(key->affects == b.affects);
    CHECK(std::string(key->help) == b.help);
    CHECK(config_value_text(*key, Config()) == b.default_text);
  }
}

TEST_CASE("every field of Config is a row: the rows' fields tile the struct up to padding") {
  struct Span {
    size_t offset, size, align;
  };
  std::vector<Span> spans;
  for (const ConfigKey& key : config_keys()) {
    switch (key.type) {
      case KeyType::Int:
      case KeyType::Enum: spans.push_back({key.offset, sizeof(int), alignof(int)}); break;
      case KeyType::Uint64: spans.push_back({key.offset, 8, alignof(uint64_t)}); break;
      case KeyType::Real: spans.push_back({key.offset, 8, alignof(double)}); break;
      case KeyType::CellList:
        spans.push_back({key.offset, sizeof(std::vector<CellKind>), alignof(std::vector<int>)});
        break;
      case KeyType::IntList:
        spans.push_back({key.offset, sizeof(std::vector<int>), alignof(std::vector<int>)});
        break;
    }
  }
  std::sort(spans.begin(), spans.end(),
            [](const Span& a, const Span& b) { return a.offset < b.offset; });
  size_t end = 0;
  for (const Span& span : spans) {
    CAPTURE(span.offset);
    CHECK(span.offset >= end);              // no two rows share a field
    CHECK(span.offset - end < span.align);  // nothing but padding before it
    end = span.offset + span.size;
  }
  CHECK(sizeof(Config) - end < alignof(Config));
}

TEST_CASE("each row agrees with itself: names, the help's range, the slider inside the range") {
  const std::regex dots(R"((-?[0-9.]+)\.\.(-?[0-9.]+))"), interval(R"(([\(\[])(-?[0-9.e]+), (-?[0-9.e]+)\])");
  for (const ConfigKey& key : config_keys()) {
    CAPTURE(key.name);
    CHECK(find_config_key(key.name) == &key);  // one row per name
    const bool named = key.type == KeyType::Enum || key.type == KeyType::CellList;
    CHECK((key.names != nullptr) == named);
    const bool numeric = key.type == KeyType::Int || key.type == KeyType::Uint64 ||
                         key.type == KeyType::Real || key.type == KeyType::IntList;
    if (!numeric) continue;
    CHECK(key.range.min < key.range.max);
    // A range in the help is the row's: "1..1024" (closed) or "(0, 10]".
    const std::string help = key.help;
    std::smatch m;
    if (std::regex_search(help, m, dots)) {
      // "1..11; 0 = off" for a range [0, 11] whose 0 means off (tour) says the same
      CHECK((std::stod(m[1]) == key.range.min ||
             (key.range.zero && key.range.min == 0 && std::stod(m[1]) == 1)));
      CHECK(std::stod(m[2]) == key.range.max);
      CHECK_FALSE(key.range.min_open);
    } else if (std::regex_search(help, m, interval)) {
      CHECK((m[1] == "(") == key.range.min_open);
      CHECK(std::stod(m[2]) == key.range.min);
      CHECK(std::stod(m[3]) == key.range.max);
    }
    // "0 = off" in the help exactly when the row says 0 means off.
    const std::string zero = key.range.zero ? std::string("0 = ") + key.range.zero : "0 = ";
    CHECK((help.find(zero) != std::string::npos) == (key.range.zero != nullptr));
    // The slider offers only valid values (and 0 where 0 means off).
    if ((key.type == KeyType::Int || key.type == KeyType::Real) &&
        key.control.group != ControlGroup::None) {
      CHECK(key.control.min < key.control.max);
      CHECK(key.control.format != nullptr);
      for (double end : {key.control.min, key.control.max}) {
        Config c;
        char text[40];
        std::snprintf(text, sizeof text, "%.17g", end);
        CHECK(set_config_value(c, key.name, text) == "");
      }
    }
  }
}

TEST_CASE("the controls panel's places: 1..n in each group, none without a group") {
  for (ControlGroup group : {ControlGroup::Cells, ControlGroup::Model, ControlGroup::Training}) {
    std::vector<int> positions;
    for (const ConfigKey& key : config_keys())
      if (key.control.group == group) positions.push_back(key.control.position);
    std::sort(positions.begin(), positions.end());
    CAPTURE(int(group));
    REQUIRE(!positions.empty());
    for (size_t i = 0; i < positions.size(); ++i) CHECK(positions[i] == int(i) + 1);
  }
  for (const ConfigKey& key : config_keys()) {
    CAPTURE(key.name);
    if (key.control.group != ControlGroup::None) continue;
    CHECK(key.control.position == 0);
    CHECK(key.control.min == key.control.max);  // no slider
    CHECK(key.control.format == nullptr);
    CHECK(key.control.shown_with == nullptr);
  }
  // A control shown only with another key's value names a key=value the parser takes, and
  // another control: a condition no control can change would hide it for good.
  for (const ConfigKey& key : config_keys()) {
    if (!key.control.shown_with) continue;
    CAPTURE(key.name);
    Config c;
    REQUIRE(parse_config(c, key.control.shown_with) == "");
    const std::string other(key.control.shown_with, std::strchr(key.control.shown_with, '='));
    REQUIRE(find_config_key(other) != nullptr);
    CHECK(find_config_key(other)->control.group != ControlGroup::None);
    // written as to_text writes it (the controls compare the text): "clip=1.0" would never match
    CHECK(config_value_text(*find_config_key(other), c) ==
          std::string(std::strchr(key.control.shown_with, '=') + 1));
    CHECK(other != key.name);
  }
}

TEST_CASE("the fuzzer's dictionary holds every key and every name of the table") {
  std::ifstream file(std::string(GRADSCOPE_SOURCE_DIR) + "/tests/fuzz/config.dict");
  REQUIRE(file.good());
  std::vector<std::string> entries;
  for (std::string line; std::getline(file, line);) entries.push_back(line);
  auto has = [&](const std::string& word) {
    return std::find(entries.begin(), entries.end(), "\"" + word + "\"") != entries.end();
  };
  for (const ConfigKey& key : config_keys()) {
    CAPTURE(key.name);
    CHECK(has(std::string(key.name) + "="));
    if (key.names)
      for (int i = 0; i < key.names->count; ++i) CHECK(has(key.names->names[i]));
  }
}
