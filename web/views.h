// The views, each drawn into the current ImGui window. A view reads the App, which it gets
// const; a click queues a change in `out`, applied by frame() once the whole UI is drawn (app.h:
// Changes). What a view writes is in `widgets` only: the text field's buffer and where the
// buttons the browser tests click are (app.h: Widgets).
#pragma once
#include "app.h"

// Where the last ImGui item is, in CSS pixels, into a Widgets rect (controls.cpp).
void remember_item_rect(float rect[4]);

// The controls (controls.cpp): every key with a control, the text field, sharing, and the model
// section (own_model_ui.cpp: the badge and its buttons). Phones: the length slider above the
// decay and sweep plots, and one line naming a loaded model above every view.
void draw_controls(const App& app, Widgets& widgets, Changes& out);
void draw_length_control(const App& app, Changes& out);
void draw_own_model_section(const App& app, Widgets& widgets, Changes& out);
void draw_own_model_line(const App& app);

// What vanishes (views_plots.cpp, views_heatmap.cpp): the gradient through time, as the
// sequence grows, live training, and the time x unit heatmaps.
void draw_decay_view(const App& app, Widgets& widgets, Changes& out);
void draw_sweep_view(const App& app, Widgets& widgets, Changes& out);
void draw_training_view(const App& app, Widgets& widgets, Changes& out);
void draw_heatmap_view(const App& app, Widgets& widgets, Changes& out);

// Why it vanishes (views_why.cpp): step Jacobians and Lyapunov exponents; act' and gates step by
// step; dL/dW_hh by lag; the scale x length maps. And "Why" (why.cpp): the explanation of the
// view in focus.
void draw_spectra_view(const App& app, Widgets& widgets, Changes& out);
void draw_saturation_view(const App& app, Widgets& widgets, Changes& out);
void draw_lag_split_view(const App& app, Widgets& widgets, Changes& out);
void draw_trainability_view(const App& app, Widgets& widgets, Changes& out);
void draw_why_view(const App& app, Widgets& widgets, Changes& out);

// What fixes it (views_remedies.cpp, tour.cpp): the critical-length experiment, Pascanu's cliff
// with descent paths, truncated BPTT's cosine against k, the paper presets and tour steps as
// links. The tour step's box (title, paragraph, Back / Next / End, the change to try) is shown
// while tour > 0: above the views on wide screens, above the tabs on phones.
void draw_critical_view(const App& app, Widgets& widgets, Changes& out);
void draw_cliff_view(const App& app, Widgets& widgets, Changes& out);
void draw_truncation_view(const App& app, Widgets& widgets, Changes& out);
void draw_presets_view(const App& app, Widgets& widgets, Changes& out);
void draw_tour_panel(const App& app, Changes& out);
// The height draw_tour_panel takes `width` wide (0 without a step), and the button that starts
// the tour from any page (nothing while a step is shown).
float tour_panel_height(const App& app, float width);
inline constexpr const char* kTourButton = "Start here: the guided tour";
void draw_tour_button(const App& app, Changes& out);

// A colour bar width x height at the cursor, from 10^hi (top) to 10^lo, labelled at round decades
// on its right (about 2.6 font sizes wide): the colormap's ramp, whatever the window
// (views_heatmap.cpp).
void draw_colorbar(const App& app, float lo, float hi, float width, float height);

// Before the UI is drawn, the textures follow the results: the heatmaps (rebuilt on the CPU when
// a decay job is done, then rendered by the colormap shader), the trainability maps and the cliff.
bool heatmaps_update(App& app);  // true if a texture was drawn anew
void trainability_maps_update(App& app);  // views_why.cpp (from heatmaps_update)
void cliff_map_update(App& app);          // views_remedies.cpp (from heatmaps_update)

// The explanation text for a view, from the current numbers (why.cpp); also in getState().
std::string explain(const App& app, View view);
// The same for the "what fixes it" page's views (why_remedies.cpp).
std::string explain_remedy(const App& app, View view);

// The numbers behind a view as CSV (exports.cpp), for "Download CSV" and tests.
std::string view_csv(const App& app, View view);

// Browser-side actions (exports.cpp).
void copy_link(const App& app);
void download_csv(const App& app);
void save_png_now(App& app);  // call right after rendering, before the frame returns
