// The page's computation, run by the compute worker (worker_main.cpp) off the UI thread: decay
// curves, the length sweep and live training, advanced in slices so that the worker can take
// the page's messages in between. Plain C++ over core: the unit tests run it natively.
// Jobs restart only when a key they depend on changes (a new learning rate does not recompute
// the decay curves).
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "io/own_model_in_page.h"
#include "worker/remedy_jobs.h"
#include "worker/results.h"
#include "worker/why_jobs.h"

// One cell's decay curves, computed one seed's probe at a time.
struct DecayJob {
  DecayResult result;
  gs::Probe probe;  // the seed in progress
  bool probe_started = false;
};

// One cell's live training. Until its first slice only the cell is set: drawing the model (a QR
// per gate block for an orthogonal init) waits for a slice of its own.
struct TrainJob {
  gs::Trainer trainer;
  bool started = false;
};

struct Compute {
  gs::Config config;                            // what the jobs were started for
  std::string config_text;                      // its canonical text
  std::string decay_key, sweep_key, train_key;  // the config keys each job depends on

  std::vector<DecayJob> decay;  // one per selected cell, in config.cells order
  long decay_generation = 0;    // counts restarts, so that the page knows to start over
  int64_t decay_steps_total = 0, decay_steps_done = 0;

  gs::Sweep sweep;
  bool sweep_done = false;
  long sweep_generation = 0;

  std::vector<WhyJob> why;  // one per selected cell; restarts with the decay curves
  long why_generation = 0;
  std::string trainability_key;
  TrainabilityJob trainability;
  long trainability_generation = 0;

  // What fixes it (remedy_jobs.h): the cliff (no keys: computed once), the truncation cosines
  // (after the why jobs), the critical experiment (only after Run; it takes turns with training).
  CliffJob cliff;
  TruncationJobs truncation;
  CriticalJob critical;
  bool critical_turn = false;  // whose slice is next when both it and training have work
  // While set, only the first screen (the decay curves and the sweep) is computed: the page's
  // worker sets it as it starts and clears it once the page has drawn that screen (or after a
  // timeout), so that the rest does not take a core from the first picture, which under a
  // software renderer needs both (make bench-page).
  bool hold_for_first_screen = false;

  std::vector<TrainJob> train;  // one per selected cell
  long train_generation = 0;
  std::string train_error;           // why this configuration cannot be trained, if so
  bool playing = false;              // play: train up to config.iters
  int target_iterations = 0;         // training advances while below this (play or step)
  double iterations_per_second = 0;  // per cell, measured over the last second
  double rate_window_start = -1;
  int rate_window_iterations = 0;

  // Your own model (issue 12), loaded in the page: every job computes from it instead of drawn
  // weights (compute_load_model). `given` is the probes' model under the current config.
  std::shared_ptr<const gs::OwnModel> own;
  long own_generation = 0;  // counts loads and clears: every job restarts
  std::shared_ptr<const gs::GivenModel> given;
  gs::Model own_train_model;  // training's starting model (own_model_for_training)
};

// Loads a model file's bytes for every job (size 0: back to drawn models) and restarts them:
// the layer gs::layer_choices(bytes) lists at `layer_choice`, or with -1 the file's only one.
// "" or the error (then nothing changes).
std::string compute_load_model(Compute& compute, const unsigned char* bytes, size_t size,
                               int layer_choice = -1);

// The current model as a safetensors file (own_model.h's layout; several cells: <cell>.rnn.*):
// per cell the trained weights once training has begun, else the loaded model, else the drawn
// one, in the config's precision. The CLI reads it back with --weights.
std::string compute_model_file(const Compute& compute);

// Restarts the jobs whose inputs differ from `config`'s; the others keep their results.
void compute_sync(Compute& compute, const gs::Config& config);

// Advances decay curves first, then the sweep, the cliff's surface, the why jobs (spectra,
// saturation, lag split, the trainability map), the truncation cosines, then training (if playing) and the
// critical experiment (if running), taking turns, for about
// `budget_ms` of wall time. `now_ms` is a monotonic clock in milliseconds. Returns whether work
// is left (false: idle until the next message).
bool compute_advance(Compute& compute, double budget_ms, double (*now_ms)());

bool decay_done(const Compute& compute);
double decay_progress(const Compute& compute);    // 0..1
double sweep_progress(const Compute& compute);    // 0..1
int training_iterations(const Compute& compute);  // of the cell furthest behind

// Training controls.
void training_do(Compute& compute, TrainAction action);
// The critical experiment's Run and Stop; a start point on the cliff (its two descent paths).
void critical_command(Compute& compute, CriticalAction action);
void cliff_command(Compute& compute, double w, double b);
