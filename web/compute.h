// Everything the views show, computed by core in slices: each frame advances the jobs for a few
// milliseconds, so the page never freezes whatever the length, and progress can be shown.
// Jobs restart only when a key they depend on changes (a new learning rate does not recompute
// the decay curves).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "analysis.h"
#include "sweep.h"
#include "train.h"

// One cell's decay curves over seeds seed .. seed+seeds-1, computed one probe at a time. Only the
// curves are kept (a probe's forward caches are dropped when it is done), plus the first seed's
// per-unit map and analysis.
const int kMaxHeatmapColumns = 2048;  // the texture width WebGL2 guarantees

struct DecayJob {
  gs::CellKind cell = gs::CellKind::RnnTanh;
  gs::Probe probe;                          // the seed in progress
  std::vector<std::vector<double>> curves;  // per finished seed: log10 ||dL/dh_t||, t = 1..T
  std::vector<float> unit_map;              // first seed: (T x H) log10 |dL/dh_t[j]|
  // The same as the heatmap shows it: H rows x columns, steps_per_column steps per column (the
  // largest value of its steps) so that a column fits a texture (kMaxHeatmapColumns).
  std::vector<float> heat_columns;
  int steps_per_column = 1;
  gs::ProbeAnalysis analysis;  // first seed
  // Each seed's probe goes through these stages, one slice at a time, so that no slice is long:
  // drawing the model (an orthogonal init is a QR per gate block), the passes, the analysis of
  // the first seed, freeing the caches.
  enum class Stage { Starting, Computing, Analyzing, Mapping, Releasing } stage = Stage::Starting;
  std::vector<double> mean, lo, hi;  // per t over seeds: mean, min, max (when done)
  // The same by steps back from the loss, k = T - t = 0 .. T-1, as the plot draws them.
  std::vector<double> lags, mean_by_lag, lo_by_lag, hi_by_lag;
  bool done = false;
};

// One cell's live training. Until its first slice only the cell, config and task shape are set:
// drawing the model (a QR per gate block for an orthogonal init) waits for a slice of its own.
struct TrainJob {
  gs::Trainer trainer;
  bool started = false;
};

struct Compute {
  gs::Config config;                            // what the jobs were started for
  std::string decay_key, sweep_key, train_key;  // the config keys each job depends on

  std::vector<DecayJob> decay;  // one per selected cell, in config.cells order
  long decay_generation = 0;    // counts restarts, so views know when to re-upload
  int64_t decay_steps_total = 0, decay_steps_done = 0;

  gs::Sweep sweep;
  bool sweep_done = false;

  std::vector<TrainJob> train;       // one per selected cell
  std::string train_error;           // validate_for_training's message, if any
  bool playing = false;              // play: train up to config.iters
  int target_iterations = 0;         // training advances while below this (play or step)
  double iterations_per_second = 0;  // per cell, measured over the last second
  double rate_window_start = -1;
  int rate_window_iterations = 0;

  double last_advance_ms = 0;  // time the last advance took
};

// Restarts the jobs whose inputs differ from `config`'s; the others keep their results.
void compute_sync(Compute& compute, const gs::Config& config);

// Advances decay curves first, then the sweep, then training (if playing), for about
// `budget_ms` of wall time. `now_ms` is a monotonic clock in milliseconds.
void compute_advance(Compute& compute, double budget_ms, double (*now_ms)());

bool decay_done(const Compute& compute);
double decay_progress(const Compute& compute);    // 0..1
double sweep_progress(const Compute& compute);    // 0..1
int training_iterations(const Compute& compute);  // of the first cell (all advance together)

// Training controls.
void training_play(Compute& compute, bool play);
void training_step(Compute& compute);
void training_reset(Compute& compute);
