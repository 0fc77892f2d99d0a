// The views, each drawn into the current ImGui window. A view reads the App, which it gets
// const; a click queues a change in `out`, applied by frame() once the whole UI is drawn (app.h:
// Changes). What a view writes is in `widgets` only: the text field's buffer and where the
// buttons the browser tests click are (app.h: Widgets).
#pragma once
#include <nlohmann/json_fwd.hpp>
#include <string>

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

// ------------------------------------------------------------------------------------------------
// The plot views. Each has a draw function (views_*.cpp), Why's text while it is in focus
// (why.cpp, why_remedies.cpp), its numbers as CSV (exports.cpp) and as its part of getState()
// (view_state.cpp). The table below joins them: a view is one row.
// ------------------------------------------------------------------------------------------------

// What vanishes (views_plots.cpp, views_heatmap.cpp): the gradient through time, as the
// sequence grows, live training, and the time x unit heatmaps.
void draw_decay_view(const App& app, Widgets& widgets, Changes& out);
void draw_sweep_view(const App& app, Widgets& widgets, Changes& out);
void draw_training_view(const App& app, Widgets& widgets, Changes& out);
void draw_heatmap_view(const App& app, Widgets& widgets, Changes& out);
std::string why_decay(const App& app);
std::string why_sweep(const App& app);
std::string why_training(const App& app);
std::string why_heatmap(const App& app);
std::string decay_csv(const App& app);
std::string sweep_csv(const App& app);
std::string training_csv(const App& app);
std::string heatmap_csv(const App& app);
nlohmann::json decay_state(const App& app);
nlohmann::json sweep_state(const App& app);
nlohmann::json training_state(const App& app);

// Why it vanishes (views_why.cpp): step Jacobians and Lyapunov exponents; act' and gates step by
// step; dL/dW_hh by lag; the scale x length maps.
void draw_spectra_view(const App& app, Widgets& widgets, Changes& out);
void draw_saturation_view(const App& app, Widgets& widgets, Changes& out);
void draw_lag_split_view(const App& app, Widgets& widgets, Changes& out);
void draw_trainability_view(const App& app, Widgets& widgets, Changes& out);
std::string why_spectra(const App& app);
std::string why_saturation(const App& app);
std::string why_lag_split(const App& app);
std::string why_trainability(const App& app);
std::string spectra_csv(const App& app);
std::string saturation_csv(const App& app);
std::string lag_split_csv(const App& app);
std::string trainability_csv(const App& app);
nlohmann::json why_page_state(const App& app);  // the spectra, saturation and lag split's
nlohmann::json trainability_state(const App& app);

// What fixes it (views_remedies.cpp, tour.cpp): the critical-length experiment, Pascanu's cliff
// with descent paths, truncated BPTT's cosine against k, the paper presets and tour steps as
// links (their numbers are the decay curves they set up).
void draw_critical_view(const App& app, Widgets& widgets, Changes& out);
void draw_cliff_view(const App& app, Widgets& widgets, Changes& out);
void draw_truncation_view(const App& app, Widgets& widgets, Changes& out);
void draw_presets_view(const App& app, Widgets& widgets, Changes& out);
std::string why_critical(const App& app);
std::string why_cliff(const App& app);
std::string why_truncation(const App& app);
std::string why_presets(const App& app);
std::string critical_csv(const App& app);
std::string cliff_csv(const App& app);
std::string truncation_csv(const App& app);
nlohmann::json critical_state(const App& app);
nlohmann::json cliff_state(const App& app);
nlohmann::json truncation_state(const App& app);
nlohmann::json presets_state(const App& app);

// Why the new cells work (views_memory.cpp, why_memory.cpp): the eigenvalues of J_t on the unit
// disk; the curse of memory's loss landscape, the sensitivity of three parameterizations, and
// gradient descent with each.
void draw_eigenvalues_view(const App& app, Widgets& widgets, Changes& out);
void draw_landscape_view(const App& app, Widgets& widgets, Changes& out);
void draw_sensitivity_view(const App& app, Widgets& widgets, Changes& out);
void draw_learning_view(const App& app, Widgets& widgets, Changes& out);
std::string why_eigenvalues(const App& app);
std::string why_landscape(const App& app);
std::string why_sensitivity(const App& app);
std::string why_learning(const App& app);
std::string eigenvalues_csv(const App& app);
std::string landscape_csv(const App& app);
std::string learning_csv(const App& app);
nlohmann::json eigenvalues_state(const App& app);
nlohmann::json memory_state(const App& app);
// The curse of memory's curves follow the configuration (called before the UI is drawn).
void memory_curves_update(App& app);

struct ViewRow {
  View view;
  Page page;
  const char* name;   // getState's focus, focus(), the CSV file's name
  const char* title;  // its tile's title on wide screens
  const char* tab;    // its tab on phones
  void (*draw)(const App&, Widgets&, Changes&);
  std::string (*why)(const App&);  // Why's text while it is in focus
  std::string (*csv)(const App&);  // "Download CSV"
  const char* state_key;           // its part of getState() (views may share one)
  nlohmann::json (*state)(const App&);
};

// Every plot view, in page order: a page's views fill its tiles in this order.
inline constexpr ViewRow kViewRows[] = {
    {View::Decay, Page::Vanishing, "decay", "Gradient through time: loss at the last step", "Decay",
     draw_decay_view, why_decay, decay_csv, "decay", decay_state},
    {View::Sweep, Page::Vanishing, "sweep", "As the sequence grows: gradient reaching step 1",
     "Length", draw_sweep_view, why_sweep, sweep_csv, "sweep", sweep_state},
    {View::Heatmap, Page::Vanishing, "heatmap", "Gradient flow heatmap", "Map", draw_heatmap_view,
     why_heatmap, heatmap_csv, "decay", decay_state},
    {View::Training, Page::Vanishing, "training", "Training on a long-range task", "Train",
     draw_training_view, why_training, training_csv, "training", training_state},
    {View::Spectra, Page::Why, "spectra", "Spectra: what each step does, and their product",
     "Spectra", draw_spectra_view, why_spectra, spectra_csv, "why_it_vanishes", why_page_state},
    {View::Saturation, Page::Why, "saturation", "Saturation, gates and dead units, step by step",
     "Gates", draw_saturation_view, why_saturation, saturation_csv, "why_it_vanishes",
     why_page_state},
    {View::LagSplit, Page::Why, "lagsplit", "The weight gradient, split by lag", "Lags",
     draw_lag_split_view, why_lag_split, lag_split_csv, "why_it_vanishes", why_page_state},
    {View::Trainability, Page::Why, "trainability", "Trainability: recurrent scale x length",
     "Scale", draw_trainability_view, why_trainability, trainability_csv, "trainability",
     trainability_state},
    {View::Critical, Page::Remedies, "critical", "The critical length: which lengths each cell learns",
     "Critical", draw_critical_view, why_critical, critical_csv, "critical", critical_state},
    {View::Cliff, Page::Remedies, "cliff", "Pascanu's cliff: exploding gradients and clipping",
     "Cliff", draw_cliff_view, why_cliff, cliff_csv, "cliff", cliff_state},
    {View::Truncation, Page::Remedies, "truncation", "Truncated BPTT: the gradient kept by k steps",
     "Trunc", draw_truncation_view, why_truncation, truncation_csv, "truncation",
     truncation_state},
    {View::Presets, Page::Remedies, "presets", "Paper presets and the guided tour", "Tour",
     draw_presets_view, why_presets, decay_csv, "presets", presets_state},
    {View::Eigenvalues, Page::NewCells, "eigenvalues",
     "Eigenvalues of each step's Jacobian on the unit disk", "Eigen", draw_eigenvalues_view,
     why_eigenvalues, eigenvalues_csv, "eigenvalues", eigenvalues_state},
    {View::Landscape, Page::NewCells, "landscape",
     "The curse of memory: the loss of a student's lambda", "Loss", draw_landscape_view,
     why_landscape, landscape_csv, "curse_of_memory", memory_state},
    {View::Sensitivity, Page::NewCells, "sensitivity",
     "Sensitivity of the output to the parameter, three ways", "Sens", draw_sensitivity_view,
     why_sensitivity, landscape_csv, "curse_of_memory", memory_state},
    {View::Learning, Page::NewCells, "learning", "Learning lambda by gradient descent", "Learn",
     draw_learning_view, why_learning, learning_csv, "curse_of_memory", memory_state},
};

// A wide screen shows a page's views in a 2 x 2 grid (ui.cpp): a fifth view on a page would have
// no tile, so the build stops here rather than the page dropping it.
inline constexpr int kTilesPerPage = 4;
constexpr int views_on(Page page) {
  int n = 0;
  for (const ViewRow& row : kViewRows) n += row.page == page;
  return n;
}
static_assert(views_on(Page::Vanishing) <= kTilesPerPage, "page 'What vanishes': too many views");
static_assert(views_on(Page::Why) <= kTilesPerPage, "page 'Why it vanishes': too many views");
static_assert(views_on(Page::Remedies) <= kTilesPerPage, "page 'What fixes it': too many views");
static_assert(views_on(Page::NewCells) <= kTilesPerPage, "page 'The new cells': too many views");

const ViewRow* view_row(View view);  // nullptr for Why and Controls, which are not plot views

// "Why" (why.cpp): the explanation of the view in focus.
void draw_why_view(const App& app, Widgets& widgets, Changes& out);

// The tour step's box (title, paragraph, Back / Next / End, the change to try) is shown while
// tour > 0: above the views on wide screens, above the tabs on phones (tour.cpp).
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

// The numbers behind a view as CSV (exports.cpp), for "Download CSV" and tests.
std::string view_csv(const App& app, View view);

// Browser-side actions (exports.cpp).
void copy_link(const App& app);
void download_csv(const App& app);
void save_png_now(App& app);  // call right after rendering, before the frame returns
