// What the views show: the numbers the compute worker has finished, as plain data. The worker
// fills its own copy while it computes (compute.h); the page holds another, updated only from
// the worker's messages (protocol.h), and draws from it. Nothing here computes.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "analyses/probe_summary.h"
#include "training/critical.h"
#include "analyses/sweep.h"
#include "training/train.h"

// One cell's decay curves over seeds seed .. seed+seeds-1 and `sequences` input sequences of each
// (the probes, seed-major); the first probe's per-unit map, cell-state curve and analysis.
struct DecayResult {
  gs::CellKind cell = gs::CellKind::RnnTanh;
  bool done = false;
  std::vector<std::vector<double>> curves;  // per probe: log10 ||dL/dh_t||, t = 1..T
  std::vector<double> curve_c;              // first probe, LSTM: log10 ||dL/dc_t||, t = 1..T
  std::vector<double> curve_forget_path;    // first probe, LSTM: the cell path by f alone (decay.h)
  // First seed: log10 |dL/dh_t[j]| as the heatmap shows it, H rows x columns, steps_per_column
  // steps per column (the largest value of its steps) so that a row fits a texture
  // (kMaxHeatmapColumns); one step per column up to that many steps.
  std::vector<float> heat_columns;
  int steps_per_column = 1;
  int steps = 0;  // T
  gs::ProbeAnalysis analysis;  // first seed
  // A seed whose forward pass overflowed has no gradient to show (its curve is NaN: "overflow");
  // the first such seed's step and core's sentence about it, else 0 and "".
  int overflow_step = 0;
  std::string overflow;
  // By steps back from the loss, k = T - t, as the plot draws them: over the probes, the median
  // and the 10% and 90% quantiles (lo and hi are empty for one probe: its curve is all three),
  // and the LSTM's cell-state curves. Filled by summarize_decay when every probe is done.
  std::vector<double> lags, median_by_lag, lo_by_lag, hi_by_lag, c_by_lag, forget_path_by_lag;
  // The median's finite range, and (LSTM) the largest finite gap between log10 ||dL/dc_t|| and
  // log10 ||dL/dh_t|| of the first probe (NaN if none): Why and the tour say whether the dashed
  // cell line can be told from the solid one without scanning 100,000 steps every frame.
  double median_low = INFINITY, median_high = -INFINITY, cell_state_gap = NAN;

  // What the worker sends once the result is done, in order (wire.h). The cell goes with every
  // message; done and the summaries are the page's own (summarize_decay).
  template <class F>
  void visit(F&& f) {
    f("curves", curves);
    f("curve_c", curve_c);
    f("curve_forget_path", curve_forget_path);
    f("heat_columns", heat_columns);
    f("steps_per_column", steps_per_column);
    f("steps", steps);
    f("analysis", analysis);
    f("overflow_step", overflow_step);
    f("overflow", overflow);
  }
};

const int kMaxHeatmapColumns = 2048;  // the texture width WebGL2 guarantees

// A per-step series as the page draws it: at most kMaxSeriesPoints steps, every `stride`-th
// step from step 1 (and always the last), so that a 100,000-step sequence stays light.
const int kMaxSeriesPoints = 4096;
struct StepSeries {
  std::string name;     // e.g. "dtanh", "f", "dead_share"
  std::string meaning;  // one line for the legend and the hover read-out
  std::vector<double> steps;                   // the steps t shown (1-based)
  std::vector<double> mean, q25, median, q75;  // per shown step (q25..q75 may be empty)

  // The fields the worker's messages carry, in order (wire.h).
  template <class F>
  void visit(F&& f) {
    f("name", name);
    f("meaning", meaning);
    f("steps", steps);
    f("mean", mean);
    f("q25", q25);
    f("median", median);
    f("q75", q75);
  }
};

// Why it vanishes, for one cell: the first seed's sequence (core's spectrum.h, bounds.h,
// saturation.h, lag_split.h), computed by the worker after the decay curves and the sweep.
struct WhyResult {
  gs::CellKind cell = gs::CellKind::RnnTanh;
  bool done = false;
  int steps = 0;           // T
  int overflow_step = 0;   // the forward pass overflowed here: nothing else is filled
  // Spectra: singular values of J_t at the sampled steps, the Lyapunov exponents (nats/step).
  int state_size = 0;      // H, or 2 H for the LSTM (h then c)
  bool complete = true;    // every singular value and exponent, else the largest few
  std::vector<double> sv_steps;              // the sampled steps t
  std::vector<std::vector<double>> step_sv;  // their singular values, largest first
  std::vector<double> lyapunov;              // largest first
  // J_t's eigenvalues at some of the sampled steps (kPageEigenvalueSteps at most; none above a
  // complete spectrum's size): per step re_0, im_0, re_1, im_1, ..., largest modulus first.
  std::vector<double> eigenvalue_steps;
  std::vector<std::vector<double>> step_eigenvalues;
  std::vector<double> whh_eigenvalues;  // RNNs (J_t = diag(act') W_hh): W_hh's, same layout
  double decay_log10_per_step = 0;           // the measured slope (probe_summary.h), to set beside
  // Bounds: Pascanu's gamma sigma_max(W_hh) (RNNs), the keep path's slope (LSTM f, GRU z).
  double pascanu_bound = 0, sigma_max_whh = 0, gamma = 0;
  // RNNs (attribution.h; NaN for LSTM and GRU): the decay slope of the identity twin (the same
  // weights, inputs and seed gradient with act' = 1), W_hh's part of decay_log10_per_step (the
  // rest is act''s), and W_hh's spectral radius, which sets the linear recurrence's long-run rate.
  double twin_log10_per_step = 0, spectral_radius_whh = 0;
  double keep_path_log10_per_step = 0;
  StepSeries keep_path;  // LSTM/GRU: mean over units of log10 prod_{s>t} gate_s
  // Saturation: act' (RNNs) or the gates (LSTM, GRU), mean and quartiles over the units.
  std::vector<StepSeries> saturation;  // the last one is dead_share for rnn-relu
  // The weight gradient split by lag k = T - t: log10 of each step's term, log10 of their sum,
  // and the share of the lags above a few thresholds (exact, from every step).
  StepSeries lag_terms;  // mean = log10 ||dgates_t h_{t-1}^T||, by step
  double log10_total = 0;
  std::vector<double> share_above_lags, log10_share_above;  // e.g. lags 10, 100, 1000

  // What the worker sends once the result is done, in order (wire.h); the cell goes with every
  // message.
  template <class F>
  void visit(F&& f) {
    f("steps", steps);
    f("overflow_step", overflow_step);
    f("state_size", state_size);
    f("complete", complete);
    f("sv_steps", sv_steps);
    f("step_sv", step_sv);
    f("lyapunov", lyapunov);
    f("eigenvalue_steps", eigenvalue_steps);
    f("step_eigenvalues", step_eigenvalues);
    f("whh_eigenvalues", whh_eigenvalues);
    f("decay_log10_per_step", decay_log10_per_step);
    f("pascanu_bound", pascanu_bound);
    f("sigma_max_whh", sigma_max_whh);
    f("gamma", gamma);
    f("twin_log10_per_step", twin_log10_per_step);
    f("spectral_radius_whh", spectral_radius_whh);
    f("keep_path_log10_per_step", keep_path_log10_per_step);
    f("keep_path", keep_path);
    f("saturation", saturation);
    f("lag_terms", lag_terms);
    f("log10_total", log10_total);
    f("share_above_lags", share_above_lags);
    f("log10_share_above", log10_share_above);
  }
};

// The trainability map: per cell, a grid of scale x length (core/analyses/trainability.h).
struct TrainabilityResult {
  bool done = false;
  double progress = 0;
  std::vector<double> scales, lengths;
  struct Cell {
    gs::CellKind cell = gs::CellKind::RnnTanh;
    std::vector<double> log10_ratio;   // scales x lengths, row-major (scale-major)
    std::vector<double> lyapunov_max;  // nats per step, same layout
    double edge_of_chaos = 0;          // the scale where the exponent crosses 0 (longest length)

    template <class F>
    void visit(F&& f) {
      f("cell", cell);
      f("log10_ratio", log10_ratio);
      f("lyapunov_max", lyapunov_max);
      f("edge_of_chaos", edge_of_chaos);
    }
  };
  std::vector<Cell> cells;

  // What the worker sends once the map is done, in order (wire.h).
  template <class F>
  void visit(F&& f) {
    f("scales", scales);
    f("lengths", lengths);
    f("cells", cells);
  }
};

// The critical-length experiment (core/training/critical.h): trained by the worker only after the page's
// Run, in canonical order; the page keeps the finished runs and the worker's summary of them.
struct CriticalResult {
  bool running = false;     // training runs now (Run, not stopped, not finished)
  bool done = false;        // every run finished
  int runs_total = 0;       // cells x lengths x seeds
  int current = -1;         // the run in progress (index), -1 if none
  double progress = 0;      // iterations done / iterations of every run, 0..1
  double elapsed_ms = 0;    // the worker's time spent training the runs so far
  std::string error;        // why the page does not run it for this configuration
  std::vector<gs::CriticalRun> runs;    // the finished runs, in canonical order
  std::vector<gs::CriticalCell> cells;  // per cell: seeds done and solved per length, critical length
};

// Pascanu et al.'s cliff (core/analyses/cliff.h): the loss surface over the default grid and gradient
// descent from a start point without and with clipping, with the view's fixed step settings.
const double kCliffLr = 0.3;
const int kCliffIterations = 200;
const double kCliffClip = 1.0;
const double kCliffStartW = 6, kCliffStartB = -3.4;  // the README's example, until the reader clicks
struct CliffPath {
  double clip = 0;  // 0: no clipping
  std::vector<double> w, b, loss;  // the start and every point reached
  std::vector<uint8_t> clipped;    // the step taken from there was clipped
  // The first point off the drawn grid or where the gradient is not finite (0 if none): where
  // the path flies off.
  int off_step = 0;
  bool overflow = false;  // it stopped because the gradient was beyond double's range

  // The fields the worker's messages carry, in order (wire.h).
  template <class F>
  void visit(F&& f) {
    f("clip", clip);
    f("w", w);
    f("b", b);
    f("loss", loss);
    f("clipped", clipped);
    f("off_step", off_step);
    f("overflow", overflow);
  }
};
struct CliffResult {
  bool done = false;  // the surface is complete
  double progress = 0;
  std::vector<double> w, b;                 // the grid's values (w: columns, b: rows)
  std::vector<double> loss, grad_w, grad_b;  // w-major: [i * b.size() + j] at (w[i], b[j])
  long paths_generation = 0;                 // counts start points
  double start_w = kCliffStartW, start_b = kCliffStartB;
  CliffPath plain, clipped;  // without clipping, with clipping at kCliffClip
};

// Truncated BPTT (core/training/truncation.h): per cell, the cosine between the gradient truncated to k
// steps and the full one, k = 1..T, on the first minibatch training draws.
struct TruncationResult {
  std::string error;  // why the page does not compute it for this configuration
  struct Cell {
    gs::CellKind cell = gs::CellKind::RnnTanh;
    bool done = false;
    std::vector<double> cosine;  // [k - 1]; NaN beyond range, -inf without a direction
  };
  std::vector<Cell> cells;  // one per selected cell
};

// One cell's training so far.
struct TrainResult {
  gs::CellKind cell = gs::CellKind::RnnTanh;
  double chance_loss = 0;
  std::vector<gs::TrainRecord> history;
  int diverged_at = 0;     // the iteration at which the run stopped (gs::Trainer), 0 if it did not
  std::string divergence;  // what happened then
};

struct Results {
  std::string config_text;  // the configuration these results are for (canonical text)
  gs::Config config;

  long why_generation = 0;
  std::vector<WhyResult> why;  // one per selected cell
  long trainability_generation = 0;
  TrainabilityResult trainability;

  long decay_generation = 0;  // counts restarts of the decay curves
  double decay_progress = 0;  // 0..1
  std::vector<DecayResult> decay;  // one per selected cell, in config.cells order

  long sweep_generation = 0;
  double sweep_progress = 0;
  bool sweep_done = false;
  std::vector<gs::SweepPoint> sweep_points;  // finished points, cell-major (cells x lengths)

  long train_generation = 0;
  std::string train_error;  // why this configuration cannot be trained in the page, if so
  bool playing = false;
  int target_iterations = 0;
  double iterations_per_second = 0;  // per cell, measured over the last second
  std::vector<TrainResult> train;    // one per selected cell

  long critical_generation = 0;
  CriticalResult critical;
  CliffResult cliff;
  long truncation_generation = 0;
  TruncationResult truncation;

  long commands_done = 0;         // how many of the page's messages the worker has handled
  int64_t worker_memory_bytes = 0;  // the worker's WebAssembly memory
};

// The training controls, as the page sends them to the worker.
enum class TrainAction { Play, Pause, Step, Reset };
// The critical experiment's controls: run (start or go on) and stop (pause).
enum class CriticalAction { Run, Stop };

// Why `config` cannot be trained in the page ("" if it can): the core's memory limits, and a cap
// on the cost of one step, above which training belongs to the CLI.
std::string page_training_error(const gs::Config& config);

bool decay_done(const Results& results);
// Iterations the cells still training have all done (they train in lockstep; one may be one
// ahead); a diverged cell has stopped and does not hold the others back. If every cell diverged,
// the furthest one's count.
int lockstep_iterations(const std::vector<int>& done, const std::vector<char>& diverged);
int training_iterations(const Results& results);
// The mean loss over the last 10% of the first `iterations` records (as `gradscope train`
// reports it), NaN without records.
double recent_loss(const TrainResult& result, int iterations);

// Median and 10-90% quantiles over the probes at every step (quantiles.h: -inf, an exactly zero
// gradient, stays -inf; a NaN, overflow, makes all three NaN), and the by-lag arrays.
void summarize_decay(DecayResult& result);
// The first seed's (T x H) per-step values log10 |dL/dh_t[j]| -> result.heat_columns: H rows x
// columns, as many steps per column as keep the columns within kMaxHeatmapColumns, each column
// the largest value of its steps.
void make_heat_columns(DecayResult& result, const std::vector<float>& unit_map, int hidden);
