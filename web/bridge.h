// The page's automation and sharing surface: window.gradscope (getState, setConfig, and training
// controls), the URL hash (read at start and on hashchange, written back on change), the
// clipboard and downloads, and the "app ready" signal. All of the JavaScript lives here.
#pragma once
#include <string>

#include "app.h"

// Installs window.gradscope and the hashchange listener, then applies the hash the page was
// opened with. The App must outlive the page.
void bridge_install(App& app);

// The current location.hash without '#', URL-decoded.
std::string bridge_read_hash();
// Replaces the hash without a new history entry and without a hashchange event.
void bridge_write_hash(const std::string& text);

// Copies location.href to the clipboard; app.notice says whether it worked.
void bridge_copy_link();
// Saves `text` as a file download.
void bridge_download(const char* filename, const char* mime, const std::string& text);
// Saves the canvas as a PNG download; call right after rendering, within the same frame.
void bridge_download_canvas_png(const char* filename);

// Tells the page shell the first frame is drawn (it hides the loading overlay).
void bridge_signal_ready();
// Shows a plain-language failure message in the page shell instead of the canvas.
void bridge_fail(const char* message);

// The state getState() returns, as JSON text.
std::string state_json(const App& app);
