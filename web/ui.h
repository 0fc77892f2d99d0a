// The windows of the app, laid out to fill the canvas: configuration panel, decay plots,
// gradient heatmap. For now the views show a closed-form test pattern (see DecayPattern).
#pragma once
#include "app.h"

// Fills the test pattern and the heatmap data (CPU side; GL objects are made on first render).
void views_init(App& app);

// GPU work the UI will show (heatmaps through the colormap shader), before ImGui::NewFrame.
void views_render_gpu(App& app);

// All windows for this frame, between ImGui::NewFrame and ImGui::Render.
void draw_ui(App& app);
