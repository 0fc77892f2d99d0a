// The critical length: train every selected cell on the task at every length of `lengths` with
// `seeds` seeds and one budget (hidden, batch, iters, the optimizer keys, truncate), and call a
// run solved when its final loss (the mean over the last 10% of iterations) is below
// solve_threshold x the task's chance loss; a run that diverged is not solved. A cell's critical
// length is the longest length that at least half of its seeds solve (0 if none): the length
// each cell can learn with that budget.
//
// Every (cell, length, seed) run is independent, so the experiment can be split: shard i of n
// (1-based) takes the runs whose index in the canonical order (cell, then length, then seed) is
// i-1 modulo n, which spreads the long lengths over the shards. The page runs it one slice at a
// time (begin_critical / advance_critical), showing the results as they arrive.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "training/train.h"

namespace gs {

// What the critical experiment sets over the configuration when nothing says otherwise (the
// CLI's defaults; the page applies the same when the experiment is opened): 3 seeds, lengths from
// 10 to 100 and 800 iterations, where the tanh RNN solves the adding task at T = 10 only and LSTM
// and GRU go further (README, "The critical length"; its time in the page: README, "In the
// page").
inline constexpr const char* kCriticalDefaults = "seeds=3&lengths=10,25,50,100&iters=800";

struct CriticalRun {
  CellKind cell = CellKind::RnnTanh;
  int length = 0;
  uint64_t seed = 0;
  int index = 0;  // in the canonical order of the whole experiment
  bool done = false;
  double final_loss = 0;  // mean over the last 10% of iterations; NaN if the run diverged
  double chance_loss = 0;
  bool solved = false;
  int diverged_at = 0;  // the iteration at which it diverged, 0 if it did not

  // The fields the compute worker's messages carry, in order (web/worker/wire.h); a run is sent
  // once done.
  template <class F>
  void visit(F&& f) {
    f("cell", cell);
    f("length", length);
    f("seed", seed);
    f("index", index);
    f("final_loss", final_loss);
    f("chance_loss", chance_loss);
    f("solved", solved);
    f("diverged_at", diverged_at);
  }
};

struct CriticalExperiment {
  Config config;
  int shard = 1, shards = 1;      // this is shard `shard` of `shards`
  std::vector<CriticalRun> runs;  // this shard's runs, in canonical order
  size_t next = 0;                // the run in progress (runs.size() when done)
  Trainer trainer;                // the run in progress
  bool started = false;
  int64_t iterations_total = 0, iterations_done = 0;  // progress
};

// The whole experiment's runs in canonical order: config.cells x config.lengths x seeds
// (config.seed, config.seed + 1, ...).
std::vector<CriticalRun> critical_runs(const Config& config);
// The configuration of one run: config with its cell, length and seed.
Config critical_run_config(const Config& config, const CriticalRun& run);
// What the configuration cannot be for the experiment: every length must fit the training
// memory limit (validate_for_training, per cell). "" if fine.
std::string validate_critical(const Config& config);

CriticalExperiment begin_critical(const Config& config, int shard = 1, int shards = 1);
// The run of canonical index `index` alone: the page's pool of workers trains one run at a time
// in each, handing out the next run to whichever worker is free.
CriticalExperiment begin_critical_run(const Config& config, int index);
// Advances by up to `budget` time steps of training (as advance_training); returns true when
// every run of the shard is done. Stop by not calling it again.
bool advance_critical(CriticalExperiment& experiment, int budget);
CriticalExperiment run_critical(const Config& config, int shard = 1, int shards = 1);

// The threshold changes only the scoring: the page re-scores the finished runs in place (and
// sets experiment.config.solve_threshold) instead of training again.
void rescore_critical(CriticalExperiment& experiment, double solve_threshold);
void rescore_runs(std::vector<CriticalRun>& runs, double solve_threshold);

// The CSV row of a finished run: cell,length,seed,final_loss,chance_loss,solved (numbers as
// number_format.h writes them: a diverged run's final loss is "overflow").
std::string critical_row(const CriticalRun& run);
inline constexpr const char* kCriticalHeader = "cell,length,seed,final_loss,chance_loss,solved";

// Per cell and length, how many seeds are done and how many solved it (the page's plot), and the
// critical length over what is done: the longest length that at least half of `seeds` solve.
struct CriticalShare {
  int length = 0;
  int done = 0, solved = 0;

  // The fields the compute worker's messages carry, in order (web/worker/wire.h).
  template <class F>
  void visit(F&& f) {
    f("length", length);
    f("done", done);
    f("solved", solved);
  }
};
struct CriticalCell {
  CellKind cell = CellKind::RnnTanh;
  std::vector<CriticalShare> shares;  // one per length, in config.lengths order
  int critical_length = 0;

  // The fields the compute worker's messages carry, in order (web/worker/wire.h).
  template <class F>
  void visit(F&& f) {
    f("cell", cell);
    f("critical_length", critical_length);
    f("shares", shares);
  }
};
std::vector<CriticalCell> critical_summary(const Config& config,
                                           const std::vector<CriticalRun>& runs);
// "# <cell> critical_length=N", one line per cell.
std::string critical_summary_lines(const std::vector<CriticalCell>& cells);

}  // namespace gs
