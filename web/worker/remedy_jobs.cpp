#include "worker/remedy_jobs.h"

#include <algorithm>
#include <cmath>

#include "analyses/cliff.h"

namespace {

// The experiment trains at `lengths`, one seed after another, on models drawn from the config.
std::string critical_keys(const gs::Config& c) {
  return gs::keys_text(c, gs::kAffectsModel | gs::kAffectsCritical);
}

// The probe starts from training's first weights and minibatch: the model's keys, length, batch.
std::string truncation_keys(const gs::Config& c) {
  return gs::keys_text(c, gs::kAffectsModel | gs::kAffectsTruncation);
}

// Why the page does not compute the cosines for this configuration: one cell's minibatch pass
// must fit training's memory limit, and the lags' work (every loss carried back up to T steps:
// T step-backwards for one loss at the end, about T^2 / 2 for copy's loss at every step) must
// stay within about a minute of the worker's time.
std::string page_truncation_error(const gs::Config& config) {
  gs::Config one = config;
  one.cells = {config.cells.front()};
  if (const std::string error = page_training_error(one); !error.empty()) return error;
  const gs::TaskShape shape = gs::task_shape(config.task, config.length);
  const double steps = shape.steps;
  const double step_backs = config.task == gs::TaskKind::Copy ? steps * (steps + 1) / 2 : steps;
  const double work = step_backs * config.batch * 8.0 * config.hidden *
                      (config.hidden + shape.input_size) * config.cells.size();
  if (work > 1e11)
    return "the truncation probe at length=" + std::to_string(config.length) + " with batch=" +
           std::to_string(config.batch) + " and hidden=" + std::to_string(config.hidden) +
           " is too much work for the page: lower them, or run gradscope truncation";
  return "";
}

void grid_axes(CliffResult& r) {
  if (!r.w.empty()) return;
  gs::CliffAxis w, b;
  gs::parse_cliff_axis("w", gs::kCliffDefaultW, w);
  gs::parse_cliff_axis("b", gs::kCliffDefaultB, b);
  for (int i = 0; i < w.n; ++i) r.w.push_back(w.at(i));
  for (int j = 0; j < b.n; ++j) r.b.push_back(b.at(j));
}

CliffPath path_of(const std::vector<gs::CliffStep>& steps, double clip, const CliffResult& grid) {
  CliffPath path;
  path.clip = clip;
  for (const gs::CliffStep& s : steps) {
    const bool finite = std::isfinite(s.point.loss) && std::isfinite(s.point.grad_w) &&
                        std::isfinite(s.point.grad_b);
    const bool inside = s.w >= grid.w.front() && s.w <= grid.w.back() && s.b >= grid.b.front() &&
                        s.b <= grid.b.back();
    if (!path.off_step && (!finite || !inside)) path.off_step = static_cast<int>(path.w.size());
    path.overflow = !finite;  // only the last point can be: the descent stops there
    path.w.push_back(s.w);
    path.b.push_back(s.b);
    path.loss.push_back(s.point.loss);
    path.clipped.push_back(s.clipped);
  }
  return path;
}

}  // namespace

std::string page_critical_error(const gs::Config& config) {
  if (const std::string error = gs::validate_critical(config); !error.empty()) return error;
  gs::Config longest = config;
  longest.cells = {config.cells.front()};
  longest.length = config.lengths.back();
  return page_training_error(longest);
}

void sync_critical(CriticalJob& job, const gs::Config& config) {
  if (const std::string key = critical_keys(config); key != job.key) {
    const long generation = job.generation + 1, scoring = job.scoring;
    job = CriticalJob();
    job.key = key;
    job.generation = generation;
    job.scoring = scoring;
    job.result.error = page_critical_error(config);
    job.result.runs_total =
        static_cast<int>(config.cells.size() * config.lengths.size()) * config.seeds;
  } else if (job.started && config.solve_threshold != job.config.solve_threshold) {
    job.config.solve_threshold = config.solve_threshold;
    gs::rescore_runs(job.runs, config.solve_threshold);
    ++job.scoring;
  }
}

namespace {

bool is_training_here(const CriticalJob& job) { return !job.here.runs.empty(); }

// The longest run nobody trains (the first of them in canonical order), now taken; -1 if none.
// Longest first, so that no worker is left with a long run while the others have nothing.
int take_free_run(CriticalJob& job) {
  int best = -1;
  for (size_t i = 0; i < job.runs.size(); ++i)
    if (!job.runs[i].done && !job.taken[i] && (best < 0 || job.runs[i].length > job.runs[best].length))
      best = static_cast<int>(i);
  if (best >= 0) job.taken[best] = 1;
  return best;
}

// The finished runs' iterations and those of the run trained here so far, of every run's (the
// helpers' partial runs are not seen until they finish).
void update_progress(CriticalJob& job) {
  int64_t done = is_training_here(job) ? job.here.iterations_done : 0;
  for (const gs::CriticalRun& run : job.runs) done += run.done ? job.config.iters : 0;
  const double total = double(job.runs.size()) * job.config.iters;
  job.result.progress = total > 0 ? std::min(1.0, done / total) : 1.0;
}

// A finished run into its place, scored at the current threshold; progress and the end.
void finish_run(CriticalJob& job, gs::CriticalRun run) {
  run.done = true;
  std::vector<gs::CriticalRun> one = {run};
  gs::rescore_runs(one, job.config.solve_threshold);
  job.runs[run.index] = one[0];
  job.taken[run.index] = 1;
  update_progress(job);
  CriticalResult& r = job.result;
  if (critical_finished_prefix(job) == job.runs.size()) {
    r.running = false;
    r.done = true;
    r.current = -1;
  }
}

}  // namespace

size_t critical_finished_prefix(const CriticalJob& job) {
  size_t n = 0;
  while (n < job.runs.size() && job.runs[n].done) ++n;
  return n;
}

void critical_do(CriticalJob& job, const gs::Config& config, CriticalAction action) {
  CriticalResult& r = job.result;
  if (action == CriticalAction::Stop || !r.error.empty() || r.done) {
    r.running = false;
    job.last_tick_ms = -1;
    for (size_t i = 0; i < job.runs.size(); ++i)  // the helpers' runs go back to the pool
      if (!job.runs[i].done && !(is_training_here(job) && job.here.runs[0].index == int(i)))
        job.taken[i] = 0;
    return;
  }
  if (!job.started) {
    job.config = config;
    job.runs = gs::critical_runs(config);
    job.taken.assign(job.runs.size(), 0);
    job.started = true;
  }
  r.running = true;
}

int critical_helper_take(CriticalJob& job) {
  return job.result.running ? take_free_run(job) : -1;
}

void critical_helper_result(CriticalJob& job, long generation, const gs::CriticalRun& run,
                            double now_ms) {
  // after Stop nothing moves: a result already on its way when the helper was stopped is
  // dropped (its run went back to the pool)
  if (generation != job.generation || !job.result.running || run.index < 0 ||
      run.index >= static_cast<int>(job.runs.size()) || job.runs[run.index].done)
    return;
  if (job.last_tick_ms >= 0) {
    job.result.elapsed_ms += now_ms - job.last_tick_ms;
    job.last_tick_ms = now_ms;
  }
  finish_run(job, run);
}

void critical_helper_release(CriticalJob& job, int index) {
  if (index >= 0 && index < static_cast<int>(job.runs.size()) && !job.runs[index].done)
    job.taken[index] = 0;
}

bool advance_critical_job(CriticalJob& job, int budget, double (*now_ms)()) {
  CriticalResult& r = job.result;
  if (!r.running) return false;
  const double now = now_ms();
  if (job.last_tick_ms >= 0) r.elapsed_ms += now - job.last_tick_ms;
  job.last_tick_ms = now;
  if (!is_training_here(job)) {
    const int index = take_free_run(job);
    if (index < 0) return false;  // every run is done or with a helper: nothing to do here
    job.here = gs::begin_critical_run(job.config, index);
  }
  const bool finished = gs::advance_critical(job.here, budget);
  r.current = job.here.runs[0].index;
  if (finished) {
    const gs::CriticalRun run = job.here.runs[0];
    job.here = gs::CriticalExperiment();
    finish_run(job, run);
  } else {
    update_progress(job);
  }
  return true;
}

bool advance_cliff_job(CliffJob& job) {
  CliffResult& r = job.result;
  if (r.done) return false;
  grid_axes(r);
  const gs::CliffProblem problem;
  const int nw = static_cast<int>(r.w.size());
  for (int rows = 0; rows < 8 && job.next_w < nw; ++rows, ++job.next_w)
    for (double b : r.b) {
      const gs::CliffPoint p = gs::cliff_point(problem, r.w[job.next_w], b);
      r.loss.push_back(p.loss);
      r.grad_w.push_back(p.grad_w);
      r.grad_b.push_back(p.grad_b);
    }
  r.progress = double(job.next_w) / nw;
  if (job.next_w == nw) {
    r.done = true;
    if (r.paths_generation == 0) cliff_descend(job, kCliffStartW, kCliffStartB);
  }
  return true;
}

void cliff_descend(CliffJob& job, double w, double b) {
  CliffResult& r = job.result;
  grid_axes(r);
  const gs::CliffProblem problem;
  r.start_w = w;
  r.start_b = b;
  r.plain = path_of(gs::cliff_descent(problem, w, b, kCliffLr, kCliffIterations, 0), 0, r);
  r.clipped = path_of(gs::cliff_descent(problem, w, b, kCliffLr, kCliffIterations, kCliffClip),
                      kCliffClip, r);
  ++r.paths_generation;
}

void sync_truncation(TruncationJobs& jobs, const gs::Config& config,
                     std::shared_ptr<const gs::Model> start, const std::string& start_error,
                     const std::string& own) {
  const std::string key = truncation_keys(config) + own;
  if (key == jobs.key) return;
  jobs.key = key;
  ++jobs.generation;
  jobs.cells.clear();
  jobs.start = std::move(start);
  jobs.error = start_error.empty() ? page_truncation_error(config) : start_error;
  for (gs::CellKind cell : config.cells) {
    TruncationJob job;
    job.result.cell = cell;
    jobs.cells.push_back(std::move(job));
  }
}

bool advance_truncation_jobs(TruncationJobs& jobs, const gs::Config& config, int budget) {
  if (!jobs.error.empty()) return false;
  for (TruncationJob& job : jobs.cells) {
    if (job.result.done) continue;
    if (!job.started) {
      job.probe = jobs.start ? gs::begin_truncation_probe(*jobs.start, config)
                             : gs::begin_truncation_probe(job.result.cell, config);
      job.started = true;
      return true;
    }
    if (gs::advance_truncation_probe(job.probe, budget)) {
      job.result.cosine = job.probe.cosine;
      job.result.done = true;
      job.probe = gs::TruncationProbe();  // its passes are not needed any more
    }
    return true;
  }
  return false;
}
