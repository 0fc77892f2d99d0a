// The windows of the app, laid out to fill the canvas (ui.cpp); the views themselves are in
// views_*.cpp, controls.cpp and why.cpp.
#pragma once
#include "app.h"

// All windows for this frame, between ImGui::NewFrame and ImGui::Render. They read `app`, write
// only `widgets` (app.widgets) and queue what the reader asked for in `changes`.
void draw_ui(const App& app, Widgets& widgets, Changes& changes);
