// The app's state changes, in one place: configuration text from any source, training controls,
// and the compute worker's results arriving.
#include "app.h"

#include <emscripten.h>

#include "bridge.h"
#include "protocol.h"

namespace {

const char* source_name(ConfigSource source) {
  switch (source) {
    case ConfigSource::Controls: return "controls";
    case ConfigSource::TextField: return "configuration text";
    case ConfigSource::SetConfig: return "setConfig";
    case ConfigSource::UrlHash: return "URL hash";
  }
  return "?";
}

}  // namespace

std::string apply_config(App& app, const gs::Config& base, const std::string& text,
                         ConfigSource source) {
  gs::Config next = base;
  std::string error = gs::parse_config(next, text);
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
      bridge_write_hash(app.config_text);
      app.hash_written = app.config_text;
      break;
    case ConfigSource::UrlHash: app.hash_written = app.config_text; break;  // it came from there
  }
  return "";
}

void train_action(App& app, TrainAction action) {
  bridge_send_train(action);
  ++app.commands_sent;
}

void receive_results(App& app, const uint8_t* data, size_t size) {
  const double start = emscripten_get_now();
  const std::string error = apply_update(app.results, data, size);
  if (!error.empty()) app.error = "compute worker: " + error;
  app.receive_ms += emscripten_get_now() - start;
}

bool results_current(const App& app) { return app.results.commands_done == app.commands_sent; }
