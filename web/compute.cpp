#include "compute.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace {

// The keys each job depends on, as canonical config text (every other key at its default), so a
// job restarts exactly when one of its inputs changes.
std::string model_keys_text(const gs::Config& c, gs::Config keys) {
  keys.cells = c.cells;
  keys.hidden = c.hidden;
  keys.seed = c.seed;
  keys.init = c.init;
  keys.scale = c.scale;
  keys.radius = c.radius;
  keys.forget_bias = c.forget_bias;
  keys.task = c.task;
  return gs::to_text(keys);
}
std::string decay_keys(const gs::Config& c) {
  gs::Config keys;
  keys.length = c.length;
  keys.seeds = c.seeds;
  return model_keys_text(c, keys);
}
std::string sweep_keys(const gs::Config& c) {
  gs::Config keys;
  keys.lengths = c.lengths;
  keys.seeds = c.seeds;
  return model_keys_text(c, keys);
}
std::string train_keys(const gs::Config& c) {
  gs::Config keys;
  keys.length = c.length;
  keys.batch = c.batch;
  keys.optimizer = c.optimizer;
  keys.lr = c.lr;
  keys.momentum = c.momentum;
  keys.clip = c.clip;
  return model_keys_text(c, keys);
}

// Time steps per call into core between clock checks: about 2 million multiply-adds, so that a
// slice takes a millisecond or two whatever the sizes (one step at the very least).
int slice_steps(const gs::Config& c, int batch) {
  const int I = gs::task_shape(c.task, c.length).input_size;
  const double per_step = 4.0 * c.hidden * (c.hidden + I) * batch * 3;  // LSTM, fwd + bwd
  return static_cast<int>(std::clamp(2e6 / per_step, 1.0, 256.0));
}

// One training step of the page must fit in a frame: larger models train with the CLI.
const double kMaxTrainingStepCost = 2e7;  // multiply-adds of one LSTM step, forward + backward

void start_decay(Compute& compute) {
  const gs::Config& config = compute.config;
  compute.decay.clear();
  compute.decay_steps_done = 0;
  ++compute.decay_generation;
  const int steps = gs::task_shape(config.task, config.length).steps;
  compute.decay_steps_total = int64_t{2} * steps * config.seeds * int64_t(config.cells.size());
  for (gs::CellKind cell : config.cells) {
    DecayJob job;
    job.cell = cell;
    compute.decay.push_back(std::move(job));
  }
}

// Mean, min and max over seeds at every step; -inf (an exactly zero gradient) stays -inf.
void summarize(DecayJob& job) {
  const size_t T = job.curves[0].size();
  job.mean.assign(T, 0);
  job.lo.assign(T, std::numeric_limits<double>::infinity());
  job.hi.assign(T, -std::numeric_limits<double>::infinity());
  for (const std::vector<double>& curve : job.curves)
    for (size_t t = 0; t < T; ++t) {
      job.mean[t] += curve[t] / job.curves.size();
      job.lo[t] = std::min(job.lo[t], curve[t]);
      job.hi[t] = std::max(job.hi[t], curve[t]);
    }
  job.lags.resize(T);
  job.mean_by_lag.resize(T);
  job.lo_by_lag.resize(T);
  job.hi_by_lag.resize(T);
  for (size_t k = 0; k < T; ++k) {
    job.lags[k] = static_cast<double>(k);
    job.mean_by_lag[k] = job.mean[T - 1 - k];
    job.lo_by_lag[k] = job.lo[T - 1 - k];
    job.hi_by_lag[k] = job.hi[T - 1 - k];
  }
}

// (T x H) row-major per-step values -> H rows x columns, steps_per_column steps per column (max).
void heat_columns(DecayJob& job, int H) {
  const int T = static_cast<int>(job.unit_map.size() / H);
  const int per = (T + kMaxHeatmapColumns - 1) / kMaxHeatmapColumns;
  const int columns = (T + per - 1) / per;
  job.steps_per_column = per;
  job.heat_columns.assign(static_cast<size_t>(H) * columns,
                          -std::numeric_limits<float>::infinity());
  for (int t = 0; t < T; ++t)
    for (int j = 0; j < H; ++j) {
      float& cell = job.heat_columns[static_cast<size_t>(j) * columns + t / per];
      cell = std::max(cell, job.unit_map[static_cast<size_t>(t) * H + j]);
    }
}

// Advances one decay job by one slice; true if it did any work.
bool advance_decay(Compute& compute, DecayJob& job) {
  using Stage = DecayJob::Stage;
  if (job.done) return false;
  switch (job.stage) {
    case Stage::Starting:
      job.probe =
          gs::begin_probe(job.cell, compute.config, compute.config.seed + job.curves.size());
      job.stage = Stage::Computing;
      return true;
    case Stage::Computing: {
      const int before = gs::probe_steps_done(job.probe);
      const bool finished = gs::advance_probe(job.probe, slice_steps(compute.config, 1));
      compute.decay_steps_done += gs::probe_steps_done(job.probe) - before;
      if (!finished) return true;
      job.curves.push_back(job.probe.curve.log10_grad_h);
      job.stage = job.curves.size() == 1 ? Stage::Analyzing : Stage::Releasing;
      return true;
    }
    case Stage::Analyzing:  // first seed: keep what the heatmap and the explanation need
      job.unit_map = std::move(job.probe.curve.log10_unit_grad);
      job.analysis = gs::analyze_probe(job.probe);
      job.stage = Stage::Mapping;
      return true;
    case Stage::Mapping:
      heat_columns(job, compute.config.hidden);
      job.stage = Stage::Releasing;
      return true;
    case Stage::Releasing:
      gs::release_probe(job.probe);
      if (static_cast<int>(job.curves.size()) < compute.config.seeds) {
        job.stage = Stage::Starting;  // the next seed
      } else {
        job.probe = gs::Probe();
        summarize(job);
        job.done = true;
      }
      return true;
  }
  return false;
}

void start_training(Compute& compute) {
  compute.train.clear();
  const gs::Config& c = compute.config;
  compute.train_error = gs::validate_for_training(c);
  const int I = gs::task_shape(c.task, c.length).input_size;
  if (compute.train_error.empty() &&
      4.0 * c.hidden * (c.hidden + I) * c.batch * 3 > kMaxTrainingStepCost)
    compute.train_error = "hidden=" + std::to_string(c.hidden) +
                          " with batch=" + std::to_string(c.batch) +
                          " is too large to train in the page (one step would hold up a frame): "
                          "lower them, or train with the CLI (gradscope train)";
  compute.rate_window_start = -1;
  compute.iterations_per_second = 0;
  compute.playing = false;
  compute.target_iterations = 0;
  if (!compute.train_error.empty()) return;
  for (gs::CellKind cell : compute.config.cells) {
    TrainJob job;
    job.trainer.cell = cell;
    job.trainer.config = c;
    job.trainer.shape = gs::task_shape(c.task, c.length);
    compute.train.push_back(std::move(job));
  }
}

// Cells train in lockstep: the one with the fewest iterations goes next, until the target.
bool advance_training_slice(Compute& compute) {
  if (compute.train.empty() || training_iterations(compute) >= compute.target_iterations) {
    if (training_iterations(compute) >= compute.config.iters) compute.playing = false;
    return false;
  }
  TrainJob* behind = &compute.train[0];
  for (TrainJob& job : compute.train)
    if (job.trainer.history.size() < behind->trainer.history.size()) behind = &job;
  if (!behind->started) {
    behind->trainer = gs::make_trainer(behind->trainer.cell, compute.config);
    behind->started = true;
    return true;
  }
  gs::advance_training(behind->trainer, slice_steps(compute.config, compute.config.batch));
  return true;
}

}  // namespace

void compute_sync(Compute& compute, const gs::Config& config) {
  const std::string decay_key = decay_keys(config), sweep_key = sweep_keys(config),
                    train_key = train_keys(config);
  compute.config = config;
  if (decay_key != compute.decay_key) {
    compute.decay_key = decay_key;
    start_decay(compute);
  }
  if (sweep_key != compute.sweep_key) {
    compute.sweep_key = sweep_key;
    compute.sweep = gs::begin_sweep(config);
    compute.sweep_done = false;
  }
  if (train_key != compute.train_key) {
    compute.train_key = train_key;
    start_training(compute);
  } else if (compute.playing) {
    compute.target_iterations = config.iters;  // iters changed while playing
  }
}

void compute_advance(Compute& compute, double budget_ms, double (*now_ms)()) {
  const double start = now_ms();
  const int iterations_before = training_iterations(compute);
  bool worked = true;
  while (worked && now_ms() - start < budget_ms) {
    worked = false;
    // Decay curves first, one cell at a time: only one probe's BPTT caches are alive at once.
    for (DecayJob& job : compute.decay)
      if (!job.done) {
        worked = advance_decay(compute, job);
        break;
      }
    if (worked) continue;
    if (!compute.sweep_done) {
      compute.sweep_done = gs::advance_sweep(compute.sweep, slice_steps(compute.config, 1));
      worked = true;
      continue;
    }
    worked = advance_training_slice(compute);
  }
  compute.last_advance_ms = now_ms() - start;

  // Iterations per second, over windows of about a second.
  const double now = now_ms();
  if (!compute.playing) {
    compute.rate_window_start = -1;
  } else if (compute.rate_window_start < 0) {
    compute.rate_window_start = now;
    compute.rate_window_iterations = 0;
  } else {
    compute.rate_window_iterations += training_iterations(compute) - iterations_before;
    if (now - compute.rate_window_start >= 1000) {
      compute.iterations_per_second =
          compute.rate_window_iterations * 1000.0 / (now - compute.rate_window_start);
      compute.rate_window_start = now;
      compute.rate_window_iterations = 0;
    }
  }
}

bool decay_done(const Compute& compute) {
  return std::all_of(compute.decay.begin(), compute.decay.end(),
                     [](const DecayJob& job) { return job.done; });
}

double decay_progress(const Compute& compute) {
  return compute.decay_steps_total ? double(compute.decay_steps_done) / compute.decay_steps_total
                                   : 1.0;
}

double sweep_progress(const Compute& compute) {
  return compute.sweep.steps_total ? double(compute.sweep.steps_done) / compute.sweep.steps_total
                                   : 1.0;
}

int training_iterations(const Compute& compute) {
  int fewest = compute.train.empty() ? 0 : std::numeric_limits<int>::max();
  for (const TrainJob& job : compute.train)
    fewest = std::min(fewest, static_cast<int>(job.trainer.history.size()));
  return fewest;
}

void training_play(Compute& compute, bool play) {
  compute.playing = play && compute.train_error.empty() && !compute.train.empty();
  compute.target_iterations = compute.playing ? compute.config.iters : training_iterations(compute);
}

void training_step(Compute& compute) {
  compute.playing = false;
  if (compute.train.empty()) return;
  compute.target_iterations = std::min(training_iterations(compute) + 1, compute.config.iters);
}

void training_reset(Compute& compute) {
  const bool was_playing = compute.playing;
  start_training(compute);
  training_play(compute, was_playing);
}
