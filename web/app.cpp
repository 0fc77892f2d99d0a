// The app's state changes, in one place: configuration text from any source, training controls,
// and the compute worker's results arriving.
#include "app.h"

#include <emscripten.h>

#include "bridge.h"
#include "own_model_ui.h"
#include "worker/protocol.h"
#include "tour.h"

namespace {

const char* source_name(ConfigSource source) {
  switch (source) {
    case ConfigSource::Controls: return "controls";
    case ConfigSource::TextField: return "configuration text";
    case ConfigSource::SetConfig: return "setConfig";
    case ConfigSource::UrlHash: return "URL hash";
    case ConfigSource::Link: return "link";
  }
  return "?";
}

}  // namespace

std::string apply_config(App& app, const gs::Config& base, const std::string& text,
                         ConfigSource source) {
  gs::Config next = base;
  std::string error = gs::parse_config(next, text);
  const TourStep* step = nullptr;
  if (error.empty() && next.tour != app.config.tour && (step = tour_step(next.tour))) {
    // a new tour step: its configuration over the defaults, the text's own keys on top
    const std::string tour = "&tour=" + std::to_string(next.tour) + "&";
    next = gs::Config();
    error = gs::parse_config(next, step->config + tour + text);
  }
  if (error.empty()) error = own_model_check(app, next);  // a loaded model's cell and size
  if (!error.empty()) {
    app.error = std::string(source_name(source)) + ": " + error;
    return error;
  }
  app.config = next;
  app.config_text = gs::to_text(next);
  app.error.clear();
  bridge_send_config(app.config_text);
  ++app.commands_sent;
  switch (source) {
    case ConfigSource::Controls: break;  // slider drags: the hash follows, throttled, in frame()
    case ConfigSource::TextField:
    case ConfigSource::SetConfig:
    case ConfigSource::Link:
      bridge_write_hash(app.config_text);
      app.hash_written = app.config_text;
      break;
    case ConfigSource::UrlHash: app.hash_written = app.config_text; break;  // it came from there
  }
  if (step) after_tour_step(app, *step);
  return "";
}

void train_action(App& app, TrainAction action) {
  bridge_send_train(action);
  ++app.commands_sent;
}

void critical_action(App& app, CriticalAction action) {
  bridge_send_critical(action);
  ++app.commands_sent;
}

void cliff_start(App& app, double w, double b) {
  bridge_send_cliff(w, b);
  ++app.commands_sent;
}

void focus_view(App& app, View view) {
  app.focus = view;
  if (view == View::Why || view == View::Controls) return;
  app.page = page_of(view);
  app.phone_select = view;
  app.phone_select_pending = true;
}

void receive_results(App& app, const uint8_t* data, size_t size) {
  const double start = emscripten_get_now();
  const std::string error = apply_update(app.results, data, size);
  if (!error.empty()) app.error = "compute worker: " + error;
  app.receive_ms += emscripten_get_now() - start;
}

bool results_current(const App& app) { return app.results.commands_done == app.commands_sent; }

bool curves_done(const App& app) {
  return results_current(app) && decay_done(app.results) && app.results.sweep_done;
}
