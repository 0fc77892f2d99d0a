// The worker's "what fixes it" jobs, plain C++ over core like compute.cpp and why_jobs.cpp:
// - the critical-length experiment (core/training/critical.h), trained only while the page says Run;
// - Pascanu's cliff (core/analyses/cliff.h): the loss surface once, and the descent paths from a start
//   point the page sends;
// - the truncation probe (core/training/truncation.h): per cell, the cosine between truncated and full
//   BPTT against k, run after the why jobs.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "training/critical.h"
#include "worker/results.h"
#include "training/truncation.h"

// The critical experiment in a pool of workers: this worker holds every run of the experiment
// and trains one at a time, and worker.js's helper workers (each its own instance of the core)
// take the longest free run whenever they are idle (critical_helper_take) and send back what
// they found (critical_helper_result). Runs finish out of order; each is sent to the page as it
// finishes, and the page keeps them in canonical order. Each run's numbers depend on its cell,
// length and seed only, so which worker trained it changes nothing.
struct CriticalJob {
  CriticalResult result;  // what the page is sent: status, finished runs, summary
  gs::Config config;      // the experiment's, from Run (solve_threshold: the page's latest)
  std::vector<gs::CriticalRun> runs;  // every run in canonical order, done ones filled in
  std::vector<char> taken;            // being trained, here or by a helper
  gs::CriticalExperiment here;        // the one run this worker trains now (empty: none)
  bool started = false;  // Run was pressed for this configuration
  std::string key;       // the keys the experiment depends on (critical_keys)
  long generation = 0;   // counts restarts (a key changed): the page starts over
  long scoring = 0;      // counts re-scorings (solve_threshold changed): the page takes every run again
  double last_tick_ms = -1;  // while running: when elapsed_ms was last brought up to date
};

struct CliffJob {
  CliffResult result;
  int next_w = 0;  // the surface's next row of w
};

struct TruncationJob {
  TruncationResult::Cell result;
  gs::TruncationProbe probe;
  bool started = false;
};
struct TruncationJobs {
  std::vector<TruncationJob> cells;  // one per selected cell
  std::string key, error;            // error: why the page does not compute it for this config
  long generation = 0;
  std::shared_ptr<const gs::Model> start;  // your own model, training's start; null: drawn
};

// Restart what the new configuration changes (critical: every key but length, sequences,
// solve_threshold, which only re-scores, and tour; truncation: the model's keys, length, batch).
void sync_critical(CriticalJob& job, const gs::Config& config);
// With your own model loaded, `start` is training's starting model from it (or null and
// `start_error` why it cannot train), and `own` names the load, which restarts the probe.
void sync_truncation(TruncationJobs& jobs, const gs::Config& config,
                     std::shared_ptr<const gs::Model> start = nullptr,
                     const std::string& start_error = "", const std::string& own = "");

// The page's Run and Stop. Stop frees the runs given to helpers (worker.js stops them); the run
// trained here keeps its place and goes on at the next Run.
void critical_do(CriticalJob& job, const gs::Config& config, CriticalAction action);
// For an idle helper: the next run nobody trains, now taken (-1: none, or not running).
int critical_helper_take(CriticalJob& job);
// A helper's finished run, for the experiment of `generation` (an older one's, or one that
// arrives after Stop, is dropped);
// now_ms keeps elapsed_ms up to date while this worker waits for its helpers.
void critical_helper_result(CriticalJob& job, long generation, const gs::CriticalRun& run,
                            double now_ms);
// A helper that failed: its run is free again.
void critical_helper_release(CriticalJob& job, int index);
// How many runs, from the first, are finished (all of them: the experiment is done).
size_t critical_finished_prefix(const CriticalJob& job);

// One slice each; true if it did any work. advance_critical_job trains only while running and
// keeps the result's elapsed_ms at the wall time spent running (now_ms), helpers' work included.
bool advance_critical_job(CriticalJob& job, int budget, double (*now_ms)());
bool advance_cliff_job(CliffJob& job);
bool advance_truncation_jobs(TruncationJobs& jobs, const gs::Config& config, int budget);

// The two descent paths (without and with clipping, kCliffLr, kCliffIterations, kCliffClip)
// from (w, b); they replace the last ones.
void cliff_descend(CliffJob& job, double w, double b);

// Why the page does not run the experiment for this configuration ("" if it does): core's memory
// limits for every length, and the page's cap on the cost of a training step.
std::string page_critical_error(const gs::Config& config);
