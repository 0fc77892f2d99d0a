#include "bridge.h"

#include <emscripten.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <nlohmann/json.hpp>

#include "number_format.h"
#include "tour.h"
#include "views.h"

namespace {

App* g_app = nullptr;  // the one App, for the calls JavaScript makes into C++

// The JavaScript side, in web/bridge.js.
extern "C" {
void js_install();
void js_worker_config(const char* text);
void js_worker_train(int action);
void js_worker_critical(int action);
void js_worker_cliff(double w, double b);
void js_copy_link();
void js_download(const char* filename, const char* mime, const char* text);
void js_download_canvas_png(const char* filename);
void js_open(const char* url);
char* js_read_hash();
int js_first_visit();
void js_write_hash(const char* text);
void js_signal_ready();
void js_mark(const char* name);
void js_fail(const char* message);
}

// ------------------------------------------------------------------------------------------------
// State as JSON
// ------------------------------------------------------------------------------------------------

using Json = nlohmann::json;

// log10 values in number_format.h's encoding: null (exactly zero), "overflow", or the number.
Json log10_array(const std::vector<double>& values) {
  Json out = Json::array();
  for (double v : values) out.push_back(gs::json_log10<Json>(v));
  return out;
}

nlohmann::json decay_json(const Results& c) {
  nlohmann::json cells = nlohmann::json::array();
  for (const DecayResult& job : c.decay) {
    nlohmann::json seeds = nlohmann::json::array();
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
                     {"median", log10_array(job.median)},
                     {"p10", log10_array(job.lo)},
                     {"p90", log10_array(job.hi)},
                     {"analysis",
                      {{"log10_per_step", a.log10_per_step},
                       {"sigma_max_whh", a.sigma_max_whh},
                       {"mean_derivative", a.mean_derivative},
                       {"fraction_zero_derivative", a.fraction_zero_derivative},
                       {"mean_gate", a.mean_gate}}}});
  }
  return {{"done", decay_done(c)}, {"progress", c.decay_progress}, {"cells", cells}};
}

nlohmann::json sweep_json(const Results& c) {
  nlohmann::json points = nlohmann::json::array();
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

Json why_json(const Results& c) {
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

Json trainability_json(const Results& c) {
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

// What fixes it: the critical experiment, the cliff (surface and paths), the truncation cosines,
// the tour's step.
Json critical_json(const Results& results) {
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

Json cliff_json(const Results& results) {
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

Json truncation_json(const Results& results) {
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

// The tour: its step, and where its box and its "Start here" button are (zeros when not drawn).
Json tour_json(const App& app) {
  const TourStep* step = tour_step(app.config.tour);
  const Widgets& w = app.widgets;
  if (!step)
    return {{"step", 0}, {"steps", gs::kTourSteps}, {"button_rect", w.tour_button_rect}};
  return {{"step", app.config.tour}, {"steps", gs::kTourSteps}, {"title", step->title},
          {"view", view_name(step->view)}, {"text", tour_text(app, app.config.tour)},
          {"rect", w.tour_rect}};
}

// The paper presets: name, the view each puts in focus, and its button (zeros until drawn).
Json presets_json(const App& app) {
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

nlohmann::json training_json(const Results& c) {
  nlohmann::json cells = nlohmann::json::array();
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

nlohmann::json state_of(const App& app) {
  nlohmann::json values = nlohmann::json::object();  // the config text split into its keys
  for (const auto& [key, value] : gs::config_pairs(app.config)) values[key] = value;
  int w = 0, h = 0;
  if (app.window) SDL_GL_GetDrawableSize(app.window, &w, &h);
  nlohmann::json heatmaps = nlohmann::json::array();
  for (const CellHeatmap& m : app.heatmaps)
    heatmaps.push_back({{"cell", gs::cell_name(m.cell)},
                        {"width", m.map.width},
                        {"height", m.map.height},
                        {"steps_per_column", m.steps_per_column},
                        {"rendered", m.filled && m.map.image_tex != 0 && !m.map.dirty}});
  const Results& c = app.results;
  const bool current = results_current(app);
  return {
      {"ready", app.frame > 0},
      // the worker has every message, and every curve of the current config is computed
      {"done", curves_done(app)},
      {"synced", current},
      {"config", app.config_text},
      {"values", values},
      {"error", app.error},
      {"focus", view_name(app.focus)},
      {"why", explain(app, app.focus)},
      {"decay", decay_json(c)},
      {"sweep", sweep_json(c)},
      {"training", training_json(c)},
      {"model", own_model_json(app)},
      {"why_it_vanishes", why_json(c)},
      {"trainability", trainability_json(c)},
      {"critical", critical_json(c)},
      {"cliff", cliff_json(c)},
      {"truncation", truncation_json(c)},
      {"tour", tour_json(app)},
      {"page", app.page == Page::Why        ? "why"
               : app.page == Page::Remedies ? "remedies"
                                            : "vanishing"},
      {"phone_tab", app.phone ? view_name(app.phone_tab) : ""},  // the tab shown on phones
      {"webgl2", app.webgl2},
      {"gl_context", {{"lost", app.context_lost}, {"restores", app.context_restores}}},
      {"gl_version", app.gl_version},
      {"shader_log", app.colormap.log},
      {"dpr", app.font_dpr},
      {"drawable", {w, h}},
      {"frame", app.frame},
      {"edit_rect", app.widgets.edit_rect},
      {"share_rects",
       {{"copy_link", app.widgets.share_rects[0]},
        {"download_csv", app.widgets.share_rects[1]},
        {"save_png", app.widgets.share_rects[2]}}},
      {"notices_rect", app.widgets.notices_rect},
      {"length_rect", app.widgets.length_rect},
      {"presets", presets_json(app)},
      {"notice", app.notice},
      {"work_ms", app.work_ms},
      {"work_ms_max", app.work_ms_max},
      {"frames_drawn", app.frames_drawn},  // of `frame`: the others left an unchanged picture
      {"frame_ms", app.frame_ms},
      {"receive_ms", app.receive_ms},
      // WebAssembly memory of the UI and of the compute worker (they only grow)
      {"memory", {{"app_wasm_bytes", EM_ASM_DOUBLE({ return HEAP8.length; })},
                  {"worker_wasm_bytes", static_cast<double>(c.worker_memory_bytes)}}},
      {"views",
       {{"heatmap",
         {{"cells", heatmaps},
          {"range", {app.heat_lo, app.heat_hi}},
          {"rendered", !app.heatmaps.empty() &&
                           std::all_of(app.heatmaps.begin(), app.heatmaps.end(),
                                       [](const CellHeatmap& m) {
                                         return m.filled && m.map.image_tex && !m.map.dirty;
                                       })}}}}},
  };
}

}  // namespace

// ------------------------------------------------------------------------------------------------
// Entry points JavaScript calls (exported by EMSCRIPTEN_KEEPALIVE)
// ------------------------------------------------------------------------------------------------

extern "C" {

EMSCRIPTEN_KEEPALIVE const char* gradscope_get_state() {
  g_app->state_json = state_json(*g_app);
  return g_app->state_json.c_str();
}

EMSCRIPTEN_KEEPALIVE const char* gradscope_status() {
  g_app->state_json = status_json(*g_app);
  return g_app->state_json.c_str();
}

EMSCRIPTEN_KEEPALIVE const char* gradscope_train(const char* action_text) {
  const std::string action = action_text;
  const TrainAction actions[] = {TrainAction::Play, TrainAction::Pause, TrainAction::Step,
                                 TrainAction::Reset};
  const char* names[] = {"play", "pause", "step", "reset"};
  g_app->reply = "train: unknown action '" + action + "' (play, pause, step, reset)";
  for (int i = 0; i < 4; ++i)
    if (action == names[i]) {
      g_app->reply = page_training_error(g_app->config);
      if (g_app->reply.empty()) train_action(*g_app, actions[i]);
    }
  return g_app->reply.c_str();
}

// One message of the compute worker, copied into the heap by bridge.js.
EMSCRIPTEN_KEEPALIVE void gradscope_receive(const uint8_t* data, int size) {
  receive_results(*g_app, data, static_cast<size_t>(size));
}

EMSCRIPTEN_KEEPALIVE const char* gradscope_critical(const char* action_text) {
  const std::string action = action_text;
  g_app->reply = "";
  if (action == "run" || action == "stop")
    critical_action(*g_app, action == "run" ? CriticalAction::Run : CriticalAction::Stop);
  else
    g_app->reply = "critical: unknown action '" + action + "' (run, stop)";
  return g_app->reply.c_str();
}

EMSCRIPTEN_KEEPALIVE void gradscope_cliff(double w, double b) { cliff_start(*g_app, w, b); }

EMSCRIPTEN_KEEPALIVE const char* gradscope_focus(const char* name) {
  g_app->reply = "";
  View view;
  if (view_from_name(name, view)) {
    focus_view(*g_app, view);  // its page is shown
    return g_app->reply.c_str();
  }
  g_app->reply = std::string("focus: unknown view '") + name +
                 "' (decay, sweep, heatmap, training, spectra, saturation, lagsplit, "
                 "trainability, critical, cliff, truncation, presets, why)";
  return g_app->reply.c_str();
}

EMSCRIPTEN_KEEPALIVE const char* gradscope_csv() {
  g_app->reply = view_csv(*g_app, g_app->focus);
  return g_app->reply.c_str();
}

// The clipboard's answer to "Copy link".
EMSCRIPTEN_KEEPALIVE void gradscope_notice(int copied) {
  g_app->notice = (copied ? "Link copied to the clipboard."
                          : "The browser refused the clipboard: copy the address bar instead.") +
                   own_model_link_warning(*g_app);
}

EMSCRIPTEN_KEEPALIVE const char* gradscope_set_config(const char* text) {
  g_app->reply = apply_config(*g_app, g_app->config, text, ConfigSource::SetConfig);
  return g_app->reply.c_str();
}

// A link opened or a hash typed: the hash alone decides (over the defaults), so a link
// reproduces its picture whatever was shown before.
EMSCRIPTEN_KEEPALIVE void gradscope_hash_changed() {
  apply_config(*g_app, gs::Config(), own_model_strip_hash(*g_app, bridge_read_hash()),
               ConfigSource::UrlHash);
}

}  // extern "C"

std::string state_json(const App& app) {
  return state_of(app).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string status_json(const App& app) {
  return nlohmann::json({{"frame", app.frame},
                         {"done", curves_done(app)},
                         {"work_ms", app.work_ms},
                         {"work_ms_max", app.work_ms_max},
                         {"frames_drawn", app.frames_drawn},
                         {"iterations", training_iterations(app.results)}})
      .dump();
}

void bridge_install(App& app) {
  g_app = &app;
  js_install();
  own_model_install(app);
  // The defaults first (to the worker, and to the hash if the link has none), then the link's.
  const std::string hash = own_model_strip_hash(app, bridge_read_hash());
  apply_config(app, app.config, "", hash.empty() ? ConfigSource::SetConfig : ConfigSource::UrlHash);
  if (!hash.empty()) apply_config(app, gs::Config(), hash, ConfigSource::UrlHash);
  // A first visit without a link starts with the story: the tour's first step. A returning
  // visitor, or a link that sets a configuration, goes straight to the plots.
  if (js_first_visit() && hash.empty()) apply_config(app, app.config, "tour=1", ConfigSource::Link);
}

std::string bridge_read_hash() {
  char* text = js_read_hash();
  std::string result(text);
  std::free(text);
  return result;
}

void bridge_write_hash(const std::string& text) {
  js_write_hash(own_model_hash(*g_app, text).c_str());  // "&model=local" with a loaded model
}
void bridge_send_config(const std::string& config_text) { js_worker_config(config_text.c_str()); }
void bridge_send_train(TrainAction action) { js_worker_train(static_cast<int>(action)); }
void bridge_send_critical(CriticalAction action) { js_worker_critical(static_cast<int>(action)); }
void bridge_send_cliff(double w, double b) { js_worker_cliff(w, b); }
void bridge_copy_link() { js_copy_link(); }
void bridge_download(const char* filename, const char* mime, const std::string& text) {
  js_download(filename, mime, text.c_str());
}
void bridge_download_canvas_png(const char* filename) { js_download_canvas_png(filename); }
void bridge_signal_ready() { js_signal_ready(); }
void bridge_mark(const char* name) { js_mark(name); }
void bridge_open(const char* url) { js_open(url); }
void bridge_fail(const char* message) { js_fail(message); }
