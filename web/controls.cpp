// The controls panel: one widget per key of the configuration vocabulary, labelled with the key
// itself (the same word as in the URL hash and the CLI flags). Widgets edit a copy; the copy goes
// through the one parser and validator (core/config.cpp) like any other text.
#include <cstdio>
#include <string>

#include "bridge.h"
#include "cell_style.h"
#include "imgui.h"
#include "views.h"
#include "wrapped_text.h"

namespace {

const gs::CellKind kCells[] = {gs::CellKind::RnnTanh,    gs::CellKind::RnnRelu,
                               gs::CellKind::RnnSigmoid, gs::CellKind::RnnIdentity,
                               gs::CellKind::Lstm,       gs::CellKind::Gru};

void tooltip_for(const char* key) {
  if (!ImGui::IsItemHovered()) return;
  for (const gs::ConfigKey& k : gs::config_keys())
    if (std::string(key) == k.name) ImGui::SetTooltip("%s", k.help);
}

bool slider_int(const char* key, int& value, int lo, int hi, bool logarithmic = false) {
  ImGui::SetNextItemWidth(-ImGui::CalcTextSize("forget_bias").x - 8);
  const bool changed =
      ImGui::SliderInt(key, &value, lo, hi, "%d", logarithmic ? ImGuiSliderFlags_Logarithmic : 0);
  tooltip_for(key);
  return changed;
}

bool slider_real(const char* key, double& value, double lo, double hi, const char* format,
                 bool logarithmic = false) {
  ImGui::SetNextItemWidth(-ImGui::CalcTextSize("forget_bias").x - 8);
  const bool changed = ImGui::SliderScalar(key, ImGuiDataType_Double, &value, &lo, &hi, format,
                                           logarithmic ? ImGuiSliderFlags_Logarithmic : 0);
  tooltip_for(key);
  return changed;
}

template <class Enum>
bool combo(const char* key, Enum& value, const Enum* options, int count,
           const char* (*name)(Enum)) {
  bool changed = false;
  ImGui::SetNextItemWidth(-ImGui::CalcTextSize("forget_bias").x - 8);
  if (ImGui::BeginCombo(key, name(value))) {
    for (int i = 0; i < count; ++i)
      if (ImGui::Selectable(name(options[i]), options[i] == value)) {
        changed = options[i] != value;
        value = options[i];
      }
    ImGui::EndCombo();
  }
  tooltip_for(key);
  return changed;
}

// Where the last item is, in CSS pixels (for the browser tests, which click it).
void remember_rect(float rect[4]) {
  const ImVec2 r0 = ImGui::GetItemRectMin(), r1 = ImGui::GetItemRectMax();
  rect[0] = r0.x, rect[1] = r0.y, rect[2] = r1.x - r0.x, rect[3] = r1.y - r0.y;
}

void section(const char* title) {
  ImGui::Spacing();
  ImGui::TextDisabled("%s", title);
  ImGui::Separator();
}

const gs::InitKind kInits[] = {gs::InitKind::Uniform, gs::InitKind::Xavier,
                               gs::InitKind::Orthogonal, gs::InitKind::Identity};
const gs::TaskKind kTasks[] = {gs::TaskKind::Adding, gs::TaskKind::Copy,
                               gs::TaskKind::RememberFirst};
const gs::OptimizerKind kOptimizers[] = {gs::OptimizerKind::Sgd, gs::OptimizerKind::Adam};

}  // namespace

void draw_length_control(App& app) {
  gs::Config next = app.config;
  if (slider_int("length", next.length, 2, 20000, true))
    apply_config(app, gs::Config(), gs::to_text(next), ConfigSource::Controls);
}

void draw_controls(App& app) {
  gs::Config next = app.config;
  bool changed = false;

  // --- any keys as text, as in the URL (lengths of the sweep, exact values) ---
  ImGui::SetNextItemWidth(-FLT_MIN);
  if (ImGui::InputTextWithHint("##edit", "type key=value, e.g. length=1000&cell=lstm", app.edit,
                               sizeof app.edit, ImGuiInputTextFlags_EnterReturnsTrue)) {
    if (apply_config(app, app.config, app.edit, ConfigSource::TextField).empty())
      app.edit[0] = 0;
  }
  remember_rect(app.edit_rect);
  // Below the field, so that the field stays where it is when a message comes and goes.
  if (!app.error.empty()) {  // the bad text is rejected and the last good config kept
    ImGui::PushStyleColor(ImGuiCol_Text, IM_COL32(255, 110, 90, 255));
    text_wrapped(app.error + " (keeping the last good configuration)");
    ImGui::PopStyleColor();
  }

  // --- sharing: the link (the hash is the whole configuration), the numbers, the picture ---
  if (ImGui::Button("Copy link")) copy_link(app);
  remember_rect(app.share_rects[0]);
  ImGui::SameLine();
  if (ImGui::Button("Download CSV")) download_csv(app);
  remember_rect(app.share_rects[1]);
  if (ImGui::IsItemHovered())
    ImGui::SetTooltip("the numbers behind the view in focus (%s)", view_name(app.focus));
  ImGui::SameLine();
  if (ImGui::Button("Save PNG")) app.save_png_requested = true;
  remember_rect(app.share_rects[2]);
  // gradscope is MIT-licensed; the software it embeds has licences of its own, in one file.
  const char* licences = "Licences";
  const float licences_w = ImGui::CalcTextSize(licences).x + 2 * ImGui::GetStyle().FramePadding.x;
  ImGui::SameLine();
  if (ImGui::GetContentRegionAvail().x < licences_w) ImGui::NewLine();
  if (ImGui::Button(licences)) bridge_open("THIRD_PARTY_NOTICES.txt");
  remember_rect(app.notices_rect);
  if (ImGui::IsItemHovered())
    ImGui::SetTooltip("gradscope is MIT-licensed; the licences of Dear ImGui, SDL, Eigen, "
                      "nlohmann/json, the Inter font and Emscripten's runtime");
  if (!app.notice.empty()) ImGui::TextWrapped("%s", app.notice.c_str());

  // --- your own model, or the drawn ones ---
  draw_own_model_section(app);
  // A loaded model fixes the cell and the weights: the keys that draw them are off.
  const bool own = app.own_model.model != nullptr;

  // --- cells: which to compare (at least one) ---
  section("cell");
  ImGui::BeginDisabled(own);
  const float second_column = ImGui::GetCursorPosX() + ImGui::GetContentRegionAvail().x * 0.5f;
  for (int i = 0; i < 6; ++i) {
    const gs::CellKind cell = kCells[i];
    bool selected = false;
    for (gs::CellKind c : next.cells) selected |= c == cell;
    if (i % 2) ImGui::SameLine(second_column);
    ImGui::PushStyleColor(ImGuiCol_CheckMark, cell_color(cell));
    ImGui::PushStyleColor(ImGuiCol_Text, cell_color(cell));
    if (ImGui::Checkbox(cell_label(cell), &selected) && (selected || next.cells.size() > 1)) {
      std::vector<gs::CellKind> cells;  // keep the canonical order
      for (gs::CellKind c : kCells) {
        bool keep = false;
        for (gs::CellKind s : next.cells) keep |= s == c;
        if (c == cell) keep = selected;
        if (keep) cells.push_back(c);
      }
      next.cells = cells;
      changed = true;
    }
    ImGui::PopStyleColor(2);
    tooltip_for("cell");
  }
  ImGui::EndDisabled();

  // --- the model and the sequence ---
  section("model and sequence");
  changed |= combo("task", next.task, kTasks, 3, gs::task_name);
  changed |= slider_int("length", next.length, 2, 20000, true);
  ImGui::BeginDisabled(own);
  changed |= slider_int("hidden", next.hidden, 1, 512, true);
  changed |= combo("init", next.init, kInits, 4, gs::init_name);
  changed |= slider_real("scale", next.scale, 0.0, 3.0, "%.3g");
  changed |= slider_real("radius", next.radius, 0.0, 3.0, next.radius > 0 ? "%.3g" : "off");
  changed |= slider_real("forget_bias", next.forget_bias, -5.0, 10.0, "%.3g");
  ImGui::EndDisabled();
  const uint64_t one = 1;
  ImGui::SetNextItemWidth(-ImGui::CalcTextSize("forget_bias").x - 8);
  changed |= ImGui::InputScalar("seed", ImGuiDataType_U64, &next.seed, &one);
  tooltip_for("seed");
  changed |= slider_int("seeds", next.seeds, 1, 16);

  // --- training ---
  section("training");
  changed |= slider_int("batch", next.batch, 1, 256, true);
  changed |= combo("optimizer", next.optimizer, kOptimizers, 2, gs::optimizer_name);
  changed |= slider_real("lr", next.lr, 1e-4, 1.0, "%.2g", true);
  if (next.optimizer == gs::OptimizerKind::Sgd)
    changed |= slider_real("momentum", next.momentum, 0.0, 0.99, "%.2f");
  changed |= slider_real("clip", next.clip, 0.0, 100.0, next.clip > 0 ? "%.3g" : "off");
  changed |= slider_int("iters", next.iters, 10, 20000, true);

  if (changed) apply_config(app, gs::Config(), gs::to_text(next), ConfigSource::Controls);

  section("the whole configuration (the URL hash)");
  std::string readable;  // "a=1 & b=2": lets the text wrap between pairs, not inside them
  for (char ch : app.config_text) readable += ch == '&' ? std::string(" & ") : std::string(1, ch);
  ImGui::PushStyleColor(ImGuiCol_Text, ImGui::GetColorU32(ImGuiCol_TextDisabled));
  text_wrapped(readable);
  ImGui::PopStyleColor();
}
