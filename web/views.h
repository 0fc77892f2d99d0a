// The views, each drawn into the current ImGui window, reading App and nothing else.
#pragma once
#include "app.h"

void draw_controls(App& app);        // controls.cpp: every key of the vocabulary, and sharing
void draw_length_control(App& app);  //   just the length slider (phones: above the plots)
void draw_decay_view(App& app);      // views_plots.cpp: gradient through time
void draw_sweep_view(App& app);      //   as the sequence grows
void draw_training_view(App& app);   //   live training
void draw_heatmap_view(App& app);    // views_heatmap.cpp: time x unit, log colour
void draw_why_view(App& app);        // why.cpp: the explanation of the view in focus
void draw_spectra_view(App& app);    // views_why.cpp: step Jacobians and Lyapunov exponents
void draw_saturation_view(App& app);  //   act' and gates, step by step; dead units
void draw_lag_split_view(App& app);  //   dL/dW_hh by lag
void draw_trainability_view(App& app);  // scale x length maps, the edge of chaos
void trainability_maps_update(App& app);  // their textures (from heatmaps_update)
void draw_critical_view(App& app);   // views_remedies.cpp: the critical-length experiment
void draw_cliff_view(App& app);      //   Pascanu's cliff: the loss surface and descent paths
void cliff_map_update(App& app);     //   its texture (from heatmaps_update)
void draw_truncation_view(App& app);  //  truncated BPTT: cosine with the full gradient vs k
void draw_presets_view(App& app);    // tour.cpp: paper presets and the tour's steps as links

// Heatmaps follow the decay jobs: (re)built on the CPU and rendered by the colormap shader
// before ImGui's frame.
void heatmaps_update(App& app);

// The explanation text for a view, from the current numbers (why.cpp); also in getState().
std::string explain(const App& app, View view);
// The same for the "what fixes it" page's views (why_remedies.cpp).
std::string explain_remedy(const App& app, View view);

// The numbers behind a view as CSV (exports.cpp), for "Download CSV" and tests.
std::string view_csv(const App& app, View view);

// Browser-side actions (exports.cpp).
void copy_link(App& app);
void download_csv(App& app);
void save_png_now(App& app);  // call right after rendering, before the frame returns
