// All state of the browser app, in one place. main.cpp owns the one App; frame() advances it.
#pragma once
#include <SDL.h>

#include <string>
#include <vector>

#include "compute.h"
#include "config.h"
#include "heatmap.h"

// The views; the one in focus (last clicked or touched) decides what "Why" explains and what
// "Download CSV" saves.
enum class View { Decay, Sweep, Heatmap, Training, Why, Controls };
const char* view_name(View view);

// One cell's time x unit map of log10 |dL/dh_t[j]| (first seed). Sequences longer than a texture
// may be are shown at several steps per column, each column the largest value of its steps.
struct CellHeatmap {
  gs::CellKind cell = gs::CellKind::RnnTanh;
  Heatmap map;    // width = columns (time, loss at the right), height = units
  int steps = 0;  // T
  int steps_per_column = 1;
  bool filled = false;  // set once its decay job is done
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
  gs::Config config;                  // the last good configuration
  std::string config_text;            // gs::to_text(config)
  std::string error;                  // the last rejected hash or setConfig text, with its reason
  char edit[2048] = {0};              // the UI's configuration field
  float edit_rect[4] = {0, 0, 0, 0};  // where that field is, in CSS pixels (for tests)
  float share_rects[3][4] = {};       // Copy link, Download CSV, Save PNG buttons (for tests)
  std::string hash_written;           // the text last written to the URL hash
  double hash_due_ms = 0;             // slider drags write the hash at most every 300 ms

  // --- computation: decay curves, the length sweep, training (sliced across frames) ---
  Compute compute;

  // --- views ---
  View focus = View::Decay;
  bool phone = false;  // narrow screen: one view at a time, under tabs
  View phone_tab = View::Decay;
  ColormapProgram colormap;
  std::vector<CellHeatmap> heatmaps;  // one per selected cell
  long heatmaps_generation = -1;      // compute.decay_generation they were made from
  Heatmap colorbar;                   // 1 x 256 ramp through the same colormap
  float heat_lo = -8, heat_hi = 0;    // shared log10 window of every heatmap and the bar
  std::string notice;                 // a transient message ("Link copied")
  double notice_until_ms = 0;
  bool save_png_requested = false;  // done right after rendering, while the buffer is intact

  // --- input ---
  std::vector<SDL_Event> held_events;  // a press held back one frame (see frame())

  // --- timing and the automation bridge ---
  long frame = 0;          // frames drawn so far
  double work_ms = 0;      // CPU time of the last frame's work (events, compute, UI, GL calls)
  double work_ms_max = 0;  // worst frame since start, the first excluded
  double frame_ms = 0;     // the whole last frame, rendering included
  std::string state_json;  // the buffer getState() reads
  std::string reply;       // the buffer setConfig() returns
};

// Applies configuration text over `base`; on success sets app.config, clears the error, starts
// the jobs whose inputs changed and (if `write_hash`) writes the canonical text to the URL hash.
// On error keeps the last good config and records "<source>: <message>" in app.error. Returns ""
// or the message.
std::string apply_config(App& app, const gs::Config& base, const std::string& text,
                         const char* source, bool write_hash);
