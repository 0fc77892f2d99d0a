// The numbers behind each view as getState() shows them (the table in views.h names each view's
// part): a number is a number, log10 values follow number_format.h (null for exactly zero,
// "overflow" for overflow).
#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>

#include "io/number_format.h"
#include "text.h"
#include "tour.h"
#include "views.h"

using Json = nlohmann::json;

namespace {

// log10 values in number_format.h's encoding: null (exactly zero), "overflow", or the number.
Json log10_array(const std::vector<double>& values) {
  Json out = Json::array();
  for (double v : values) out.push_back(gs::json_log10<Json>(v));
  return out;
}

// A curve by step t = 1..T, from the same curve by steps back from the loss, k = T - t.
std::vector<double> by_t(const std::vector<double>& by_lag) {
  return {by_lag.rbegin(), by_lag.rend()};
}

// `log10`: the values are log10 of a quantity, whose -inf (exactly zero) is null, as in the CLI's
// empty field; else plain values (a gate, a derivative), where 0 is 0.
Json series_json(const StepSeries& s, bool log10 = false) {
  Json out = {{"name", s.name}, {"steps", s.steps}};
  for (const auto& [key, values] : {std::pair{"mean", &s.mean}, std::pair{"q25", &s.q25},
                                    std::pair{"median", &s.median}, std::pair{"q75", &s.q75}}) {
    Json array = Json::array();
    for (double v : *values)
      array.push_back(log10 ? gs::json_log10<Json>(v) : gs::json_value<Json>(v));
    out[key] = array;
  }
  return out;
}

// A number only the RNNs have (NaN for LSTM and GRU): null there.
Json rnn_only(double v) { return std::isnan(v) ? Json() : gs::json_log10<Json>(v); }

Json values_json(const std::vector<double>& values) {
  Json out = Json::array();
  for (double v : values) out.push_back(gs::json_value<Json>(v));
  return out;
}

Json path_json(const CliffPath& p) {
  return {{"clip", p.clip}, {"w", values_json(p.w)},   {"b", values_json(p.b)},
          {"loss", values_json(p.loss)}, {"clipped", p.clipped}, {"off_step", p.off_step},
          {"overflow", p.overflow}};
}

}  // namespace

Json decay_state(const App& app) {
  const Results& c = app.results;
  Json cells = Json::array();
  for (const DecayResult& job : c.decay) {
    Json seeds = Json::array();
    for (const std::vector<double>& curve : job.curves) seeds.push_back(log10_array(curve));
    const gs::ProbeAnalysis& a = job.analysis;
    cells.push_back({{"cell", gs::cell_name(job.cell)},
                     {"done", job.done},
                     {"overflow_step", job.overflow_step},
                     {"overflow", job.overflow},
                     {"first_seed", c.config.seed},
                     // per probe (seed-major: seed, then its sequences), t = 1..T
                     {"log10_grad_norm_h", seeds},
                     {"log10_grad_norm_c", log10_array(job.curve_c)},  // first probe, LSTM
                     {"log10_forget_path", log10_array(job.curve_forget_path)},
                     {"median", log10_array(by_t(job.median_by_lag))},
                     {"p10", log10_array(by_t(job.lo_by_lag.empty() ? job.median_by_lag
                                                                     : job.lo_by_lag))},
                     {"p90", log10_array(by_t(job.hi_by_lag.empty() ? job.median_by_lag
                                                                     : job.hi_by_lag))},
                     {"analysis",
                      {{"log10_per_step", a.log10_per_step},
                       {"sigma_max_whh", a.sigma_max_whh},
                       {"mean_derivative", a.mean_derivative},
                       {"fraction_zero_derivative", a.fraction_zero_derivative},
                       {"mean_gate", a.mean_gate},
                       {"max_gate", a.max_gate}}}});
  }
  return {{"done", decay_done(c)}, {"progress", c.decay_progress}, {"cells", cells}};
}

Json sweep_state(const App& app) {
  const Results& c = app.results;
  Json points = Json::array();
  for (const gs::SweepPoint& p : c.sweep_points) {
    points.push_back({{"cell", gs::cell_name(p.cell)},
                      {"length", p.length},
                      {"mean_log10_ratio", gs::json_log10<Json>(p.mean)},
                      {"stddev", gs::json_log10<Json>(p.stddev)},
                      {"min", gs::json_log10<Json>(p.min)},
                      {"max", gs::json_log10<Json>(p.max)}});
  }
  return {{"done", c.sweep_done}, {"progress", c.sweep_progress}, {"points", points}};
}

Json why_page_state(const App& app) {
  const Results& c = app.results;
  Json cells = Json::array();
  bool done = !c.why.empty();
  for (const WhyResult& w : c.why) {
    done = done && w.done;
    Json saturation = Json::array(), above = Json::array(), lyapunov = Json::array(),
         sv1 = Json::array();
    for (const StepSeries& s : w.saturation) saturation.push_back(series_json(s));
    for (size_t i = 0; i < w.share_above_lags.size(); ++i)
      above.push_back({{"lag", w.share_above_lags[i]},
                       {"log10_share", gs::json_log10<Json>(w.log10_share_above[i])}});
    // -inf: a direction dead ReLUs kill exactly (log of 0): null, as the CLI's empty field
    for (double l : w.lyapunov) lyapunov.push_back(gs::json_log10<Json>(l));
    for (const std::vector<double>& sv : w.step_sv) sv1.push_back(sv.empty() ? Json() : Json(sv[0]));
    cells.push_back({{"cell", gs::cell_name(w.cell)},
                     {"done", w.done},
                     {"overflow_step", w.overflow_step},
                     {"lyapunov_exponents", lyapunov},
                     {"sv_steps", w.sv_steps},
                     {"sv1", sv1},
                     {"decay_log10_per_step", gs::json_value<Json>(w.decay_log10_per_step)},
                     {"pascanu_bound", gs::json_value<Json>(w.pascanu_bound)},
                     // RNNs (attribution.h); null for LSTM and GRU
                     {"sigma_max_whh", rnn_only(w.sigma_max_whh)},
                     {"spectral_radius_whh", rnn_only(w.spectral_radius_whh)},
                     {"twin_log10_per_step", rnn_only(w.twin_log10_per_step)},
                     {"keep_path_log10_per_step", gs::json_log10<Json>(w.keep_path_log10_per_step)},
                     {"saturation", saturation},
                     {"lag_log10_term", series_json(w.lag_terms, true)},
                     {"lag_log10_total", gs::json_log10<Json>(w.log10_total)},
                     {"share_above", above}});
  }
  return {{"done", done}, {"cells", cells}};
}

Json trainability_state(const App& app) {
  const Results& c = app.results;
  const TrainabilityResult& t = c.trainability;
  Json cells = Json::array();
  for (const TrainabilityResult::Cell& cell : t.cells) {
    Json ratio = Json::array(), lyapunov = Json::array();
    for (double v : cell.log10_ratio) ratio.push_back(gs::json_log10<Json>(v));
    for (double v : cell.lyapunov_max) lyapunov.push_back(gs::json_log10<Json>(v));
    cells.push_back({{"cell", gs::cell_name(cell.cell)},
                     {"log10_ratio", ratio},
                     {"lyapunov_max", lyapunov},
                     {"edge_of_chaos", gs::json_value<Json>(cell.edge_of_chaos)}});
  }
  return {{"done", t.done}, {"progress", t.progress}, {"scales", t.scales},
          {"lengths", t.lengths}, {"cells", cells}};
}

// What fixes it: the critical experiment, the cliff (surface and paths), the truncation cosines.
Json critical_state(const App& app) {
  const Results& results = app.results;
  const CriticalResult& c = results.critical;
  Json runs = Json::array(), cells = Json::array();
  for (const gs::CriticalRun& run : c.runs)
    runs.push_back({{"cell", gs::cell_name(run.cell)},
                    {"length", run.length},
                    {"seed", run.seed},
                    {"final_loss", gs::json_value<Json>(run.final_loss)},
                    {"chance_loss", run.chance_loss},
                    {"solved", run.solved},
                    {"diverged_at", run.diverged_at}});
  for (const gs::CriticalCell& cell : c.cells) {
    Json shares = Json::array();
    for (const gs::CriticalShare& s : cell.shares)
      shares.push_back({{"length", s.length}, {"done", s.done}, {"solved", s.solved}});
    cells.push_back({{"cell", gs::cell_name(cell.cell)},
                     {"critical_length", cell.critical_length},
                     {"shares", shares}});
  }
  return {{"running", c.running}, {"done", c.done},       {"runs_total", c.runs_total},
          {"progress", c.progress}, {"elapsed_ms", c.elapsed_ms}, {"error", c.error},
          {"runs", runs},         {"cells", cells}};
}

Json cliff_state(const App& app) {
  const Results& results = app.results;
  const CliffResult& c = results.cliff;
  return {{"done", c.done},
          {"w", c.w},
          {"b", c.b},
          // w-major, as `gradscope cliff` prints it: [i * b.length + j] at (w[i], b[j])
          {"loss", values_json(c.loss)},
          {"grad_w", values_json(c.grad_w)},
          {"grad_b", values_json(c.grad_b)},
          {"lr", kCliffLr},
          {"iterations", kCliffIterations},
          {"start", {c.start_w, c.start_b}},
          {"paths_generation", c.paths_generation},
          {"plain", path_json(c.plain)},
          {"clipped", path_json(c.clipped)}};
}

Json truncation_state(const App& app) {
  const Results& results = app.results;
  const TruncationResult& t = results.truncation;
  Json cells = Json::array();
  bool done = t.error.empty() && !t.cells.empty();
  for (const TruncationResult::Cell& cell : t.cells) {
    done = done && cell.done;
    // -inf (a gradient exactly zero, no direction) is null and NaN "overflow": the rule of a log10
    cells.push_back({{"cell", gs::cell_name(cell.cell)},
                     {"done", cell.done},
                     {"cosine", log10_array(cell.cosine)}});
  }
  return {{"done", done}, {"error", t.error}, {"cells", cells}};
}

// The paper presets: name, the view each puts in focus, and its button (zeros until drawn).
Json presets_state(const App& app) {
  int count = 0;
  const Preset* list = presets(count);
  Json out = Json::array();
  for (int i = 0; i < count; ++i) {
    const bool drawn = i < static_cast<int>(app.widgets.preset_rects.size());
    out.push_back({{"name", list[i].name},
                   {"view", view_name(list[i].view)},
                   {"rect", drawn ? app.widgets.preset_rects[i] : std::array<float, 4>{}}});
  }
  return out;
}

Json training_state(const App& app) {
  const Results& c = app.results;
  Json cells = Json::array();
  for (const TrainResult& job : c.train) {
    Json loss = Json::array(), norm = Json::array(), accuracy = Json::array(),
         clipped = Json::array(), skipped = Json::array();
    for (const gs::TrainRecord& r : job.history) {
      loss.push_back(gs::json_value<Json>(r.loss));
      norm.push_back(gs::json_value<Json>(r.grad_norm));
      accuracy.push_back(r.accuracy);
      clipped.push_back(r.clipped);
      skipped.push_back(r.skipped);
    }
    cells.push_back({{"cell", gs::cell_name(job.cell)},
                     {"chance_loss", job.chance_loss},
                     {"loss", loss},
                     {"grad_norm", norm},
                     {"accuracy", accuracy},
                     {"clipped", clipped},
                     {"skipped", skipped},
                     {"diverged_at", job.diverged_at},
                     {"divergence", job.divergence}});
  }
  return {{"error", c.train_error},
          {"playing", c.playing},
          {"iterations", training_iterations(c)},
          {"iterations_per_second", c.iterations_per_second},
          {"cells", cells}};
}

// The new cells' page: per cell the steps with eigenvalues and the largest modulus among them;
// the curse of memory's problem, descent and where each run ended.
Json eigenvalues_state(const App& app) {
  Json cells = Json::array();
  for (const WhyResult& w : app.results.why) {
    cells.push_back({{"cell", gs::cell_name(w.cell)},
                     {"done", w.done},
                     {"steps", w.eigenvalue_steps},
                     {"count", w.step_eigenvalues.empty() ? 0 : w.step_eigenvalues[0].size() / 2},
                     {"largest_modulus", largest_eigenvalue_modulus(w)}});
  }
  return {{"cells", cells}};
}

Json memory_state(const App& app) {
  const MemoryCurves& m = app.memory;
  Json paths = Json::array();
  for (const gs::MemoryPath& path : m.paths)
    paths.push_back({{"param", gs::memory_param_name(path.param)},
                     {"iterations", path.lambda.size() - 1},
                     {"left_at", path.left_at},
                     {"left_to", gs::json_value<Json>(path.left_to)},
                     {"lambda", gs::json_value<Json>(path.lambda.back())},
                     {"loss", gs::json_value<Json>(path.loss.back())}});
  return {{"teacher", m.problem.teacher},
          {"rho", m.problem.rho},
          {"points", m.points.size()},
          {"paths", paths}};
}
