// The paper presets and the guided tour (the `tour` key): links that set up a configuration,
// focus a view and, for training, press Play. A tour step's paragraph is written from the live
// results (tour_text), never from numbers in the text.
#pragma once
#include <string>

#include "app.h"

struct TourStep {
  const char* title;
  const char* config;      // over the defaults (with tour=N)
  View view;               // put in focus
  bool play;               // press Play (a training step)
  const char* try_label;   // a change to try next, over the current configuration ("": none)
  const char* try_config;
};
// Step 1..gs::kTourSteps, else nullptr.
const TourStep* tour_step(int step);

// Whether a preset shows its paper's effect in the page at its budget.
enum class Verdict { Reproduces, Partly, No };

struct Preset {
  const char* name;    // the button
  const char* source;  // the paper(s)
  const char* config;  // over the defaults
  View view;           // put in focus
  bool play;           // press Play
  // As measured with the CLI (the README's table): the verdict, in a few words under the button,
  // and what was measured, for Why.
  Verdict reproduces;
  const char* verdict;
  const char* measured;
};
const Preset* presets(int& count);
// The command line that runs a preset natively: "gradscope train --cell lstm,lru ...".
std::string preset_command(const Preset& preset);

// The step's paragraph from the current results ("" for no step).
std::string tour_text(const App& app, int step);

// Applies a preset: its configuration over the defaults, its view, Play.
void apply_preset(App& app, const Preset& preset);

// What apply_config does when `tour` changes to a step: that step's configuration.
void after_tour_step(App& app, const TourStep& step);

// The step's box is drawn with the views (views.h: draw_tour_panel).
