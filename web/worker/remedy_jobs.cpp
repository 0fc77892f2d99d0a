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
    job.key = key;
    job.experiment = gs::CriticalExperiment();
    job.started = false;
    ++job.generation;
    job.result = CriticalResult();
    job.result.error = page_critical_error(config);
    job.result.runs_total =
        static_cast<int>(config.cells.size() * config.lengths.size()) * config.seeds;
  } else if (job.started && config.solve_threshold != job.experiment.config.solve_threshold) {
    gs::rescore_critical(job.experiment, config.solve_threshold);
    ++job.scoring;
  }
}

void critical_do(CriticalJob& job, const gs::Config& config, CriticalAction action) {
  CriticalResult& r = job.result;
  if (action == CriticalAction::Stop || !r.error.empty() || r.done) {
    r.running = false;
    return;
  }
  if (!job.started) {
    job.experiment = gs::begin_critical(config);
    job.started = true;
  }
  r.running = true;
}

bool advance_critical_job(CriticalJob& job, int budget, double (*now_ms)()) {
  CriticalResult& r = job.result;
  if (!r.running) return false;
  const double start = now_ms();
  const bool finished = gs::advance_critical(job.experiment, budget);
  r.elapsed_ms += now_ms() - start;
  const gs::CriticalExperiment& e = job.experiment;
  r.progress = e.iterations_total ? double(e.iterations_done) / e.iterations_total : 1.0;
  r.current = finished ? -1 : static_cast<int>(e.next);
  if (finished) {
    r.running = false;
    r.done = true;
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
