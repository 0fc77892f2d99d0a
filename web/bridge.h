// Between C++ and JavaScript: window.gradscope (getState, setConfig, training controls) for
// scripts and tests, the URL hash (read at start and on hashchange, written back on change), the
// clipboard and downloads, the "app ready" signal, and the compute worker's messages. The
// JavaScript itself is in web/bridge.js; this side only translates.
#pragma once
#include <string>

#include "app.h"

// Installs window.gradscope and the hashchange listener, starts the compute worker, then applies
// the hash the page was opened with. The App must outlive the page.
void bridge_install(App& app);

// The current location.hash without '#', URL-decoded.
std::string bridge_read_hash();
// Replaces the hash without a new history entry and without a hashchange event.
void bridge_write_hash(const std::string& text);

// Messages to the compute worker (web/worker/worker.js): the whole configuration as canonical text,
// a training action, the critical experiment's run or stop, a start point on the cliff. Their
// answers come back through receive_results (app.h).
void bridge_send_config(const std::string& config_text);
void bridge_send_train(TrainAction action);
void bridge_send_critical(CriticalAction action);
void bridge_send_cliff(double w, double b);
// The first screen's curves are drawn: the worker goes on to the other pages' work, which it held
// back so that the first picture had the machine (compute.h: hold_for_first_screen).
void bridge_send_first_screen_drawn();

// Copies location.href to the clipboard; app.notice says whether it worked.
void bridge_copy_link();
// Saves `text` as a file download.
void bridge_download(const char* filename, const char* mime, const std::string& text);
// Saves the canvas as a PNG download; call right after rendering, within the same frame.
void bridge_download_canvas_png(const char* filename);

// Opens a file of the site in a new tab.
void bridge_open(const char* url);

// Tells the page shell the first frame is drawn (it hides the loading overlay).
void bridge_signal_ready();
// performance.mark(name): a moment `make bench-page` times from inside the page without polling
// it ("gradscope:first-screen": the first frame that draws every curve of the first screen).
void bridge_mark(const char* name);
// Shows a plain-language failure message in the page shell instead of the canvas.
void bridge_fail(const char* message);

// The state getState() returns, as JSON text.
std::string state_json(const App& app);
// What status() returns: the frame count, whether every curve is done, the last and worst
// frame's work and training's iteration count; small enough to read every frame.
std::string status_json(const App& app);
