// The windows of the app, laid out to fill the canvas (ui.cpp); the views themselves are in
// views_*.cpp, controls.cpp and why.cpp.
#pragma once
#include "app.h"

// All windows for this frame, between ImGui::NewFrame and ImGui::Render.
void draw_ui(App& app);
