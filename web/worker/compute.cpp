#include "worker/compute.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "model/model.h"
#include "model/rng.h"

namespace {

// The keys each job depends on, as canonical text (core/model/config.h: each key's row says which
// computations its change makes stale), so a job restarts exactly when one of its inputs changes.
// Training goes on to a new `iters` rather than starting again (compute_sync).
std::string decay_keys(const gs::Config& c) {
  return gs::keys_text(c, gs::kAffectsModel | gs::kAffectsDecay);
}
std::string sweep_keys(const gs::Config& c) {
  return gs::keys_text(c, gs::kAffectsModel | gs::kAffectsSweep);
}
// The map has its own scales and lengths (why_jobs.h): the model keys but the config's scale
// and radius (held at their defaults here, so that changing them restarts nothing).
std::string trainability_keys(const gs::Config& c) {
  gs::Config model = c;
  model.scale = gs::Config().scale;
  model.radius = gs::Config().radius;
  return gs::keys_text(model, gs::kAffectsModel);
}
std::string train_keys(const gs::Config& c) {
  return gs::keys_text(c, gs::kAffectsModel | gs::kAffectsTraining);
}

// Time steps per call into core between clock checks: about 4 million multiply-adds, so that a
// slice takes a millisecond or two whatever the sizes (one step at the very least).
int slice_steps(const gs::Config& c, int batch) {
  const int I = gs::task_shape(c.task, c.length).input_size;
  const double per_step = 4.0 * c.hidden * (c.hidden + I) * batch * 3;  // LSTM, fwd + bwd
  return static_cast<int>(std::clamp(4e6 / per_step, 1.0, 4096.0));
}

void start_decay(Compute& compute) {
  const gs::Config& config = compute.config;
  compute.decay.clear();
  compute.decay_steps_done = 0;
  ++compute.decay_generation;
  const int steps = gs::probe_length(compute.given.get(), config.task, config.length);
  compute.decay_steps_total = int64_t{2} * steps * config.seeds * config.sequences *
                              int64_t(config.cells.size());
  compute.why.clear();
  ++compute.why_generation;
  for (gs::CellKind cell : config.cells) {
    DecayJob job;
    job.result.cell = cell;
    compute.decay.push_back(std::move(job));
    WhyJob why;
    why.result.cell = cell;
    compute.why.push_back(std::move(why));
  }
}

// A seed's curve is finished: keep it (and, for the first seed, the heatmap and the analysis),
// free the probe, and go on to the next seed or wrap up.
void finish_seed(Compute& compute, DecayJob& job) {
  DecayResult& r = job.result;
  r.curves.push_back(job.probe.curve.log10_grad_h);
  if (r.curves.size() == 1) {
    r.curve_c = job.probe.curve.log10_grad_c;
    r.curve_forget_path = job.probe.curve.log10_forget_path;
  }
  if (job.probe.curve.overflow_step && !r.overflow_step) {
    r.overflow_step = job.probe.curve.overflow_step;
    r.overflow = gs::overflow_explanation(job.probe.curve, job.probe.precision);
  }
  if (r.curves.size() == 1) {
    r.analysis = gs::analyze_probe(job.probe);
    make_heat_columns(r, job.probe.curve.log10_unit_grad,
                      gs::unit_rows(job.probe.model.hidden_size,
                                    gs::has_complex_state(job.probe.model.cell)));
  }
  job.probe = gs::Probe();
  job.probe_started = false;
  if (static_cast<int>(r.curves.size()) == compute.config.seeds * compute.config.sequences) {
    summarize_decay(r);
    r.done = true;
  }
}

// Advances one decay job by one slice.
void advance_decay(Compute& compute, DecayJob& job) {
  if (!job.probe_started) {
    const int k = static_cast<int>(job.result.curves.size()), sequences = compute.config.sequences;
    const uint64_t seed = compute.config.seed + k / sequences;
    job.probe = compute.given ? gs::begin_probe(*compute.given, compute.config, seed, k % sequences)
                              : gs::begin_probe(job.result.cell, compute.config, seed, k % sequences);
    job.probe_started = true;
  }
  const int before = gs::probe_steps_done(job.probe);
  const bool finished = gs::advance_probe(job.probe, slice_steps(compute.config, 1));
  compute.decay_steps_done += gs::probe_steps_done(job.probe) - before;
  if (finished) finish_seed(compute, job);
}

void start_training(Compute& compute) {
  compute.train.clear();
  ++compute.train_generation;
  const gs::Config& c = compute.config;
  compute.train_error = page_training_error(c);
  compute.rate_window_start = -1;
  compute.iterations_per_second = 0;
  compute.playing = false;
  compute.target_iterations = 0;
  if (compute.train_error.empty() && compute.own) {
    gs::Config own_config = c;
    std::vector<std::string> lines;
    compute.train_error = gs::own_model_for_training(*compute.own, gs::page_model_keys(),
                                                     own_config, compute.own_train_model, lines);
  }
  if (!compute.train_error.empty()) return;
  for (gs::CellKind cell : compute.config.cells) {
    TrainJob job;
    job.trainer.cell = cell;
    job.trainer.config = c;
    job.trainer.shape = gs::task_shape(c.task, c.length);
    compute.train.push_back(std::move(job));
  }
}

// Cells train in lockstep: the one with the fewest iterations goes next, until the target. A cell
// whose run diverged has stopped; the others go on.
bool advance_training_slice(Compute& compute) {
  TrainJob* behind = nullptr;
  for (TrainJob& job : compute.train)
    if (!job.trainer.diverged_at &&
        (!behind || job.trainer.history.size() < behind->trainer.history.size()))
      behind = &job;
  if (!behind || static_cast<int>(behind->trainer.history.size()) >= compute.target_iterations) {
    if (!behind || training_iterations(compute) >= compute.config.iters) compute.playing = false;
    return false;
  }
  if (!behind->started) {
    behind->trainer = compute.own ? gs::make_trainer(compute.own_train_model, compute.config)
                                  : gs::make_trainer(behind->trainer.cell, compute.config);
    behind->started = true;
    return true;
  }
  gs::advance_training(behind->trainer, slice_steps(compute.config, compute.config.batch));
  return true;
}

// Iterations per second, over windows of about a second.
void measure_rate(Compute& compute, int iterations_before, double now) {
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

}  // namespace

void compute_sync(Compute& compute, const gs::Config& config) {
  const std::string own = "&own=" + std::to_string(compute.own_generation);
  const std::string decay_key = decay_keys(config) + own, sweep_key = sweep_keys(config) + own,
                    train_key = train_keys(config) + own;
  compute.given = nullptr;
  if (compute.own) {  // the page checked the config against the model already
    gs::Config checked = config;
    auto given = std::make_shared<gs::GivenModel>();
    std::vector<std::string> lines;
    if (gs::page_use_own_model(*compute.own, false, checked, *given, lines).empty())
      compute.given = given;
  }
  compute.config = config;
  compute.config_text = gs::to_text(config);
  if (decay_key != compute.decay_key) {
    compute.decay_key = decay_key;
    start_decay(compute);
  }
  if (sweep_key != compute.sweep_key) {
    compute.sweep_key = sweep_key;
    compute.sweep = gs::begin_sweep(config, compute.given);
    compute.sweep_done = false;
    ++compute.sweep_generation;
  }
  if (const std::string key = trainability_keys(config) + own; key != compute.trainability_key) {
    compute.trainability_key = key;
    compute.trainability = TrainabilityJob();
    ++compute.trainability_generation;
  }
  // The truncation probe starts where training would: from your own model, if one is loaded.
  std::shared_ptr<const gs::Model> start;
  std::string start_error;
  if (compute.own) {
    gs::Config own_config = config;
    gs::Model model;
    std::vector<std::string> lines;
    start_error = gs::own_model_for_training(*compute.own, gs::page_model_keys(), own_config,
                                             model, lines);
    if (start_error.empty()) start = std::make_shared<const gs::Model>(std::move(model));
  }
  sync_truncation(compute.truncation, config, start, start_error, own);
  sync_critical(compute.critical, config);
  if (train_key != compute.train_key) {
    compute.train_key = train_key;
    start_training(compute);
  } else if (compute.playing) {
    compute.target_iterations = config.iters;  // iters changed while playing
  }
}

bool compute_advance(Compute& compute, double budget_ms, double (*now_ms)()) {
  const double start = now_ms();
  const int iterations_before = training_iterations(compute);
  bool worked = true;
  while (worked && now_ms() - start < budget_ms) {
    worked = false;
    // Decay curves first, one cell at a time: only one probe's BPTT caches are alive at once.
    for (DecayJob& job : compute.decay)
      if (!job.result.done) {
        advance_decay(compute, job);
        worked = true;
        break;
      }
    if (worked) continue;
    if (!compute.sweep_done) {
      compute.sweep_done = gs::advance_sweep(compute.sweep, slice_steps(compute.config, 1));
      worked = true;
      continue;
    }
    if (compute.hold_for_first_screen) return false;
    // the cliff's surface is a few ms of work and needs no key: before the longer why jobs
    if ((worked = advance_cliff_job(compute.cliff))) continue;
    for (WhyJob& job : compute.why)
      if ((worked = advance_why(compute.config, job, slice_steps(compute.config, 1), compute.given)))
        break;
    if (worked) continue;
    if ((worked = advance_trainability_job(compute.config, compute.trainability,
                                           slice_steps(compute.config, 1), compute.given)))
      continue;
    const int batch_steps = slice_steps(compute.config, compute.config.batch);
    if ((worked = advance_truncation_jobs(compute.truncation, compute.config, batch_steps)))
      continue;
    compute.critical_turn = !compute.critical_turn;
    const auto critical = [&] {
      return advance_critical_job(compute.critical, batch_steps, now_ms);
    };
    worked = compute.critical_turn ? critical() || advance_training_slice(compute)
                                   : advance_training_slice(compute) || critical();
  }
  measure_rate(compute, iterations_before, now_ms());
  return worked;
}

bool decay_done(const Compute& compute) {
  return std::all_of(compute.decay.begin(), compute.decay.end(),
                     [](const DecayJob& job) { return job.result.done; });
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
  std::vector<int> done;
  std::vector<char> diverged;
  for (const TrainJob& job : compute.train) {
    done.push_back(static_cast<int>(job.trainer.history.size()));
    diverged.push_back(job.trainer.diverged_at != 0);
  }
  return lockstep_iterations(done, diverged);
}

void critical_command(Compute& compute, CriticalAction action) {
  critical_do(compute.critical, compute.config, action);
}

void cliff_command(Compute& compute, double w, double b) { cliff_descend(compute.cliff, w, b); }

void training_do(Compute& compute, TrainAction action) {
  switch (action) {
    case TrainAction::Play:
    case TrainAction::Pause:
      compute.playing = action == TrainAction::Play && compute.train_error.empty() &&
                        !compute.train.empty();
      compute.target_iterations =
          compute.playing ? compute.config.iters : training_iterations(compute);
      break;
    case TrainAction::Step:
      compute.playing = false;
      if (!compute.train.empty())
        compute.target_iterations =
            std::min(training_iterations(compute) + 1, compute.config.iters);
      break;
    case TrainAction::Reset: {
      const bool was_playing = compute.playing;
      start_training(compute);
      if (was_playing) training_do(compute, TrainAction::Play);
      break;
    }
  }
}

std::string compute_load_model(Compute& compute, const unsigned char* bytes, size_t size,
                               int layer_choice) {
  std::shared_ptr<const gs::OwnModel> own;
  if (size > 0) {
    gs::LoadOptions options;
    if (layer_choice >= 0) {
      const std::vector<gs::LayerChoice> choices = gs::layer_choices(bytes, size);
      if (layer_choice >= static_cast<int>(choices.size()))
        return "layer choice " + std::to_string(layer_choice) + " is not in the file";
      options = choices[layer_choice].options;
    }
    auto loaded = std::make_shared<gs::OwnModel>();
    if (std::string e = gs::load_model(bytes, size, options, *loaded); !e.empty()) return e;
    own = loaded;
  }
  compute.own = own;
  ++compute.own_generation;  // the page's next config restarts every job
  return "";
}

std::string compute_model_file(const Compute& compute) {
  const gs::Config& c = compute.config;
  std::vector<gs::NamedModel> models;
  for (size_t i = 0; i < c.cells.size(); ++i) {
    const gs::CellKind cell = c.cells[i];
    gs::NamedModel named;
    named.prefix = c.cells.size() == 1 ? "" : std::string(gs::cell_name(cell)) + ".";
    const bool trained = i < compute.train.size() && compute.train[i].started &&
                         !compute.train[i].trainer.history.empty();
    if (trained) {
      named.model = gs::trained_model(compute.train[i].trainer);
    } else if (compute.own) {
      named.model = compute.own->model;
      named.model.cell = cell;  // an RNN's nonlinearity as the page uses it
    } else {
      const gs::TaskShape shape = gs::task_shape(c.task, c.length);
      gs::Rng rng(gs::model_seed(c.seed));
      named.model =
          gs::make_model(cell, shape.input_size, c.hidden, shape.output_size, c, rng);
    }
    models.push_back(std::move(named));
  }
  return gs::models_to_safetensors(models, c.precision, {{"written_by", "gradscope page"}});
}
