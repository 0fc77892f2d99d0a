#include "worker/why_jobs.h"

#include <algorithm>
#include <cmath>

#include "analyses/attribution.h"
#include "analyses/bounds.h"
#include "bptt/lag_split.h"
#include "bptt/saturation.h"
#include "bptt/spectrum.h"

namespace {

// The steps a series shows: every stride-th from 1, and the last (results.h).
std::vector<int> shown_steps(int T) {
  const int stride = std::max(1, (T + kMaxSeriesPoints - 1) / kMaxSeriesPoints);
  std::vector<int> steps;
  for (int t = 1; t <= T; t += stride) steps.push_back(t);
  if (steps.back() != T) steps.push_back(T);
  return steps;
}

// values[t - 1] at the shown steps.
std::vector<double> at_steps(const std::vector<double>& values, const std::vector<double>& steps) {
  std::vector<double> out;
  if (values.empty()) return out;
  for (double t : steps) out.push_back(values[static_cast<size_t>(t) - 1]);
  return out;
}

StepSeries series_of(const gs::SaturationSeries& s, const std::vector<double>& steps) {
  StepSeries out;
  out.name = s.name;
  out.meaning = s.meaning;
  out.steps = steps;
  out.mean = at_steps(s.mean, steps);
  out.q25 = at_steps(s.q25, steps);
  out.median = at_steps(s.median, steps);
  out.q75 = at_steps(s.q75, steps);
  return out;
}

// Everything but the spectrum, from the finished probe.
void fill_measures(WhyJob& job) {
  WhyResult& r = job.result;
  const gs::Probe& probe = job.probe;
  r.steps = probe.sample.length();
  r.decay_log10_per_step = gs::analyze_probe(probe).log10_per_step;
  std::vector<double> steps;
  for (int t : shown_steps(r.steps)) steps.push_back(t);

  const gs::Bounds b = gs::probe_bounds(probe);
  r.pascanu_bound = b.pascanu_bound;
  r.sigma_max_whh = b.sigma_max_whh;
  r.gamma = b.gamma;
  r.keep_path_log10_per_step = b.keep_path_log10_per_step;
  const gs::Attribution attribution = gs::attribute_decay(probe);
  r.twin_log10_per_step = attribution.twin_log10_per_step;
  r.spectral_radius_whh = attribution.spectral_radius_whh;
  if (gs::cell_info(r.cell).family == gs::CellFamily::Rnn)  // a square W_hh, J_t's other factor
    for (const std::complex<double>& e : gs::eigenvalues(probe.model.params.weight_hh))
      r.whh_eigenvalues.insert(r.whh_eigenvalues.end(), {e.real(), e.imag()});
  if (!b.log10_keep_path.empty()) {
    r.keep_path.name = gs::cell_info(r.cell).keep_path;  // "forget_path", "update_path"
    std::replace(r.keep_path.name.begin(), r.keep_path.name.end(), '_', ' ');
    r.keep_path.meaning = "mean over units of log10 of the product of the keep gate from t on";
    r.keep_path.steps = steps;
    r.keep_path.mean = at_steps(b.log10_keep_path, steps);
  }

  const gs::Saturation s = gs::probe_saturation(probe);
  for (const gs::SaturationSeries& series : s.series) r.saturation.push_back(series_of(series, steps));
  if (!s.dead_share.empty()) {
    StepSeries dead;
    dead.name = "dead_share";
    dead.meaning = "share of units exactly off (h = 0): they pass no gradient";
    dead.steps = steps;
    dead.mean = at_steps(s.dead_share, steps);
    r.saturation.push_back(dead);
  }

  const gs::LagSplit lag = gs::probe_lag_split(probe);
  r.lag_terms.name = "lag term";
  r.lag_terms.meaning =
      gs::has_recurrent_weights(probe.model.cell) ? "log10 ||dgates_t h_{t-1}^T||, step t's term of dL/dW_hh"
      : gs::has_complex_state(probe.model.cell)
          ? "log10 ||gamma dL/dh_t x_t^T||, step t's term of dL/dB (the LRU's input weights)"
          : "log10 ||dgates_t x_t^T||, step t's term of dL/dW_ih (no W_hh)";
  r.lag_terms.steps = steps;
  r.lag_terms.mean = at_steps(lag.log10_term, steps);
  r.log10_total = lag.log10_total;
  for (int above : {10, 100, 1000})
    if (above < r.steps) {
      r.share_above_lags.push_back(above);
      r.log10_share_above.push_back(lag.log10_share_above(above));
    }
}

}  // namespace

bool advance_why(const gs::Config& config, WhyJob& job, int budget,
                 const std::shared_ptr<const gs::GivenModel>& given) {
  using Stage = WhyJob::Stage;
  WhyResult& r = job.result;
  switch (job.stage) {
    case Stage::Start:
      job.probe = given ? gs::begin_probe(*given, config, config.seed)
                        : gs::begin_probe(r.cell, config, config.seed);
      job.stage = Stage::Probe;
      return true;
    case Stage::Probe: {
      if (!gs::advance_probe(job.probe, budget)) return true;
      if (job.probe.curve.overflow_step) {  // no Jacobians to speak of
        r.overflow_step = job.probe.curve.overflow_step;
        r.steps = job.probe.sample.length();
        job.stage = Stage::Done;
        return true;
      }
      fill_measures(job);
      gs::SpectrumOptions options;
      options.max_sampled_steps = kPageSampledSteps;
      options.eigenvalues = true;
      options.max_eigenvalue_steps = kPageEigenvalueSteps;
      gs::with_lane(job.probe, [&](const auto& lane) {
        gs::begin_spectrum(lane.model, lane.fwd, options, job.spectrum);
      });
      job.stage = Stage::Spectrum;
      return true;
    }
    case Stage::Spectrum: {
      const bool done = gs::with_lane(job.probe, [&](const auto& lane) {
        return gs::spectrum_steps(lane.fwd, job.spectrum, std::max(1, budget / 8));
      });
      if (!done) return true;
      const gs::Spectrum& s = job.spectrum.result;
      r.state_size = s.state_size;
      r.complete = s.complete;
      r.sv_steps.assign(s.sv_steps.begin(), s.sv_steps.end());
      r.step_sv = s.step_sv;
      r.lyapunov = s.lyapunov;
      r.eigenvalue_steps.assign(s.eigenvalue_steps.begin(), s.eigenvalue_steps.end());
      for (const auto& step : s.step_eigenvalues) {
        std::vector<double> pairs;
        for (const std::complex<double>& e : step) pairs.insert(pairs.end(), {e.real(), e.imag()});
        r.step_eigenvalues.push_back(std::move(pairs));
      }
      job.stage = Stage::Done;
      return true;
    }
    case Stage::Done:
      if (r.done) return false;
      job.probe = gs::Probe();  // the caches are not needed any more
      job.spectrum = gs::SpectrumJob();
      r.done = true;
      return true;
  }
  return false;
}

std::vector<double> trainability_scales() { return gs::scale_grid(0.25, 16, 12, true); }
std::vector<int> trainability_lengths() {
  return {10, 20, 30, 50, 75, 100, 150, 200, 300, 500, 750, 1000};
}

bool advance_trainability_job(const gs::Config& config, TrainabilityJob& job, int budget,
                              const std::shared_ptr<const gs::GivenModel>& given) {
  TrainabilityResult& r = job.result;
  if (r.done) return false;
  if (!job.started) {
    gs::Config grid = config;
    grid.lengths = trainability_lengths();
    grid.radius = 0;  // it would undo the scale axis
    job.map = gs::begin_trainability(grid, trainability_scales(), given);
    job.started = true;
    return true;
  }
  const bool finished = gs::advance_trainability(job.map, budget);
  r.progress = job.map.steps_total ? double(job.map.steps_done) / job.map.steps_total : 1.0;
  if (!finished) return true;
  r.scales = job.map.scales;
  r.lengths.assign(job.map.config.lengths.begin(), job.map.config.lengths.end());
  for (gs::CellKind cell : config.cells) {
    if (!gs::scale_applies(cell)) continue;  // not mapped: nothing for the scale to act on
    TrainabilityResult::Cell c;
    c.cell = cell;
    for (const gs::TrainabilityPoint& p : job.map.points)
      if (p.cell == cell) {
        c.log10_ratio.push_back(p.log10_ratio);
        c.lyapunov_max.push_back(p.lyapunov_max);
      }
    c.edge_of_chaos = gs::edge_of_chaos(job.map, cell, job.map.config.lengths.back());
    r.cells.push_back(std::move(c));
  }
  job.map = gs::TrainabilityMap();
  r.done = true;
  return true;
}
