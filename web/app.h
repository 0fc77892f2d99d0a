// All state of the browser app, in one place. main.cpp owns the one App; frame() advances it.
#pragma once
#include <SDL.h>

#include <string>
#include <vector>

#include "config.h"
#include "heatmap.h"

// A test pattern with a known closed form, shown until the views draw core's numbers: a
// diagonal linear RNN h_t = diag(a) h_{t-1} + ..., for which dL/dh_{T-k} = a^k dL/dh_T exactly,
// so log10 |dL/dh_{T-k}| = k log10 a per unit.
struct DecayPattern {
  std::vector<double> rates;                // a, one per curve
  std::vector<double> lags;                 // k = 0 .. K
  std::vector<std::vector<double>> log10s;  // per rate: k log10 a
  std::vector<double> lengths;              // T for "as the sequence grows"
  std::vector<std::vector<double>> reach;   // per rate: log10 a^(T-1), gradient at the first step
};

struct App {
  // --- platform ---
  SDL_Window* window = nullptr;
  SDL_GLContext gl = nullptr;
  std::string gl_version;  // glGetString(GL_VERSION): "OpenGL ES 3.0 (WebGL 2.0 ...)"
  bool webgl2 = false;
  float font_dpr = 0;  // device pixel ratio the font atlas was rasterized for
  bool backend_ready = false;

  // --- configuration: the one vocabulary of core/config.h ---
  gs::Config config;        // the last good configuration
  std::string config_text;  // gs::to_text(config)
  std::string error;        // the last rejected hash or setConfig text, with its reason
  char edit[2048] = {0};
  float edit_rect[4] = {0, 0, 0, 0};  // where that field is (x, y, w, h in CSS px), for tests    //
                                      // the UI's configuration field

  // --- views ---
  DecayPattern pattern;
  ColormapProgram colormap;
  Heatmap heatmap;   // time x unit, log10 |dL/dh|
  Heatmap colorbar;  // 1 x 256 ramp through the same colormap

  // --- timing and the automation bridge ---
  long frame = 0;          // frames drawn so far
  double work_ms = 0;      // the last frame's own work: events, views, UI (what slicing bounds)
  double work_ms_max = 0;  // the worst since start, the first frame excluded
  double frame_ms = 0;     // the whole last frame, GL submission included
  std::string state_json;  // the buffer getState() reads
  std::string reply;       // the buffer setConfig() returns
};

// Applies configuration text over `base`; on success sets app.config, clears the error and (if
// `write_hash`) writes the canonical text to the URL hash. On error keeps the last good config
// and records "<source>: <message>" in app.error. Returns "" or the message.
std::string apply_config(App& app, const gs::Config& base, const std::string& text,
                         const char* source, bool write_hash);
