// One configuration, one vocabulary. The same `key=value` pairs are the CLI flags
// (`--hidden 64`), the URL hash (`#cell=lstm&hidden=64`) and the UI labels; they are parsed and
// validated here and nowhere else. Errors are returned as values (the web build has no
// exceptions) and name the key, the value and what is allowed.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "io/shown_text.h"  // excerpt: how the messages below quote what was typed

namespace gs {

enum class CellKind { RnnTanh, RnnRelu, RnnSigmoid, RnnIdentity, Lstm, Gru, MinGru, MinLstm, Lru };
enum class InitKind { Uniform, Xavier, Orthogonal, Identity };
enum class TaskKind { Adding, Copy, RememberFirst };
enum class OptimizerKind { Sgd, Adam };
// The scalar type the core computes in (scalar.h). Float32, the default, runs twice as many
// numbers per instruction as float64 and moves half the bytes; its decay curves agree with a
// float64 PyTorch replay to about 1e-5 in log10 over 3,000 steps. Float64 is the reference: the
// finite-difference, PyTorch and closed-form checks run in it, to 1e-12.
enum class Precision { F32, F64 };

struct Config {
  std::vector<CellKind> cells = {CellKind::RnnTanh, CellKind::Lstm, CellKind::Gru};  // cell
  int hidden = 32;    // H, units per layer (the LRU's are complex: its state holds 2 H reals)
  int length = 50;    // T of the task (copy: the delay; the sequence is T + 20 steps)
  uint64_t seed = 2;  // seeds models, data and training (2: a typical model, see the README)
  int seeds = 1;      // how many seeds (seed, seed+1, ...) curves are averaged over
  int sequences = 1;  // input sequences per seed, same weights: curves are taken over all
  InitKind init = InitKind::Uniform;
  double scale = 1.0;        // multiplies W_hh after initialization
  double radius = 0.0;       // if > 0: each H x H block of W_hh rescaled to this spectral radius
  double forget_bias = 1.0;  // LSTM: b_ih + b_hh of the forget gate
  int chrono = 0;            // LSTM, GRU: chrono initialization's T_max (chrono.h); 0 = off
  // The LRU's drawn eigenvalues (Orvieto et al. 2023): |lambda| uniform in area on the ring
  // [r_min, r_max], phase uniform in [0, max_phase].
  double r_min = 0.9;
  double r_max = 0.999;
  double max_phase = 0.3141592653589793;  // pi / 10
  TaskKind task = TaskKind::Adding;
  int batch = 32;
  OptimizerKind optimizer = OptimizerKind::Adam;
  double lr = 0.01;
  double momentum = 0.9;  // SGD only
  double clip = 1.0;      // max global gradient norm; 0 = no clipping
  int truncate = 0;       // truncated BPTT (truncation.h): each loss's gradient flows back at
                          // most this many steps; 0 = full BPTT
  int iters = 600;        // training iterations: at T = 50 enough for LSTM and GRU to
                          // solve the adding task, while a tanh RNN stays at chance
  std::vector<int> lengths = {10, 20, 50, 100, 200};  // sweep, critical experiment
  double solve_threshold = 0.1;  // critical experiment: solved = final loss < this x chance
  // The curse of memory (analyses/curse_of_memory.h): a student's lambda learning a teacher's on
  // h_t = lambda h_{t-1} + x_t, inputs of autocorrelation rho; gradient descent from `student`.
  double teacher = 0.99;
  double rho = 0;
  double student = 0.5;
  double student_lr = 0.1;
  int student_iters = 300;
  Precision precision = Precision::F32;
  int tour = 0;  // the page's guided tour: the step shown (1-based), 0 = off; the CLI ignores it
};

// Whether `cell` is among the configuration's cells.
inline bool selects(const Config& config, CellKind cell) {
  for (CellKind c : config.cells)
    if (c == cell) return true;
  return false;
}

// The guided tour's steps (the page's web/tour.cpp holds them): `tour` is 0..kTourSteps.
inline constexpr int kTourSteps = 11;

// --- the table of keys -------------------------------------------------------------------
// One row per key, in to_text's order (config_keys()), as Dear ImGui's GStyleVarInfo[] describes
// each style variable by a type and an offset into ImGuiStyle. Everything that handles keys
// reads the rows: the parser (set_config_value), to_text and config_pairs, same_config, the CLI's
// --help, the page's restart logic (keys_text) and its controls. A new key is a field of Config,
// one row, and its use.

// How the value is stored in Config, and so how it is parsed, written and edited.
enum class KeyType {
  Int,       // int
  Uint64,    // uint64_t
  Real,      // double; -0 is stored as 0
  Enum,      // an enum class whose values are 0..n-1, named by the row's `names`
  CellList,  // std::vector<CellKind>: a comma list of cell names, each at most once
  IntList,   // std::vector<int>: a comma list of increasing integers, each within the range
};

// An enum's names, indexed by its values.
struct KeyNames {
  const char* const* names;
  int count;
};

// What a change of the key makes stale: the computations that must start again (bit flags).
enum Affects : unsigned {
  kAffectsNothing = 0,
  kAffectsModel = 1u << 0,     // the model or its data: every computation below
  kAffectsDecay = 1u << 1,     // the decay curves (and the heatmap)
  kAffectsSweep = 1u << 2,     // the length sweep
  kAffectsTraining = 1u << 3,  // the live training
  kAffectsCritical = 1u << 4,  // the critical experiment's training runs
  kAffectsCriticalScore = 1u << 5,  // only its verdicts: rescored (rescore_critical), not retrained
  kAffectsTruncation = 1u << 6,  // the truncation probe (training's first weights and minibatch)
  kAffectsMemory = 1u << 7,      // the curse of memory's curves and descent (no model in them)
};

// The values the parser accepts (Int, Uint64, Real, and each item of an IntList): [min, max], or
// (min, max] with min_open; with `zero`, 0 as well, meaning that word ("off"). The error message
// says the same: "an integer in [1, 1024]", "0 (off) or an integer in [2, 1000000]".
struct KeyRange {
  double min = 0, max = 0;
  bool min_open = false;
  const char* zero = nullptr;
};

// Where the page's controls panel shows the key. The widget follows the type: a slider for Int
// and Real, a combo for Enum, checkboxes for the CellList, an input box for the Uint64 (a seed
// names a random stream: no slider). Keys without a control (the IntList among them) are typed
// into the text field, as in the URL hash.
enum class ControlGroup { None, Cells, Model, Training, Memory };

// The page's control: its group and its place in the group (1 at the top; the panel's order is
// not to_text's: task comes first, since it gives length its meaning). Sliders (Int, Real)
// offer [min, max], narrower than the valid range, logarithmic or not, showing the value with
// `format` (with the range's `zero`, that word at 0). A control that acts only with another key's
// value (momentum only with SGD) names it, "key=value", and is hidden otherwise.
struct KeyControl {
  ControlGroup group = ControlGroup::None;
  int position = 0;
  double min = 0, max = 0;
  bool log = false;
  const char* format = nullptr;
  const char* shown_with = nullptr;
};

// What a loaded model of your own (core/io/own_model.h) makes of the key.
enum class WithOwnModel {
  Applies,       // the same as with drawn models
  FromFile,      // the file says it (cell, hidden): a value that contradicts the file is refused
  FileDefault,   // the file's value unless the key is given (precision: the file's dtype)
  DrawsWeights,  // it shapes drawn weights only (init, scale, ...): refused when given
};

struct ConfigKey {
  const char* name;
  KeyType type;
  size_t offset;          // where the value is: offsetof(Config, field)
  const KeyNames* names;  // Enum and CellList: the names; otherwise nullptr
  KeyRange range;
  KeyControl control;
  unsigned affects;  // Affects flags
  const char* help;  // one line, for --help and tooltips
  WithOwnModel with_own_model = WithOwnModel::Applies;
};

// Every key in the vocabulary, in the order used by to_text().
const std::vector<ConfigKey>& config_keys();
// The names of the keys whose with_own_model is `role`, in to_text's order.
std::vector<std::string> keys_with_own_model(WithOwnModel role);
// The row of `name`, or nullptr.
const ConfigKey* find_config_key(const std::string& name);
// The value a row describes, inside `config` (GStyleVarInfo's GetVarPtr): an int*, uint64_t*,
// double*, std::vector<CellKind>* or std::vector<int>* as the row's type says (an Enum: read and
// write it as text, with config_value_text and set_config_value).
void* config_field(const ConfigKey& key, Config& config);
// One value's canonical text, as to_text writes it.
std::string config_value_text(const ConfigKey& key, const Config& config);
// Config has no operator==: every key's value equal, doubles bit for bit (so -0 and 0 differ).
bool same_config(const Config& a, const Config& b);
// The canonical text of just the keys whose row affects one of `affects`, in to_text's order:
// two configs give the same text exactly when those keys agree (the page restarts a job when
// its keys' text changes).
std::string keys_text(const Config& config, unsigned affects);

// Sets one key from its text form. Returns "" on success, else a one-line error naming the key,
// the value and the allowed range; `config` is unchanged on error.
std::string set_config_value(Config& config, const std::string& key, const std::string& value);

// Memory limits. BPTT keeps every step, so memory grows with steps x hidden; these limits keep
// the largest allowed configuration within a browser tab (a wasm module grows to at most 2 GB,
// and the page's worker holds a decay probe, a sweep probe and every cell's trainer at once).
// Checked here, before anything is allocated, by every command and by the page.
//
// Checks what no single key can: the task's minimum length, the cost of radius, and the memory
// of one sequence's BPTT (decay, sweep, the page's curves) and of the curves kept. parse_config
// calls it. Returns "" or a one-line error.
std::string validate_config(const Config& config);
// The memory of a minibatch pass for every cell (train, bench, the page's training), on top of
// validate_config: cells x (steps x batch + 2 hidden) x (hidden + 10) is capped.
std::string validate_for_training(const Config& config);
// The limits, one per line, as `--help` lists them: those validate_config checks, and with
// `training` those of validate_for_training too.
std::string limits_help(bool training);

// The characters that separate pairs in parse_config's text. A single value (a command-line
// flag's) must contain none: `--length $'5\rhidden=2'` would set two keys.
inline constexpr const char* kConfigSeparators = "&; \t\n\r";

// Parses `key=value` pairs separated by '&', whitespace, ';' or newlines (a leading '#' is
// ignored), applying them over `config`, then validate_config. All-or-nothing: on error returns the
// message and leaves `config` untouched. Numbers are plain decimals ("0.01", "1e-5", "-2"; no hex,
// inf or nan), so that every number to_text writes reads back the same.
std::string parse_config(Config& config, const std::string& text);

// One number as the vocabulary reads it (plain decimals: no hex, inf, nan or spaces; integers
// without a fraction or exponent), for command flags that are not keys of the vocabulary.
bool parse_decimal(const std::string& text, double& value);
bool parse_decimal_integer(const std::string& text, long long& value);

// The canonical text form, every key, '&'-separated: parse_config(to_text(c)) == c.
std::string to_text(const Config& config);

// The canonical text as (key, value) pairs, in config_keys() order.
std::vector<std::pair<std::string, std::string>> config_pairs(const Config& config);

// Names as used in the vocabulary.
const char* cell_name(CellKind cell);
const char* init_name(InitKind init);
const char* task_name(TaskKind task);
const char* optimizer_name(OptimizerKind optimizer);
const char* precision_name(Precision precision);
std::string cells_text(const std::vector<CellKind>& cells);
std::string lengths_text(const std::vector<int>& lengths);
bool parse_cell_name(const std::string& text, CellKind& cell);

}  // namespace gs
