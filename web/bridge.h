// The page's automation and sharing surface: window.gradscope (getState, setConfig), the URL
// hash (read at start and on hashchange, written back on change) and the "app ready" signal.
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

// Tells the page shell the first frame is drawn (it hides the loading overlay).
void bridge_signal_ready();
// Shows a plain-language failure message in the page shell instead of the canvas.
void bridge_fail(const char* message);
