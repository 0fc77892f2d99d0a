// Your own model in the page: loading, clearing, downloading, the badge, the hash marker.
#include "own_model_ui.h"

#include <emscripten.h>

#include <cctype>
#include <cstdio>

#include "app.h"
#include "cell_style.h"
#include "imgui.h"
#include "io/safetensors.h"
#include "views.h"
#include "wrapped_text.h"

namespace {

App* g_app = nullptr;

// The JavaScript side, in web/own_model.js.
extern "C" {
void js_own_model_install();
// size 0: back to drawn models; layer_choice: an index of gs::layer_choices, -1 the only layer
void js_worker_model(const unsigned char* bytes, int size, int layer_choice);
void js_worker_save(const char* name);
void js_pick_model_file();
}

std::string badge_of(const gs::OwnModel& own, const gs::Config& config) {
  const gs::Model& m = own.model;
  char text[256];
  std::snprintf(text, sizeof text, "%s, hidden %d, inputs %d, %s, %s weights",
                cell_label(config.cells[0]), config.hidden, m.input_size,  // the key's (LRU: complex)
                m.output_size ? ("readout of " + std::to_string(m.output_size) +
                                 (m.output_size == 1 ? " output" : " outputs")).c_str()
                              : "no readout",
                own.precision == gs::Precision::F64 ? "float64" : "float32");
  return text;
}

std::vector<std::string> layer_labels(const OwnModelState& s) {
  std::vector<std::string> labels;
  for (const gs::LayerChoice& c : s.layers) labels.push_back(c.label);
  return labels;
}

// A file name's stem: "lstm_small" from "lstm_small.safetensors".
std::string stem(const std::string& name) {
  const size_t dot = name.rfind('.');
  return dot == std::string::npos || dot == 0 ? name : name.substr(0, dot);
}

// Reads layer `layer` of `layers` (-1: the file's only one) from the file's bytes; on success
// sends the file to the worker and applies the model's config. "" or the error.
std::string load_layer(App& app, const unsigned char* bytes, size_t size, const std::string& name,
                       std::vector<gs::LayerChoice> layers, int layer) {
  OwnModelState& s = app.own_model;
  const auto fail = [&](const std::string& error) {
    s.error = "'" + gs::path_text(name) + "' not loaded: " + error;
    return s.error;
  };
  auto own = std::make_shared<gs::OwnModel>();
  const gs::LoadOptions options = layer >= 0 ? layers[layer].options : gs::LoadOptions();
  if (std::string e = gs::load_model(bytes, size, options, *own); !e.empty()) return fail(e);
  gs::Config next = app.config;
  gs::GivenModel given;
  std::vector<std::string> lines;
  if (std::string e = gs::page_use_own_model(*own, true, next, given, lines); !e.empty())
    return fail(e);
  if (!s.model) s.config_before = app.config;
  s.model = own;
  s.name = name;
  s.error.clear();
  s.link_without_model = false;
  s.lines = lines;
  s.note = own->note;  // the page has no --readout: name the CLI's
  if (const size_t at = s.note.find("(--readout uses"); at != std::string::npos)
    s.note.replace(at, 15, "(the CLI's --readout uses");
  if (!own->note.empty()) s.lines.push_back("note: " + own->note);
  s.badge = badge_of(*own, next);
  if (layers.size() > 1) {
    s.file.assign(bytes, bytes + size);
    s.layers = std::move(layers);
  } else {  // one layer: nothing to pick
    s.file.clear();
    s.layers.clear();
  }
  s.layer = layer;
  // first the model, then the config using it
  js_worker_model(bytes, static_cast<int>(size), layer);
  ++app.commands_sent;
  apply_config(app, gs::Config(), gs::to_text(next), ConfigSource::SetConfig);
  return "";
}

}  // namespace

std::string own_model_load(App& app, const unsigned char* bytes, size_t size,
                           const std::string& name) {
  if (std::string e = gs::file_size_error(size); !e.empty()) {
    app.own_model.error = "'" + gs::path_text(name) + "' not loaded: " + e;
    return app.own_model.error;
  }
  // A file of several layers reads the first (layer 0 of the first prefix); the picker offers
  // the others.
  std::vector<gs::LayerChoice> layers = gs::layer_choices(bytes, size);
  const int layer = layers.size() > 1 ? 0 : -1;
  return load_layer(app, bytes, size, name, std::move(layers), layer);
}

std::string own_model_choose_layer(App& app, int layer) {
  OwnModelState& s = app.own_model;
  if (!s.model || s.layers.size() < 2) return "no model of several layers is loaded";
  if (layer < 0 || layer >= static_cast<int>(s.layers.size()))
    return std::to_string(layer) + " is no layer: the file has " + std::to_string(s.layers.size()) +
           " (0.." + std::to_string(s.layers.size() - 1) + ")";
  if (layer == s.layer) return "";
  const std::vector<unsigned char> file = s.file;  // load_layer assigns s.file
  return load_layer(app, file.data(), file.size(), s.name, s.layers, layer);
}

void own_model_clear(App& app) {
  OwnModelState& s = app.own_model;
  if (!s.model) return;
  s.model = nullptr;
  s.name.clear();
  s.lines.clear();
  s.badge.clear();
  s.note.clear();
  s.error.clear();
  s.layers.clear();
  s.layer = -1;
  s.file.clear();
  js_worker_model(nullptr, 0, -1);
  ++app.commands_sent;
  apply_config(app, gs::Config(), gs::to_text(s.config_before), ConfigSource::SetConfig);
}

void own_model_download(App& app) {
  bool trained = false;
  for (const TrainResult& t : app.results.train) trained |= !t.history.empty();
  std::string name = app.own_model.model ? stem(app.own_model.name) : "gradscope";
  if (!app.own_model.model)
    for (gs::CellKind cell : app.config.cells) name += std::string("-") + gs::cell_name(cell);
  if (trained) name += "-trained-" + std::to_string(training_iterations(app.results));
  name += ".safetensors";
  js_worker_save(name.c_str());
  app.notice = "Saved " + name + " (read it back with: gradscope decay --weights " + name + ")";
}

std::string own_model_check(const App& app, gs::Config& config) {
  if (!app.own_model.model) return "";
  gs::GivenModel given;
  std::vector<std::string> lines;
  return gs::page_use_own_model(*app.own_model.model, false, config, given, lines);
}

std::string own_model_hash(const App& app, const std::string& config_text) {
  return app.own_model.model ? config_text + "&" + kModelMarker : config_text;
}

std::string own_model_strip_hash(App& app, const std::string& hash) {
  std::string out;
  bool marked = false;
  size_t start = 0;
  while (start <= hash.size()) {
    size_t end = hash.find('&', start);
    if (end == std::string::npos) end = hash.size();
    const std::string pair = hash.substr(start, end - start);
    if (pair == kModelMarker)
      marked = true;
    else if (!pair.empty())
      out += (out.empty() ? "" : "&") + pair;
    start = end + 1;
  }
  app.own_model.link_without_model = marked && !app.own_model.model;
  return out;
}

void draw_own_model_section(const App& app, Widgets& widgets, Changes& out) {
  const OwnModelState& s = app.own_model;
  ImGui::Spacing();
  ImGui::TextDisabled("model");
  ImGui::Separator();
  for (float* rect : {widgets.model_layer_rect, widgets.model_clear_rect, widgets.model_badge_rect})
    rect[0] = rect[1] = rect[2] = rect[3] = 0;  // drawn below only while there is one
  if (s.model) {
    // The badge: which model every view computes from, on a tinted background.
    ImDrawList* draw = ImGui::GetWindowDrawList();
    draw->ChannelsSplit(2);
    draw->ChannelsSetCurrent(1);
    const float pad = ImGui::GetStyle().FramePadding.x;
    ImGui::BeginGroup();
    ImGui::Dummy(ImVec2(0, 1));
    ImGui::Indent(pad);
    ImGui::PushStyleColor(ImGuiCol_Text, cell_color(app.config.cells[0]));
    ImGui::TextWrapped("Your model: %s", s.name.c_str());
    ImGui::PopStyleColor();
    text_wrapped(s.badge);
    ImGui::Unindent(pad);
    ImGui::Dummy(ImVec2(0, 1));
    ImGui::EndGroup();
    draw->ChannelsSetCurrent(0);
    const ImVec2 a = ImGui::GetItemRectMin(), b = ImGui::GetItemRectMax();
    const float right = ImGui::GetWindowPos().x + ImGui::GetWindowContentRegionMax().x;
    draw->AddRectFilled(a, ImVec2(right, b.y), IM_COL32(40, 52, 70, 255), 4);
    draw->AddRect(a, ImVec2(right, b.y), cell_color(app.config.cells[0]), 4);
    draw->ChannelsMerge();
    remember_item_rect(widgets.model_badge_rect);
    if (ImGui::IsItemHovered()) {
      std::string tip;
      for (const std::string& line : s.lines) tip += line + "\n";
      ImGui::SetTooltip("%s", tip.c_str());
    }
    if (s.layers.size() > 1) {  // a file of several layers: which one every view reads
      ImGui::SetNextItemWidth(-ImGui::CalcTextSize("layer").x - 8);
      const char* shown = s.layer >= 0 ? s.layers[s.layer].label.c_str() : "";
      if (ImGui::BeginCombo("layer", shown)) {
        for (int i = 0; i < static_cast<int>(s.layers.size()); ++i)
          if (ImGui::Selectable(s.layers[i].label.c_str(), i == s.layer) && i != s.layer)
            out.push_back([i](App& app) { own_model_choose_layer(app, i); });
        ImGui::EndCombo();
      }
      remember_item_rect(widgets.model_layer_rect);
      if (ImGui::IsItemHovered())
        ImGui::SetTooltip("the file has %zu recurrent layers; each is probed alone, from the "
                          "inputs the page draws (the CLI: --prefix and --layer)",
                          s.layers.size());
    }
  } else {
    ImGui::TextWrapped("Generated from the seed. Your own: drop a .safetensors file "
                       "(torch RNN, LSTM, GRU, minGRU, minLSTM or LRU) on the page, or");
  }
  if (ImGui::Button("Load model...")) js_pick_model_file();
  remember_item_rect(widgets.model_load_rect);
  if (ImGui::IsItemHovered())
    ImGui::SetTooltip("a single-layer torch.nn.RNN / LSTM / GRU as safetensors "
                      "(scripts/export_weights.py writes one), or a minGRU / minLSTM state_dict "
                      "of minGRU-pytorch; it stays on this computer");
  ImGui::SameLine();
  if (ImGui::Button("Download model")) out.push_back(own_model_download);
  remember_item_rect(widgets.model_download_rect);
  if (ImGui::IsItemHovered())
    ImGui::SetTooltip("the current model as safetensors (trained weights once training has "
                      "begun); gradscope decay --weights FILE reads it");
  if (s.model) {
    ImGui::SameLine();
    if (ImGui::GetContentRegionAvail().x < ImGui::CalcTextSize("Clear").x + 2 * 8) ImGui::NewLine();
    if (ImGui::Button("Clear")) out.push_back(own_model_clear);
    remember_item_rect(widgets.model_clear_rect);
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("back to generated models");
  }
  if (s.model && !s.note.empty()) {
    note_text("Note: " + s.note);
  }
  if (!s.error.empty()) {
    error_text(s.error);
  }
  if (s.link_without_model) {
    note_text("This link was made with a model from a local file (model=local), which a link "
              "cannot carry: load the same file to see its numbers. Shown now: generated "
              "models.");
  }
}

void draw_own_model_line(const App& app) {
  const OwnModelState& s = app.own_model;
  if (!s.model) return;
  ImGui::PushStyleColor(ImGuiCol_Text, cell_color(app.config.cells[0]));
  ImGui::TextWrapped("Your model: %s (%s, hidden %d; Setup: Clear)", s.name.c_str(),
                     cell_label(app.config.cells[0]), app.config.hidden);
  ImGui::PopStyleColor();
}

std::string own_model_why(const App& app) {
  const OwnModelState& s = app.own_model;
  if (!s.model) return "";
  std::string text = "Your model, " + s.name + ": " + s.badge + ".";
  for (const std::string& line : s.lines)
    if (line.rfind("inputs:", 0) == 0 || line.rfind("seed gradient:", 0) == 0) {
      std::string sentence = line;
      sentence[0] = static_cast<char>(std::toupper(sentence[0]));
      if (sentence.back() != '.') sentence += '.';
      text += " " + sentence;
    }
  return text + "\n\n";
}

std::string own_model_link_warning(const App& app) {
  if (!app.own_model.model) return "";
  return " It holds the settings, not the weights: the model is a local file (model=local in "
         "the link), so send the file too.";
}

nlohmann::json own_model_json(const App& app) {
  const OwnModelState& s = app.own_model;
  nlohmann::json out = {{"loaded", s.model != nullptr},
                        {"name", s.name},
                        {"badge", s.badge},
                        {"lines", s.lines},
                        {"note", s.note},
                        {"error", s.error},
                        {"link_without_model", s.link_without_model},
                        {"layers", layer_labels(s)},
                        {"layer", s.layer},
                        {"rects",
                         {{"load", app.widgets.model_load_rect},
                          {"download", app.widgets.model_download_rect},
                          {"clear", app.widgets.model_clear_rect},
                          {"badge", app.widgets.model_badge_rect},
                          {"layer", app.widgets.model_layer_rect}}}};
  if (s.model) {
    out["cell"] = gs::cell_name(app.config.cells[0]);
    out["hidden"] = app.config.hidden;  // the key's: the LRU's complex units
    out["input_size"] = s.model->model.input_size;
    out["output_size"] = s.model->model.output_size;
    out["precision"] = gs::precision_name(s.model->precision);
  }
  return out;
}

void own_model_install(App& app) {
  g_app = &app;
  js_own_model_install();
}

extern "C" {

// A file dropped or picked (web/own_model.js); `bytes` is null when the file is over the size
// limit, which is then the message.
EMSCRIPTEN_KEEPALIVE void gradscope_load_model(const unsigned char* bytes, double size,
                                               const char* name) {
  if (!bytes) {
    g_app->own_model.error = "'" + gs::path_text(name) +
                             "' not loaded: " + gs::file_size_error(static_cast<size_t>(size));
    return;
  }
  own_model_load(*g_app, bytes, static_cast<size_t>(size), name);
}
EMSCRIPTEN_KEEPALIVE double gradscope_max_model_bytes() {
  return static_cast<double>(gs::kMaxWeightsFileBytes);
}
EMSCRIPTEN_KEEPALIVE void gradscope_clear_model() { own_model_clear(*g_app); }
// window.gradscope.chooseModelLayer(i): "" or the error.
EMSCRIPTEN_KEEPALIVE const char* gradscope_choose_model_layer(int layer) {
  static std::string reply;
  reply = own_model_choose_layer(*g_app, layer);
  if (!reply.empty()) reply = "chooseModelLayer: " + reply;
  return reply.c_str();
}
EMSCRIPTEN_KEEPALIVE void gradscope_download_model() { own_model_download(*g_app); }
// A file the browser could not read.
EMSCRIPTEN_KEEPALIVE void gradscope_model_unreadable(const char* name, const char* why) {
  g_app->own_model.error = "'" + gs::path_text(name) +
                           "' not loaded: the browser could not read it (" + std::string(why) + ")";
}

}  // extern "C"
