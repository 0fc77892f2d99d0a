#include "bridge.h"

#include <emscripten.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <nlohmann/json.hpp>

#include "io/number_format.h"
#include "own_model_ui.h"
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
void js_worker_first_screen_drawn();
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
  Json state = {
      {"ready", app.frame > 0},
      // the worker has every message, and every curve of the current config is computed
      {"done", curves_done(app)},
      {"synced", current},
      {"config", app.config_text},
      {"values", values},
      {"error", app.error},
      {"focus", view_name(app.focus)},
      {"why", explain(app, app.focus)},
      {"model", own_model_json(app)},
      {"tour", tour_json(app)},
      {"page", app.page == Page::Why        ? "why"
               : app.page == Page::Remedies ? "remedies"
               : app.page == Page::NewCells ? "newcells"
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
  // each view's numbers, under the part its row names (views sharing a part share it)
  for (const ViewRow& row : kViewRows)
    if (!state.contains(row.state_key)) state[row.state_key] = row.state(app);
  return state;
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
  std::string names;
  for (const ViewRow& row : kViewRows) names += std::string(row.name) + ", ";
  g_app->reply = std::string("focus: unknown view '") + name + "' (" + names + "why)";
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
void bridge_send_first_screen_drawn() { js_worker_first_screen_drawn(); }
void bridge_copy_link() { js_copy_link(); }
void bridge_download(const char* filename, const char* mime, const std::string& text) {
  js_download(filename, mime, text.c_str());
}
void bridge_download_canvas_png(const char* filename) { js_download_canvas_png(filename); }
void bridge_signal_ready() { js_signal_ready(); }
void bridge_mark(const char* name) { js_mark(name); }
void bridge_open(const char* url) { js_open(url); }
void bridge_fail(const char* message) { js_fail(message); }
