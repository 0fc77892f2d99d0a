#include "bridge.h"

#include <emscripten.h>

#include <cstdlib>
#include <nlohmann/json.hpp>

namespace {

App* g_app = nullptr;  // the one App, for the calls JavaScript makes into C++

// ------------------------------------------------------------------------------------------------
// JavaScript side
// ------------------------------------------------------------------------------------------------

// clang-format off: EM_JS bodies are JavaScript
// window.gradscope: getState() returns the state as an object; setConfig(text) applies the same
// key=value text as the URL hash over the current configuration and returns "" or the error.
EM_JS(void, js_install, (), {
  function toC(text) {
    var n = lengthBytesUTF8(text) + 1;
    var p = _malloc(n);
    stringToUTF8(text, p, n);
    return p;
  }
  window.gradscope = {getState : function(){return JSON.parse(UTF8ToString(_gradscope_get_state())); },
    setConfig: function(text) {
  var p = toC(String(text));
  var error = UTF8ToString(_gradscope_set_config(p));
  _free(p);
  return error;
    }
};
window.addEventListener(
    'hashchange', function() { _gradscope_hash_changed(); });
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

nlohmann::json state_of(const App& app) {
  nlohmann::json values = nlohmann::json::object();  // the config text split into its keys
  size_t start = 0;
  while (start < app.config_text.size()) {
    size_t end = app.config_text.find('&', start);
    if (end == std::string::npos) end = app.config_text.size();
    const std::string pair = app.config_text.substr(start, end - start);
    const size_t eq = pair.find('=');
    if (eq != std::string::npos) values[pair.substr(0, eq)] = pair.substr(eq + 1);
    start = end + 1;
  }
  nlohmann::json curves = nlohmann::json::array();
  for (size_t i = 0; i < app.pattern.rates.size(); ++i) {
    curves.push_back(
        {{"rate", app.pattern.rates[i]}, {"log10_at_last_lag", app.pattern.log10s[i].back()}});
  }
  int w = 0, h = 0;
  if (app.window) SDL_GL_GetDrawableSize(app.window, &w, &h);
  return {
      {"ready", app.frame > 0},
      {"config", app.config_text},
      {"values", values},
      {"error", app.error},
      {"webgl2", app.webgl2},
      {"gl_version", app.gl_version},
      {"shader_log", app.colormap.log},
      {"dpr", app.font_dpr},
      {"drawable", {w, h}},
      {"frame", app.frame},
      {"edit_rect", app.edit_rect},
      {"work_ms", app.work_ms},
      {"work_ms_max", app.work_ms_max},
      {"frame_ms", app.frame_ms},
      {"views",
       {{"decay",
         {{"source", "test pattern: diagonal linear RNN, log10 |dL/dh_{T-k}| = k log10 a"},
          {"lags", app.pattern.lags.size()},
          {"curves", curves}}},
        {"heatmap",
         {{"source", "test pattern"},
          {"width", app.heatmap.width},
          {"height", app.heatmap.height},
          {"range", {app.heatmap.lo, app.heatmap.hi}},
          {"rendered", app.heatmap.image_tex != 0 && !app.heatmap.dirty}}}}},
  };
}

}  // namespace

// ------------------------------------------------------------------------------------------------
// Entry points JavaScript calls (exported by EMSCRIPTEN_KEEPALIVE)
// ------------------------------------------------------------------------------------------------

extern "C" {

EMSCRIPTEN_KEEPALIVE const char* gradscope_get_state() {
  g_app->state_json =
      state_of(*g_app).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return g_app->state_json.c_str();
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
  if (write_hash) bridge_write_hash(app.config_text);
  return "";
}

void bridge_install(App& app) {
  g_app = &app;
  js_install();
  app.config_text = gs::to_text(app.config);
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
void bridge_signal_ready() { js_signal_ready(); }
void bridge_fail(const char* message) { js_fail(message); }
