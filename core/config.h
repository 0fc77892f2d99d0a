// One configuration, one vocabulary. The same `key=value` pairs are the CLI flags
// (`--hidden 64`), the URL hash (`#cell=lstm&hidden=64`) and the UI labels; they are parsed and
// validated here and nowhere else. Errors are returned as values (the web build has no
// exceptions) and name the key, the value and what is allowed.
#pragma once
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace gs {

enum class CellKind { RnnTanh, RnnRelu, RnnSigmoid, RnnIdentity, Lstm, Gru };
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
  int hidden = 32;    // H, units per layer
  int length = 50;    // T of the task (copy: the delay; the sequence is T + 20 steps)
  uint64_t seed = 1;  // seeds models, data and training
  int seeds = 1;      // how many seeds (seed, seed+1, ...) curves are averaged over
  int sequences = 1;  // input sequences per seed, same weights: curves are taken over all
  InitKind init = InitKind::Uniform;
  double scale = 1.0;        // multiplies W_hh after initialization
  double radius = 0.0;       // if > 0: each H x H block of W_hh rescaled to this spectral radius
  double forget_bias = 1.0;  // LSTM: b_ih + b_hh of the forget gate
  int chrono = 0;            // LSTM, GRU: chrono initialization's T_max (chrono.h); 0 = off
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
  std::vector<int> lengths = {10, 30, 100, 300, 1000, 3000};  // sweep, critical experiment
  double solve_threshold = 0.1;  // critical experiment: solved = final loss < this x chance
  Precision precision = Precision::F32;
  int tour = 0;  // the page's guided tour: the step shown (1-based), 0 = off; the CLI ignores it
};

// The guided tour's steps (the page's web/tour.cpp holds them): `tour` is 0..kTourSteps.
inline constexpr int kTourSteps = 8;

struct ConfigKey {
  const char* name;
  const char* help;  // one line, for --help and tooltips
};
// Every key in the vocabulary, in the order used by to_text().
const std::vector<ConfigKey>& config_keys();

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

// User text as an error message may quote it: at most its first 80 bytes, every byte outside
// printable ASCII escaped (\r, \n, \t, \\, \xNN), and "... (N bytes)" when cut, so that no
// value floods or garbles a terminal.
std::string excerpt(const std::string& text);

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
