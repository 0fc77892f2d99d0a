#include "compute.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace {

// Keys each job depends on, as their config text, so a restart happens exactly when needed.
std::string model_keys(const gs::Config& c) {
  return "cell=" + gs::cells_text(c.cells) + "&hidden=" + std::to_string(c.hidden) +
         "&seed=" + std::to_string(c.seed) + "&init=" + gs::init_name(c.init) +
         "&scale=" + std::to_string(c.scale) + "&radius=" + std::to_string(c.radius) +
         "&forget_bias=" + std::to_string(c.forget_bias) + "&task=" + gs::task_name(c.task);
}
std::string decay_keys(const gs::Config& c) {
  return model_keys(c) + "&length=" + std::to_string(c.length) +
         "&seeds=" + std::to_string(c.seeds);
}
std::string sweep_keys(const gs::Config& c) {
  return model_keys(c) + "&lengths=" + gs::lengths_text(c.lengths) +
         "&seeds=" + std::to_string(c.seeds);
}
std::string train_keys(const gs::Config& c) {
  return model_keys(c) + "&length=" + std::to_string(c.length) + "&batch=" +
         std::to_string(c.batch) + "&optimizer=" + gs::optimizer_name(c.optimizer) +
         "&lr=" + std::to_string(c.lr) + "&momentum=" + std::to_string(c.momentum) +
         "&clip=" + std::to_string(c.clip);
}

const int kSlice = 32;  // time steps per call into core between clock checks

void start_decay(Compute& compute) {
  const gs::Config& config = compute.config;
  compute.decay.clear();
  compute.decay_steps_done = 0;
  ++compute.decay_generation;
  const int steps = gs::task_shape(config.task, config.length).steps;
  compute.decay_steps_total = 2L * steps * config.seeds * config.cells.size();
  for (gs::CellKind cell : config.cells) {
    DecayJob job;
    job.cell = cell;
    job.probe = gs::begin_probe(cell, config, config.seed);
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

// Advances one decay job by one slice; true if it did any work.
bool advance_decay(Compute& compute, DecayJob& job) {
  using Stage = DecayJob::Stage;
  if (job.done) return false;
  switch (job.stage) {
    case Stage::Computing: {
      const int before = gs::probe_steps_done(job.probe);
      const bool finished = gs::advance_probe(job.probe, kSlice);
      compute.decay_steps_done += gs::probe_steps_done(job.probe) - before;
      if (!finished) return true;
      job.curves.push_back(job.probe.curve.log10_grad_h);
      job.stage = job.curves.size() == 1 ? Stage::Analyzing : Stage::Releasing;
      return true;
    }
    case Stage::Analyzing:  // first seed: keep what the heatmap and the explanation need
      job.unit_map = std::move(job.probe.curve.log10_unit_grad);
      job.analysis = gs::analyze_probe(job.probe);
      job.stage = Stage::Releasing;
      return true;
    case Stage::Releasing:
      if (!gs::release_probe(job.probe, 64 * kSlice)) return true;
      if (static_cast<int>(job.curves.size()) < compute.config.seeds) {
        job.probe = gs::begin_probe(job.cell, compute.config,
                                    compute.config.seed + job.curves.size());
        job.stage = Stage::Computing;
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
  compute.train_error = gs::validate_for_training(compute.config);
  compute.rate_window_start = -1;
  compute.iterations_per_second = 0;
  compute.playing = false;
  compute.target_iterations = 0;
  if (!compute.train_error.empty()) return;
  for (gs::CellKind cell : compute.config.cells)
    compute.train.push_back({gs::make_trainer(cell, compute.config)});
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
  gs::advance_training(behind->trainer, kSlice);
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
      compute.sweep_done = gs::advance_sweep(compute.sweep, kSlice);
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
