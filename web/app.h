// All state of the browser app, in one place. main.cpp owns the one App; frame() advances it.
#pragma once
#include <SDL.h>

#include <array>
#include <functional>
#include <string>
#include <vector>

#include "analyses/curse_of_memory.h"
#include "model/config.h"
#include "heatmap.h"
#include "own_model_state.h"
#include "worker/protocol.h"

// The views; the one in focus (last clicked or touched) decides what "Why" explains and what
// "Download CSV" saves. The plots come in pages of four (views.h: kViewRows): what vanishes, why it
// vanishes, what fixes it, and why the new cells work.
enum class View {
  Decay, Sweep, Heatmap, Training,             // Page::Vanishing
  Spectra, Saturation, LagSplit, Trainability,  // Page::Why
  Critical, Cliff, Truncation, Presets,         // Page::Remedies
  Eigenvalues, Landscape, Sensitivity, Learning,  // Page::NewCells
  Why, Controls
};
enum class Page { Vanishing, Why, Remedies, NewCells };
const char* view_name(View view);
bool view_from_name(const std::string& name, View& view);  // the plot views' names
Page page_of(View view);

// One cell's time x unit map of log10 |dL/dh_t[j]| (first seed). Sequences longer than a texture
// may be are shown at several steps per column, each column the largest value of its steps.
struct CellHeatmap {
  gs::CellKind cell = gs::CellKind::RnnTanh;
  Heatmap map;    // width = columns (time, loss at the right), height = units
  int steps = 0;  // T
  int steps_per_column = 1;
  bool filled = false;  // set once its decay job is done
};

// The curse of memory's curves for app.config's teacher, rho and student keys: closed forms,
// computed on the page when those keys change (memory_curves_update: microseconds, no job for
// the worker).
struct MemoryCurves {
  std::string key;  // gs::keys_text(config, kAffectsMemory) they were computed for
  gs::MemoryProblem problem;
  gs::MemoryDescent descent;
  std::vector<gs::MemoryPoint> points;  // over a grid of lambda, denser near 1
  std::vector<double> normalized_loss;  // at the same lambdas
  std::vector<gs::MemoryPath> paths;    // the descent: plain, normalized, expexp
};

// What the views write while they draw: the text field's buffer, which ImGui edits in place, and
// where the buttons the browser tests click are, in CSS pixels. Everything else they only read.
struct Widgets {
  char edit[2048] = {0};  // the configuration field
  float edit_rect[4] = {};
  float share_rects[3][4] = {};  // Copy link, Download CSV, Save PNG
  float notices_rect[4] = {};    // the licences link
  float model_load_rect[4] = {}, model_download_rect[4] = {}, model_clear_rect[4] = {},
        model_badge_rect[4] = {}, model_layer_rect[4] = {};  // own_model_ui.cpp's
                                                             // buttons, badge and layer picker
  std::vector<std::array<float, 4>> preset_rects;  // the paper presets' buttons (tour.cpp)
  float length_rect[4] = {};       // the length control (controls.cpp)
  float tour_rect[4] = {};         // the tour step's box, while one is shown (ui.cpp)
  float tour_button_rect[4] = {};  // "Start here: the guided tour" (zeros while a step is shown)
};

struct App {
  // --- platform ---
  SDL_Window* window = nullptr;
  SDL_GLContext gl = nullptr;
  std::string gl_version;  // glGetString(GL_VERSION): "OpenGL ES 3.0 (WebGL 2.0 ...)"
  bool webgl2 = false;
  float font_dpr = 0;  // device pixel ratio the font atlas was rasterized for
  bool backend_ready = false;
  bool context_lost = false;  // the browser took the WebGL context away (GPU reset, ...)
  int context_restores = 0;   // times it gave it back and every GL object was rebuilt

  // --- configuration: the one vocabulary of core/model/config.h ---
  gs::Config config;                  // the last good configuration
  std::string config_text;            // gs::to_text(config)
  std::string error;                  // the last rejected hash or setConfig text, with its reason
  std::string hash_written;           // the text last written to the URL hash
  double hash_due_ms = 0;             // slider drags write the hash at most every 300 ms

  OwnModelState own_model;  // your own model, if one is loaded (own_model_state.h)

  // --- computation: done by the compute worker; its results arrive as messages ---
  Results results;        // what the worker has finished, for the views
  long commands_sent = 0;  // messages sent to the worker (results.commands_done catches up)
  double receive_ms = 0;   // time spent taking in the worker's messages since the last frame

  // --- views ---
  View focus = View::Decay;
  Page page = Page::Vanishing;  // the page of plots shown (desktop: four at once)
  bool phone = false;           // narrow screen: one view at a time, under tabs
  View phone_tab = View::Decay;
  ColormapProgram colormap;
  std::vector<CellHeatmap> heatmaps;  // one per selected cell
  long heatmaps_generation = -1;      // results.decay_generation they were made from
  std::vector<Heatmap> trainability_maps;  // one per cell: scales (rows) x lengths (columns)
  long trainability_maps_generation = -1;
  MemoryCurves memory;             // the curse of memory's views (views_memory.cpp)
  Heatmap cliff_map;               // b (rows) x w (columns): log10 of the loss or of |gradient|
  bool cliff_gradient = false;     // what the map shows: false the loss, true |gradient|
  int cliff_map_made = -1;         // which of the two cliff_map holds (-1: none yet)
  // phones: a tab to bring forward once (a tour step's or a preset's view, focus()), if set
  bool phone_select_pending = false;
  View phone_select = View::Decay;
  Heatmap colorbar;                   // 1 x 256 ramp through the same colormap
  float heat_lo = -8, heat_hi = 0;    // shared log10 window of every heatmap and the bar
  std::string notice;                 // a transient message ("Link copied")
  double notice_until_ms = 0;
  bool save_png_requested = false;  // done right after rendering, while the buffer is intact

  Widgets widgets;  // the one part of App the views write (draw_ui's second argument)

  // --- input ---
  std::vector<SDL_Event> held_events;  // a press held back one frame (see frame())

  // --- timing and the automation bridge ---
  long frame = 0;          // frames drawn so far
  double work_ms = 0;      // the last frame's work: events, messages taken in, UI, GL calls
  double work_ms_max = 0;  // worst frame since start, the first excluded
  double frame_ms = 0;     // the whole last frame, rendering included
  bool first_screen_marked = false;  // performance.mark("gradscope:first-screen") made
  double started_ms = 0;             // when main() began (emscripten_get_now)
  // The picture of the last frame drawn and of this one (main.cpp's picture_of): a frame draws
  // only if they differ, a texture was drawn anew, or `redraw` asks for it.
  std::string picture, picture_drawn;
  bool redraw = true;
  long frames_drawn = 0;  // frames that drew (the rest left the canvas as it was)
  std::string state_json;  // the buffer getState() reads
  std::string reply;       // the buffer setConfig() returns
};

// --- changes of state: the functions below (app.cpp), called by frame() and bridge.cpp ---

// What the reader asked for while the views were drawn. Views read a const App; a click queues a
// change (a call of one of the functions below, or a plain setting such as the focus, the page
// or the cliff map's quantity), and frame() applies the queue in order once the UI is drawn, so
// the App never changes halfway through drawing a frame.
using Changes = std::vector<std::function<void(App&)>>;

// Where configuration text came from: it decides what a rejected text is called in the message
// and whether the URL hash is written now, later (slider drags), or not at all (it came from it).
// Link: a preset or a tour step clicked in the page (the hash follows at once).
enum class ConfigSource { Controls, TextField, SetConfig, UrlHash, Link };

// Applies configuration text over `base`; on success sets app.config, clears the error, sends the
// configuration to the worker (which restarts the jobs whose inputs changed) and updates the URL
// hash. A new `tour` step (tour.h) sets that step's configuration over the defaults, the text's
// own keys on top, focuses its view and, for a training step, presses Play. On error keeps the last good config and records "<source>: <message>" in app.error.
// Returns "" or the message.
std::string apply_config(App& app, const gs::Config& base, const std::string& text,
                         ConfigSource source);

// Training controls: play, pause, step, reset, sent to the worker.
void train_action(App& app, TrainAction action);
// The critical experiment's Run and Stop, and a start point on the cliff, sent to the worker.
void critical_action(App& app, CriticalAction action);
void cliff_start(App& app, double w, double b);

// Puts a view in focus and shows its page (phones: its tab).
void focus_view(App& app, View view);

// Takes in one message of the worker (worker/protocol.h).
void receive_results(App& app, const uint8_t* data, size_t size);

// The worker has handled every message sent so far, so the results are for app.config.
bool results_current(const App& app);
// Every curve of the current config is computed and taken in: the decay curves and the sweep,
// what the first page draws (getState's "done").
bool curves_done(const App& app);
