#include "bridge.h"

#include <emscripten.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <nlohmann/json.hpp>

#include "views.h"

namespace {

App* g_app = nullptr;  // the one App, for the calls JavaScript makes into C++

// ------------------------------------------------------------------------------------------------
// JavaScript side
// ------------------------------------------------------------------------------------------------

// clang-format off: EM_JS bodies are JavaScript
// window.gradscope: getState() returns the state as an object; setConfig(text) applies the same
// key=value text as the URL hash over the current configuration and returns "" or the error.
EM_JS(void, js_install, (), {
  function call(fn, text) {  // passes a JS string to C++ and returns C++'s string
    var n = lengthBytesUTF8(text) + 1;
    var p = _malloc(n);
    stringToUTF8(text, p, n);
    var result = UTF8ToString(fn(p));
    _free(p);
    return result;
  }
  window.gradscope = {// The current config and the numbers behind every plot.
                      getState : function(){return JSON.parse(UTF8ToString(_gradscope_get_state())); },
    // Applies key=value text over the current config; returns "" or the error.
    setConfig: function(text) {
  return call(_gradscope_set_config, String(text)); },
    // Training: "play", "pause", "step" or "reset"; returns "" or the error.
    train: function(action) {
  return call(_gradscope_train, String(action)); },
    // Puts a view in focus (decay, sweep, heatmap, training, why): it decides what "Why"
    // explains and what CSV holds; returns "" or the error.
    focus: function(view) {
  return call(_gradscope_focus, String(view)); },
    // The CSV that "Download CSV" saves for the view in focus.
    csv: function() {
  return UTF8ToString(_gradscope_csv()); }
};
window.addEventListener(
    'hashchange', function() { _gradscope_hash_changed(); });
});

EM_JS(void, js_copy_link, (), {
  var done = function(ok) { _gradscope_notice(ok ? 1 : 0); };
  try {
    navigator.clipboard.writeText(location.href)
        .then(
            function() { done(true); }, function() { done(false); });
  } catch (e) {
    done(false);
  }
});

EM_JS(void, js_download, (const char* filename, const char* mime, const char* text), {
  var blob = new Blob([UTF8ToString(text)], {
    type:
      UTF8ToString(mime)
  });
  var a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = UTF8ToString(filename);
  document.body.appendChild(a);
  a.click();
  setTimeout(
      function() {
        URL.revokeObjectURL(a.href);
        a.remove();
      },
      1000);
});

EM_JS(void, js_download_canvas_png, (const char* filename), {
  var a = document.createElement('a');
  a.href = Module.canvas.toDataURL('image/png');  // the frame just drawn, still in the buffer
  a.download = UTF8ToString(filename);
  document.body.appendChild(a);
  a.click();
  a.remove();
});

EM_JS(char*, js_read_hash, (), {
  var text = location.hash.substring(1);  // "" or "#..." -> without the "#"
  try {
    text = decodeURIComponent(text);
  } catch (e) {
    // a malformed %-escape: parse the raw text, whose error message will show it
  }
  var n = lengthBytesUTF8(text) + 1;
  var p = _malloc(n);
  stringToUTF8(text, p, n);
  return p;
});

EM_JS(void, js_write_hash, (const char* text),
      { history.replaceState(null, "", "#" + UTF8ToString(text)); });

EM_JS(void, js_signal_ready, (), {
  if (Module.onAppReady) Module.onAppReady();
});

EM_JS(void, js_fail, (const char* message), {
  if (Module.onAppFailed) Module.onAppFailed(UTF8ToString(message));
});
// clang-format on

// ------------------------------------------------------------------------------------------------
// State as JSON
// ------------------------------------------------------------------------------------------------

// log10 values: -inf (an exactly zero gradient) has no JSON form and becomes null.
nlohmann::json log10_array(const std::vector<double>& values) {
  nlohmann::json out = nlohmann::json::array();
  for (double v : values) out.push_back(std::isfinite(v) ? nlohmann::json(v) : nlohmann::json());
  return out;
}

nlohmann::json decay_json(const Compute& c) {
  nlohmann::json cells = nlohmann::json::array();
  for (const DecayJob& job : c.decay) {
    nlohmann::json seeds = nlohmann::json::array();
    for (const std::vector<double>& curve : job.curves) seeds.push_back(log10_array(curve));
    const gs::ProbeAnalysis& a = job.analysis;
    cells.push_back({{"cell", gs::cell_name(job.cell)},
                     {"done", job.done},
                     {"first_seed", c.config.seed},
                     {"log10_grad_norm_h", seeds},  // per seed, t = 1..T, first step first
                     {"mean", log10_array(job.mean)},
                     {"min", log10_array(job.lo)},
                     {"max", log10_array(job.hi)},
                     {"analysis",
                      {{"log10_per_step", a.log10_per_step},
                       {"sigma_max_whh", a.sigma_max_whh},
                       {"mean_derivative", a.mean_derivative},
                       {"fraction_zero_derivative", a.fraction_zero_derivative},
                       {"mean_gate", a.mean_gate}}}});
  }
  return {{"done", decay_done(c)}, {"progress", decay_progress(c)}, {"cells", cells}};
}

nlohmann::json sweep_json(const Compute& c) {
  nlohmann::json points = nlohmann::json::array();
  for (size_t i = 0; i < c.sweep.next_point && i < c.sweep.points.size(); ++i) {
    const gs::SweepPoint& p = c.sweep.points[i];
    points.push_back({{"cell", gs::cell_name(p.cell)},
                      {"length", p.length},
                      {"mean_log10_ratio", p.mean},
                      {"stddev", p.stddev},
                      {"min", p.min},
                      {"max", p.max}});
  }
  return {{"done", c.sweep_done}, {"progress", sweep_progress(c)}, {"points", points}};
}

nlohmann::json training_json(const Compute& c) {
  nlohmann::json cells = nlohmann::json::array();
  for (const TrainJob& job : c.train) {
    nlohmann::json loss = nlohmann::json::array(), norm = nlohmann::json::array(),
                   accuracy = nlohmann::json::array();
    for (const gs::TrainRecord& r : job.trainer.history) {
      loss.push_back(r.loss);
      norm.push_back(std::isfinite(r.grad_norm) ? nlohmann::json(r.grad_norm) : nlohmann::json());
      accuracy.push_back(r.accuracy);
    }
    cells.push_back({{"cell", gs::cell_name(job.trainer.cell)},
                     {"chance_loss", job.trainer.shape.chance_loss},
                     {"loss", loss},
                     {"grad_norm", norm},
                     {"accuracy", accuracy}});
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
  const Compute& c = app.compute;
  return {
      {"ready", app.frame > 0},
      {"done", decay_done(c) && c.sweep_done},  // every curve of the current config computed
      {"config", app.config_text},
      {"values", values},
      {"error", app.error},
      {"focus", view_name(app.focus)},
      {"why", explain(app, app.focus)},
      {"decay", decay_json(c)},
      {"sweep", sweep_json(c)},
      {"training", training_json(c)},
      {"webgl2", app.webgl2},
      {"gl_version", app.gl_version},
      {"shader_log", app.colormap.log},
      {"dpr", app.font_dpr},
      {"drawable", {w, h}},
      {"frame", app.frame},
      {"edit_rect", app.edit_rect},
      {"share_rects",
       {{"copy_link", app.share_rects[0]},
        {"download_csv", app.share_rects[1]},
        {"save_png", app.share_rects[2]}}},
      {"notice", app.notice},
      {"work_ms", app.work_ms},
      {"work_ms_max", app.work_ms_max},
      {"frame_ms", app.frame_ms},
      {"compute_ms", c.last_advance_ms},
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

EMSCRIPTEN_KEEPALIVE const char* gradscope_train(const char* action_text) {
  const std::string action = action_text;
  Compute& c = g_app->compute;
  g_app->reply = "";
  if (action == "play")
    training_play(c, true);
  else if (action == "pause")
    training_play(c, false);
  else if (action == "step")
    training_step(c);
  else if (action == "reset")
    training_reset(c);
  else
    g_app->reply = "train: unknown action '" + action + "' (play, pause, step, reset)";
  if (g_app->reply.empty() && !c.train_error.empty()) g_app->reply = c.train_error;
  return g_app->reply.c_str();
}

EMSCRIPTEN_KEEPALIVE const char* gradscope_focus(const char* name) {
  g_app->reply = "";
  for (View view : {View::Decay, View::Sweep, View::Heatmap, View::Training, View::Why})
    if (std::string(name) == view_name(view)) {
      g_app->focus = view;
      return g_app->reply.c_str();
    }
  g_app->reply =
      std::string("focus: unknown view '") + name + "' (decay, sweep, heatmap, training, why)";
  return g_app->reply.c_str();
}

EMSCRIPTEN_KEEPALIVE const char* gradscope_csv() {
  g_app->reply = view_csv(*g_app, g_app->focus);
  return g_app->reply.c_str();
}

// The clipboard's answer to "Copy link".
EMSCRIPTEN_KEEPALIVE void gradscope_notice(int copied) {
  g_app->notice = copied ? "Link copied to the clipboard."
                         : "The browser refused the clipboard: copy the address bar instead.";
}

EMSCRIPTEN_KEEPALIVE const char* gradscope_set_config(const char* text) {
  g_app->reply = apply_config(*g_app, g_app->config, text, "setConfig", true);
  return g_app->reply.c_str();
}

// A link opened or a hash typed: the hash alone decides (over the defaults), so a link
// reproduces its picture whatever was shown before.
EMSCRIPTEN_KEEPALIVE void gradscope_hash_changed() {
  apply_config(*g_app, gs::Config(), bridge_read_hash(), "URL hash", false);
}

}  // extern "C"

std::string apply_config(App& app, const gs::Config& base, const std::string& text,
                         const char* source, bool write_hash) {
  gs::Config next = base;
  const std::string error = gs::parse_config(next, text);
  if (!error.empty()) {
    app.error = std::string(source) + ": " + error;
    return error;
  }
  app.config = next;
  app.config_text = gs::to_text(next);
  app.error.clear();
  compute_sync(app.compute, app.config);
  if (write_hash && std::string(source) != "controls") {  // sliders: throttled, in frame()
    bridge_write_hash(app.config_text);
    app.hash_written = app.config_text;
  }
  if (!write_hash) app.hash_written = app.config_text;  // it came from the hash
  return "";
}

std::string state_json(const App& app) {
  return state_of(app).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

void bridge_install(App& app) {
  g_app = &app;
  js_install();
  app.config_text = gs::to_text(app.config);
  compute_sync(app.compute, app.config);
  const std::string hash = bridge_read_hash();
  if (!hash.empty()) apply_config(app, gs::Config(), hash, "URL hash", false);
}

std::string bridge_read_hash() {
  char* text = js_read_hash();
  std::string result(text);
  std::free(text);
  return result;
}

void bridge_write_hash(const std::string& text) { js_write_hash(text.c_str()); }
void bridge_copy_link() { js_copy_link(); }
void bridge_download(const char* filename, const char* mime, const std::string& text) {
  js_download(filename, mime, text.c_str());
}
void bridge_download_canvas_png(const char* filename) { js_download_canvas_png(filename); }
void bridge_signal_ready() { js_signal_ready(); }
void bridge_fail(const char* message) { js_fail(message); }
