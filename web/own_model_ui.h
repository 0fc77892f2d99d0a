// Your own model in the page (issue 12): a safetensors file dropped on the page or picked with
// "Load model", checked here (core/io/own_model.h, the page's rules in core/io/own_model_in_page.h),
// then sent to the compute worker, which computes every view from it. A badge says what is
// loaded; "Clear" returns to drawn models; "Download model" saves the current model (trained,
// loaded or drawn) as safetensors for the CLI's --weights. The URL hash cannot hold weights: it
// gets `model=local` while a model is loaded, and Copy link says so.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "app.h"

// Reads a model file's bytes; on success sends it to the worker and applies its config; on
// error sets state.error and changes nothing. Returns "" or the error.
std::string own_model_load(App& app, const unsigned char* bytes, size_t size,
                           const std::string& name);
// Reads another layer of the loaded file (an index of state.layers); as own_model_load. "" or
// the error ("2 is no layer: the file has 2 (0..1)").
std::string own_model_choose_layer(App& app, int layer);
// Back to drawn models and the configuration from before the load.
void own_model_clear(App& app);
// Asks the worker for the current model as a file; bridge JS saves it as a download.
void own_model_download(App& app);

// With a model loaded, `config` must fit it (the file's cell and hidden size): "" or the error.
std::string own_model_check(const App& app, gs::Config& config);
// The hash text for `config_text`: with a model loaded, plus "&model=local".
std::string own_model_hash(const App& app, const std::string& config_text);
// Takes the marker out of hash text (applied as config) and notes whether a model is missing.
std::string own_model_strip_hash(App& app, const std::string& hash);

// The model section and the phones' model line are drawn with the views (views.h).
// A line for the top of Why while a model is loaded, else "".
std::string own_model_why(const App& app);
// What Copy link's notice adds while a model is loaded, else "".
std::string own_model_link_warning(const App& app);
// The model's part of getState(): "model".
nlohmann::json own_model_json(const App& app);
// Installs the file input and drag and drop (web/own_model.js); after bridge_install's worker.
void own_model_install(App& app);
