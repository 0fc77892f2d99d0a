// Your own model in the page: what is loaded, as the App holds it (own_model_ui.h loads, checks
// and clears it).
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "io/own_model_in_page.h"
#include "model/config.h"

struct OwnModelState {
  std::shared_ptr<const gs::OwnModel> model;  // null: drawn models
  std::string name;                           // the file's name
  std::string badge;                          // "lstm_small.safetensors: LSTM, H = 16, I = 2, ..."
  std::vector<std::string> lines;             // what was read and used (as the CLI's '#' lines)
  std::string note;                           // e.g. "the file has 2 layers: layer 0 is read"
  std::string error;                          // the last rejected file's one line, or ""
  gs::Config config_before;                   // what "Clear" returns to
  // A file of several recurrent layers (a 2-layer LSTM, an encoder and a decoder): the layers
  // to pick from, the one read (an index of `layers`), and the file, kept to read another.
  std::vector<gs::LayerChoice> layers;
  int layer = -1;
  std::vector<unsigned char> file;
  bool link_without_model = false;  // the page was opened with model=local but no model
};

// The hash marker of a loaded model (not a config key: the hash minus it is the config).
inline constexpr const char* kModelMarker = "model=local";
